// Produce calls from the items of one fetch: Kafka takes at most one batch per partition in a Produce request (v3+),
// so each partition's batches go out in order across consecutive calls, one batch per target partition per call
// (the producer groups a call's batches per leader). Position-only items (data skipped: aborted transactions,
// markers) ride with the next batch. A call's dead letters go in the same call: its positions are saved only once
// the whole call is acknowledged, dead letters included.
import { readBatchHeader } from '../kafka/batch/batch-layout.js';
import type { ProduceRequest } from '../kafka/port/kafka-port.js';

/** One item in send order: a batch for the target (or none: a position-only step past skipped data). */
export interface SendItem {
  key: string;
  partition: number;
  targetTopic: string;
  bytes?: Buffer;
  records: number;
  bytesOut: number;
  dead?: Buffer;
  /** The partition's position once this item is acknowledged. */
  end: bigint;
  failure?: string;
  /** Hands `bytes`' memory back for reuse once the target acknowledged it (converted batches). */
  release?: () => void;
}

/**
 * Groups items into produce calls: at most one batch per target partition in a call, and at most one dead-letter
 * batch (the dead-letter topic's partition 0), each partition's batches in order across calls.
 */
export function* produceRequests(items: SendItem[]): Generator<SendItem[]> {
  const queues = new Map<string, SendItem[]>();
  for (const i of items) {
    let q = queues.get(i.key);
    if (!q) queues.set(i.key, (q = []));
    q.push(i);
  }
  while (queues.size > 0) {
    const call: SendItem[] = [];
    let deadUsed = false;
    for (const [key, q] of queues) {
      // Take position-only items with the next batch; stop at a second batch or a second dead-letter batch.
      let batches = 0;
      while (q.length > 0 && (q[0].bytes === undefined || batches === 0) && !(q[0].dead && deadUsed)) {
        const i = q.shift()!;
        if (i.bytes) batches++;
        if (i.dead) deadUsed = true;
        call.push(i);
        if (i.failure) break;
      }
      if (q.length === 0) queues.delete(key);
    }
    if (call.length > 0) yield call;
  }
}

/** A call's batches for the producer, all as bytes (`forwarded`): the source's, or the mirror's own encoding. */
export function requestsOf(items: SendItem[], deadLetterTopic: string | undefined): ProduceRequest[] {
  const out: ProduceRequest[] = [];
  for (const i of items) {
    if (!i.bytes) continue;
    out.push({
      topic: i.targetTopic,
      partition: i.partition,
      batch: { bytes: i.bytes, recordCount: i.records, forwarded: true },
    });
  }
  const dead = items.find((i) => i.dead)?.dead;
  if (dead && deadLetterTopic) {
    const batch = { bytes: dead, recordCount: readBatchHeader(dead).recordCount, forwarded: true };
    out.push({ topic: deadLetterTopic, partition: 0, batch });
  }
  return out;
}
