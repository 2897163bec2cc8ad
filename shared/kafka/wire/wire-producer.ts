// The wire producer: sealed RecordBatch bytes in raw Produce v9 requests (acks=all), one request per leader per
// `send`, several in flight per connection. Retriable errors (leader moved, not enough replicas, a dropped
// connection) resend the SAME sealed bytes (same sequence) to the current leader once every earlier batch of the
// partition has settled, so retries neither reorder nor duplicate.
import { createAPI, produceV9, Writer, type Connection } from './platformatic.js';
import {
  isProducerFenced,
  KafkaError,
  type EncodedBatch,
  type KafkaProducer,
  type ProduceAck,
  type ProduceRequest,
  type ProducerOptions,
} from '../port/kafka-port.js';
import { topicMaxMessageBytes } from './wire-admin.js';
import type { WireCluster } from './wire-cluster.js';
import { errorName, kafkaErrorFor, kafkaErrorOf, retriable, staleMetadata } from './wire-errors.js';
import { ProducerState } from './producer-state.js';
import { positionKey } from '../port/assigned-partitions.js';
import { TransactionCoordinator } from './transaction-coordinator.js';

interface PartitionBytes {
  partition: number;
  bytes: Buffer;
}

interface ProduceResponse {
  responses: {
    name: string;
    partitionResponses: { index: number; errorCode: number; baseOffset: bigint; errorMessage: string | null }[];
  }[];
}

function produceRequest(
  transactionalId: string | null,
  timeoutMs: number,
  topics: [string, PartitionBytes[]][],
): Writer {
  return Writer.create()
    .appendString(transactionalId)
    .appendInt16(-1) // acks=all
    .appendInt32(timeoutMs)
    .appendArray(topics, (w, [topic, partitions]) => {
      w.appendString(topic).appendArray(partitions, (w, p) => {
        w.appendInt32(p.partition)
          .appendUnsignedVarInt(p.bytes.length + 1)
          .append(p.bytes);
      });
    })
    .appendTaggedFields();
}

/** Partition errors are answers to read, not exceptions: keep the parsed response. */
function parseProduce(
  c: number,
  k: number,
  v: number,
  r: Parameters<typeof produceV9.parseResponse>[3],
): ProduceResponse {
  try {
    return produceV9.parseResponse(c, k, v, r) as ProduceResponse;
  } catch (err) {
    const response = (err as { response?: ProduceResponse }).response;
    if (response) return response;
    throw err;
  }
}

const produceApi = createAPI(0, 9, produceRequest, parseProduce);

const DUPLICATE_SEQUENCE_NUMBER = 46;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;

/** One batch on its way: sealed once, possibly sent several times. */
interface Pending {
  topic: string;
  partition: number;
  bytes: Buffer;
  recordCount: number;
  attempts: number;
  /** Settles when the previous batch of the same partition has: true acknowledged, false failed. */
  previous: Promise<boolean>;
  done: Promise<ProduceAck>;
  resolve: (ack: ProduceAck) => void;
  reject: (err: Error) => void;
}

export class WireProducer implements KafkaProducer {
  private readonly session: ProducerState;
  private readonly timeoutMs: number;
  private readonly retries: number;
  /** Last pending batch per partition: the next one waits for it before a retry. */
  private readonly tails = new Map<string, Promise<boolean>>();
  private readonly maxBytes = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The last send's dispatch (dispatch never throws: a batch without a leader fails on its own). */
  private dispatched: Promise<void> = Promise.resolve();
  private coordinator: TransactionCoordinator | undefined;
  /** The first failed send of the open transaction: it must not be committed. */
  private transactionError: Error | undefined;

  constructor(
    private readonly cluster: WireCluster,
    options: ProducerOptions = {},
  ) {
    this.session = new ProducerState({
      compression: options.compression ?? 'none',
      transactional: options.transactionalId !== undefined,
    });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 8;
    if (options.transactionalId !== undefined) {
      const coordinator = new TransactionCoordinator(
        { any: () => cluster.any(), at: (host, port) => cluster.pool.get({ host, port }) },
        {
          transactionalId: options.transactionalId,
          ...(options.transactionTimeoutMs !== undefined && { transactionTimeoutMs: options.transactionTimeoutMs }),
        },
      );
      this.coordinator = coordinator;
    }
  }

  async connect(): Promise<void> {
    if (this.coordinator) {
      const { producerId, producerEpoch } = await this.coordinator.init();
      this.session.adopt(producerId, producerEpoch);
      return;
    }
    await this.session.initIdempotent(() => this.cluster.any());
  }

  async commitTransaction(): Promise<void> {
    await this.endTransaction(true);
  }

  async abortTransaction(): Promise<void> {
    await this.endTransaction(false);
  }

  private async endTransaction(commit: boolean): Promise<void> {
    const coordinator = this.coordinator;
    if (!coordinator) throw new KafkaError('not a transactional producer (no transactionalId)');
    await this.flush();
    const failed = this.transactionError;
    this.transactionError = undefined;
    if (failed && commit) {
      // A batch of this transaction is missing: committing would make the gap visible. Abort, then report.
      await coordinator.end(false).catch(() => {});
      throw failed;
    }
    await coordinator.end(commit);
  }

  async partitionCount(topic: string): Promise<number> {
    return (await this.cluster.topic(topic)).leaders.length;
  }

  async maxBatchBytes(topic: string): Promise<number> {
    let n = this.maxBytes.get(topic);
    if (n === undefined) {
      n = await topicMaxMessageBytes(this.cluster, topic);
      this.maxBytes.set(topic, n);
    }
    return n;
  }

  send(requests: ProduceRequest[]): Promise<ProduceAck[]> {
    const pending = requests.map((r) => this.enqueue(r.topic, r.partition, r.batch));
    // Dispatched in call order: a later send must not reach a leader first because its leaders were looked up in
    // fewer steps (its batch would arrive ahead of its sequence and come back out of order).
    const dispatched = this.dispatched.then(() => this.dispatch(pending));
    this.dispatched = dispatched;
    const all = dispatched.then(() => Promise.all(pending.map((p) => p.done)));
    const tracked = all.catch((err: Error) => {
      if (this.coordinator) this.transactionError ??= err;
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return all;
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.cluster.close();
  }

  private enqueue(topic: string, partition: number, batch: EncodedBatch): Pending {
    const k = positionKey(topic, partition);
    // A forwarded batch keeps its bytes (and compression): only its producer fields and CRC are restamped.
    const bytes = batch.forwarded
      ? this.session.stamp(topic, partition, batch.bytes)
      : this.session.seal(topic, partition, batch).bytes;
    let resolve!: (ack: ProduceAck) => void;
    let reject!: (err: Error) => void;
    const done = new Promise<ProduceAck>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => {}); // observed through send(); avoid an unhandled rejection when send's caller left
    const previous = this.tails.get(k) ?? Promise.resolve(true);
    const settled = done.then(
      () => true,
      () => false,
    );
    this.tails.set(k, settled);
    void settled.then(() => {
      if (this.tails.get(k) === settled) this.tails.delete(k);
    });
    return { topic, partition, bytes, recordCount: batch.recordCount, attempts: 0, previous, done, resolve, reject };
  }

  /** Sends pending batches grouped by their partition's leader: one Produce request per leader. */
  private async dispatch(pending: Pending[]): Promise<void> {
    const byLeader = new Map<number, Pending[]>();
    for (const p of pending) {
      let leader: number;
      try {
        leader = await this.leaderOf(p.topic, p.partition);
      } catch (err) {
        p.reject(kafkaErrorOf(err, `no leader for ${p.topic}[${p.partition}]`));
        continue;
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    for (const [leader, batches] of byLeader) this.produceTo(leader, batches);
  }

  private async leaderOf(topic: string, partition: number): Promise<number> {
    let meta = await this.cluster.topic(topic);
    if (partition >= meta.leaders.length || meta.leaders[partition] < 0) meta = await this.cluster.topic(topic, true);
    const leader = meta.leaders[partition];
    if (leader === undefined)
      throw new KafkaError(`${topic} has no partition ${partition}`, 'UNKNOWN_TOPIC_OR_PARTITION');
    if (leader < 0) throw new KafkaError(`${topic}[${partition}] has no leader`, 'LEADER_NOT_AVAILABLE', true);
    return leader;
  }

  /**
   * A Produce request holds one batch per partition: further batches of a partition go in the next requests,
   * sent right behind on the same connection (the broker handles a connection's requests in order).
   */
  private produceTo(leader: number, batches: Pending[]): void {
    const rounds: Pending[][] = [];
    const seen = new Map<string, number>();
    for (const b of batches) {
      const k = positionKey(b.topic, b.partition);
      const round = seen.get(k) ?? 0;
      seen.set(k, round + 1);
      (rounds[round] ??= []).push(b);
    }
    for (const round of rounds) void this.produceRound(leader, round);
  }

  private async produceRound(leader: number, batches: Pending[]): Promise<void> {
    const topics = new Map<string, PartitionBytes[]>();
    for (const b of batches) {
      b.attempts++;
      topics.set(b.topic, [...(topics.get(b.topic) ?? []), { partition: b.partition, bytes: b.bytes }]);
    }
    let response: ProduceResponse;
    try {
      // A transaction must hold a partition before records are produced to it.
      await this.coordinator?.addPartitions(batches.map((b) => ({ topic: b.topic, partition: b.partition })));
      const connection: Connection = await this.cluster.node(leader);
      response = await produceApi.async(connection, this.coordinator?.transactionalId ?? null, this.timeoutMs, [
        ...topics,
      ]);
    } catch (err) {
      const error = kafkaErrorOf(err, `produce to broker ${leader}`);
      // A fenced transactional producer must not retry: another instance owns the id now.
      for (const b of batches) this.failed(b, error, !isProducerFenced(error));
      return;
    }
    for (const b of batches) {
      const t = response.responses.find((r) => r.name === b.topic);
      const p = t?.partitionResponses.find((x) => x.index === b.partition);
      if (!p) {
        this.failed(b, new KafkaError(`no produce response for ${b.topic}[${b.partition}]`), false);
      } else if (p.errorCode === 0 || p.errorCode === DUPLICATE_SEQUENCE_NUMBER) {
        b.resolve({ topic: b.topic, partition: b.partition, baseOffset: p.baseOffset, recordCount: b.recordCount });
      } else {
        if (staleMetadata(p.errorCode)) this.cluster.invalidate(b.topic);
        const err = kafkaErrorFor(p.errorCode, `Kafka refused a batch for ${b.topic}[${b.partition}]`, p.errorMessage);
        // Out of order means an earlier batch of the partition failed and is being retried: retry after it.
        this.failed(b, err, retriable(p.errorCode) || p.errorCode === OUT_OF_ORDER_SEQUENCE_NUMBER);
      }
    }
  }

  /** Retries a retriable failure after the partition's earlier batches settled; otherwise fails the batch. */
  private failed(b: Pending, err: KafkaError, canRetry: boolean): void {
    if (!canRetry || b.attempts > this.retries) {
      const tries = b.attempts > 1 ? ` after ${b.attempts} attempts` : '';
      b.reject(new KafkaError(`${err.message}${tries}`, err.kafkaCode ?? errorName(-1), false, { cause: err }));
      return;
    }
    const backoff = Math.min(100 * 2 ** (b.attempts - 1), 2_000);
    void b.previous.then(async (acknowledged) => {
      // The partition's previous batch failed for good: its sequence is missing, so this one can never be accepted
      // (the broker answers out of order until a new producer id); fail it at once rather than after every retry.
      if (!acknowledged) {
        b.reject(new KafkaError(`${err.message} (an earlier batch of the partition failed)`, err.kafkaCode, false));
        return;
      }
      await new Promise((r) => setTimeout(r, backoff));
      await this.dispatch([b]);
    });
  }
}
