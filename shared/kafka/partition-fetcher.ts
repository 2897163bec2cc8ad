// A consumer of assigned partitions at explicit positions, without a consumer group: Fetch v12 whose response keeps
// each partition's `records` as raw bytes (the mirror forwards record batches without decoding them), with the high
// watermark, the last stable offset and the aborted transactions; ListOffsets for earliest/latest positions.
import { createAPI, fetchV12, listOffsetsV7, protocolErrorsCodesById, type Reader } from '@platformatic/kafka';
import { KafkaCodeError, type BrokerConnections } from './broker-connections.js';
import type { FetchedPartition, FetchPosition } from './kafka-port.js';

/** The position after the last whole batch in `records` (a partial batch at the end is fetched again). */
export function nextOffsetAfter(records: Buffer, from: bigint): bigint {
  let at = 0;
  let next = from;
  while (records.length - at >= 61) {
    const size = records.readInt32BE(at + 8) + 12;
    if (at + size > records.length) break;
    next = records.readBigInt64BE(at) + BigInt(records.readInt32BE(at + 23)) + 1n;
    at += size;
  }
  return next;
}

const EMPTY = Buffer.alloc(0);
const errorName = (code: number) => protocolErrorsCodesById[code] ?? `KAFKA_ERROR_${code}`;

export type PartitionPosition = FetchPosition;

export interface FetchOptions {
  maxWaitMs: number;
  maxBytes: number;
  partitionMaxBytes: number;
  readCommitted: boolean;
}

function parseRawFetch(_c: number, _k: number, _v: number, r: Reader): FetchedPartition[] {
  r.readInt32(); // throttle time
  const errorCode = r.readInt16();
  r.readInt32(); // session id
  if (errorCode !== 0) throw new KafkaCodeError(errorCode, `fetch failed with Kafka error ${errorCode}`);
  const out: FetchedPartition[] = [];
  r.readArray((r) => {
    const topic = r.readString();
    r.readArray(
      (r) => {
        const partition = r.readInt32();
        const code = r.readInt16();
        const highWatermark = r.readInt64();
        const lastStableOffset = r.readInt64();
        const logStartOffset = r.readInt64();
        const aborted = r.readNullableArray((r) => ({ producerId: r.readInt64(), firstOffset: r.readInt64() })) ?? [];
        r.readInt32(); // preferred read replica
        const records = r.readNullableBytes();
        r.readTaggedFields();
        aborted.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
        out.push({
          topic,
          partition,
          records: records ?? EMPTY,
          highWatermark,
          lastStableOffset,
          logStartOffset,
          abortedTransactions: aborted,
          nextOffset: -1n,
          ...(code !== 0 && { error: errorName(code) }),
        });
      },
      true,
      false,
    );
  });
  r.readTaggedFields();
  return out;
}

const rawFetch = createAPI<unknown[], FetchedPartition[]>(1, 12, fetchV12.createRequest, parseRawFetch);

/**
 * Fetches `positions` from their leaders (one request per leader broker, in parallel). Partition errors come back
 * in `error` (the caller decides: reset, refresh leaders, retry); connection failures throw.
 */
export async function fetchPartitions(
  cluster: BrokerConnections,
  leaders: Map<string, number[]>,
  positions: PartitionPosition[],
  o: FetchOptions,
): Promise<FetchedPartition[]> {
  const byNode = new Map<number, PartitionPosition[]>();
  const missing: FetchedPartition[] = [];
  for (const p of positions) {
    const node = leaders.get(p.topic)?.[p.partition] ?? -1;
    if (node < 0) {
      missing.push({
        topic: p.topic,
        partition: p.partition,
        records: EMPTY,
        highWatermark: -1n,
        lastStableOffset: -1n,
        logStartOffset: -1n,
        abortedTransactions: [],
        nextOffset: p.offset,
        error: 'LEADER_NOT_AVAILABLE',
      });
      continue;
    }
    byNode.set(node, [...(byNode.get(node) ?? []), p]);
  }
  const results = await Promise.all(
    [...byNode].map(async ([node, ps]) => {
      const topics = new Map<string, PartitionPosition[]>();
      for (const p of ps) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
      const request = [...topics].map(([topic, parts]) => ({
        topicId: topic,
        partitions: parts.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: -1,
          fetchOffset: p.offset,
          lastFetchedEpoch: -1,
          partitionMaxBytes: o.partitionMaxBytes,
        })),
      }));
      const conn = await cluster.node(node);
      const got = await rawFetch.async(
        conn,
        o.maxWaitMs,
        1,
        o.maxBytes,
        o.readCommitted ? 1 : 0,
        0,
        -1,
        request,
        [],
        '',
      );
      for (const g of got) {
        const from = ps.find((p) => p.topic === g.topic && p.partition === g.partition)!.offset;
        g.nextOffset = nextOffsetAfter(g.records, from);
      }
      return got;
    }),
  );
  return [...missing, ...results.flat()];
}

/** Earliest (-2) or latest (-1) offsets of partitions, from their leaders. */
export async function listOffsets(
  cluster: BrokerConnections,
  leaders: Map<string, number[]>,
  partitions: { topic: string; partition: number }[],
  which: 'earliest' | 'latest',
  readCommitted = true,
): Promise<Map<string, bigint>> {
  const byNode = new Map<number, { topic: string; partition: number }[]>();
  for (const p of partitions) {
    const node = leaders.get(p.topic)?.[p.partition] ?? -1;
    if (node < 0) throw new KafkaCodeError(5, `${p.topic}-${p.partition} has no leader`);
    byNode.set(node, [...(byNode.get(node) ?? []), p]);
  }
  const out = new Map<string, bigint>();
  await Promise.all(
    [...byNode].map(async ([node, ps]) => {
      const topics = new Map<string, number[]>();
      for (const p of ps) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
      const conn = await cluster.node(node);
      const res = await listOffsetsV7.api.async(
        conn,
        -1,
        readCommitted ? 1 : 0,
        [...topics].map(([name, parts]) => ({
          name,
          partitions: parts.map((partitionIndex) => ({
            partitionIndex,
            currentLeaderEpoch: -1,
            timestamp: which === 'earliest' ? -2n : -1n,
          })),
        })),
      );
      for (const t of res.topics) for (const p of t.partitions) out.set(`${t.name}:${p.partitionIndex}`, p.offset);
    }),
  );
  return out;
}
