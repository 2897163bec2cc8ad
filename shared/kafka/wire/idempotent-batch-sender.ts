// Sends ready-made record batches (bytes) with acks=all as one idempotent producer session: InitProducerId once,
// then every batch is stamped with the session's producer id/epoch and the partition's next sequence before it goes
// out, so several requests in flight keep their order and the broker drops a duplicate. One Produce request holds at
// most one batch per partition (the broker's rule for v3+). A failed request fails the session: the caller starts a
// new one from its saved positions (sequences restart at 0 under a new producer id).
import { createAPI, initProducerIdV4, produceV9, Writer } from './platformatic.js';
import { lastOffsetDeltaOf } from '../batch/batch-layout.js';
import { stampBatch } from '../batch/forwarded-batch.js';
import type { WireCluster } from './wire-cluster.js';
import { kafkaErrorOf } from './wire-errors.js';
import type { TransactionCoordinator } from './transaction-coordinator.js';

export interface OutgoingBatch {
  topic: string;
  partition: number;
  /** RecordBatch v2 bytes; stamped in place when sent. */
  bytes: Buffer;
}

interface TopicData {
  name: string;
  partitions: { partition: number; bytes: Buffer }[];
}

function produceRequest(transactionalId: string | null, acks: number, timeoutMs: number, topics: TopicData[]): Writer {
  const w = Writer.create().appendString(transactionalId).appendInt16(acks).appendInt32(timeoutMs);
  w.appendArray(topics, (w, t) => {
    w.appendString(t.name).appendArray(t.partitions, (w, p) => {
      w.appendInt32(p.partition)
        .appendUnsignedVarInt(p.bytes.length + 1)
        .append(p.bytes);
    });
  });
  return w.appendTaggedFields();
}

const produceRaw = createAPI<
  [string | null, number, number, TopicData[]],
  Awaited<ReturnType<typeof produceV9.parseResponse>>
>(0, 9, produceRequest, produceV9.parseResponse);

/** What the mirror needs of the target: a producer session, partition leaders, one request at a time. */
export interface BatchSender {
  init(): Promise<void>;
  /** topic → leader node per partition (fresh from the cluster). */
  leaders(topics: string[]): Promise<Map<string, number[]>>;
  send(node: number, batches: OutgoingBatch[]): Promise<void>;
  /** Exactly once (a transactional sender): commits everything sent since the last commit. */
  commit?(): Promise<void>;
  close(): Promise<void>;
}

export class IdempotentBatchSender implements BatchSender {
  private producerId = -1n;
  private producerEpoch = -1;
  private readonly sequences = new Map<string, number>();

  constructor(
    private readonly cluster: WireCluster,
    private readonly timeoutMs = 30_000,
    /** Exactly once: batches go into this transactional id's transactions (commit with `commit`). */
    private readonly transactions?: TransactionCoordinator,
  ) {}

  async leaders(topics: string[]): Promise<Map<string, number[]>> {
    const all = await Promise.all(topics.map((t) => this.cluster.topic(t, true)));
    return new Map(all.map((m) => [m.topic, m.leaders]));
  }

  close(): Promise<void> {
    return this.cluster.close();
  }

  async init(): Promise<void> {
    if (this.transactions) {
      // Fences every earlier sender with the same transactional id and aborts its open transaction.
      const { producerId, producerEpoch } = await this.transactions.init();
      this.producerId = producerId;
      this.producerEpoch = producerEpoch;
      this.sequences.clear();
      return;
    }
    const conn = await this.cluster.any();
    const res = await initProducerIdV4.api.async(conn, null, 60_000, -1n, -1).catch((err: unknown) => {
      throw kafkaErrorOf(err, 'InitProducerId failed');
    });
    this.producerId = res.producerId;
    this.producerEpoch = res.producerEpoch;
    this.sequences.clear();
  }

  /**
   * Stamps and sends one request to `node` (the leader of every batch's partition); resolves when the broker
   * acknowledged all of them (acks=all). Batches must be given in each partition's order, one per partition.
   */
  async send(node: number, batches: OutgoingBatch[]): Promise<void> {
    if (this.producerId < 0n) throw new Error('IdempotentBatchSender.send before init');
    const topics = new Map<string, TopicData>();
    for (const b of batches) {
      const key = `${b.topic}:${b.partition}`;
      const sequence = this.sequences.get(key) ?? 0;
      stampBatch(b.bytes, this.producerId, this.producerEpoch, sequence, this.transactions !== undefined);
      // The broker counts lastOffsetDelta + 1 sequence numbers per batch; wraps at 2^31 as Kafka does.
      this.sequences.set(key, (sequence + lastOffsetDeltaOf(b.bytes) + 1) % 2 ** 31);
      let t = topics.get(b.topic);
      if (!t) topics.set(b.topic, (t = { name: b.topic, partitions: [] }));
      t.partitions.push({ partition: b.partition, bytes: b.bytes });
    }
    if (this.transactions) {
      await this.transactions.addPartitions(batches.map((b) => ({ topic: b.topic, partition: b.partition })));
    }
    const conn = await this.cluster.node(node);
    try {
      await produceRaw.async(conn, this.transactions?.transactionalId ?? null, -1, this.timeoutMs, [
        ...topics.values(),
      ]);
    } catch (err) {
      const where = batches.map((b) => `${b.topic}-${b.partition}`).join(', ');
      throw kafkaErrorOf(err, `the target did not accept batches for ${where}`);
    }
  }

  /** Exactly once: commits everything sent since the last commit (every send must have been acknowledged). */
  async commit(): Promise<void> {
    if (!this.transactions) throw new Error('IdempotentBatchSender.commit without a transactional id');
    await this.transactions.end(true);
  }
}
