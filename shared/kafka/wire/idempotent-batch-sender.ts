// Sends ready-made record batches (bytes) with acks=all as one idempotent producer session: InitProducerId once,
// then every batch is stamped with the session's producer id/epoch and the partition's next sequence before it goes
// out, so several requests in flight keep their order and the broker drops a duplicate. One Produce request holds at
// most one batch per partition (the broker's rule for v3+). A failed request fails the session: the caller starts a
// new one from its saved positions (sequences restart at 0 under a new producer id).
import { createAPI, produceV9, Writer } from './platformatic.js';
import { ProducerState } from './producer-state.js';
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
  private readonly producer: ProducerState;

  constructor(
    private readonly cluster: WireCluster,
    private readonly timeoutMs = 30_000,
    /** Exactly once: batches go into this transactional id's transactions (commit with `commit`). */
    private readonly transactions?: TransactionCoordinator,
  ) {
    this.producer = new ProducerState({ transactional: transactions !== undefined });
  }

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
      this.producer.adopt(producerId, producerEpoch);
      return;
    }
    // A new session: a fresh producer id (sequences restart at 0), not an epoch bump of the failed one.
    this.producer.adopt(-1n, -1);
    await this.producer.initIdempotent(await this.cluster.any());
  }

  /**
   * Stamps and sends one request to `node` (the leader of every batch's partition); resolves when the broker
   * acknowledged all of them (acks=all). Batches must be given in each partition's order, one per partition.
   */
  async send(node: number, batches: OutgoingBatch[]): Promise<void> {
    if (!this.producer.ready) throw new Error('IdempotentBatchSender.send before init');
    const topics = new Map<string, TopicData>();
    for (const b of batches) {
      this.producer.stamp(b.topic, b.partition, b.bytes);
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
