// One source task's exactly-once delivery (Kafka Connect's KIP-618, transaction.boundary=interval): the task's
// producer is transactional (its transactional.id is derived from connector and task, so a re-run or a duplicate of
// the task fences the earlier one), its records go into a transaction that stays open for a few hundred
// milliseconds, and the transaction commits together with the task's source offset in the offsets topic. At start,
// after the fencing, the task reads its offset back (committed transactions only): the position after the last committed
// record, never after an aborted or unfinished one.
import type { KafkaClient, KafkaProducer } from '../port/kafka-port.js';
import {
  offsetKey,
  offsetsReadIsolation,
  OffsetsTopic,
  offsetsTopicName,
  transactionalIdFor,
  type SourceOffset,
  type SourcePartition,
} from './offsets-topic.js';

export interface TaskTransactionsOptions {
  connector: string;
  taskId: number;
  /** The task's key in the offsets topic (`{task}` for a file task). */
  sourcePartition: SourcePartition;
  /** How long a transaction collects batches before it commits. */
  intervalMs: number;
  env?: NodeJS.ProcessEnv;
}

export class TaskTransactions {
  private openedAt: number | undefined;

  private constructor(
    private readonly client: KafkaClient,
    private readonly producer: KafkaProducer,
    private readonly offsets: OffsetsTopic,
    private readonly options: TaskTransactionsOptions,
    private readonly close: () => Promise<void>,
  ) {}

  /** The transactional.id a task's producer must be created with. */
  static transactionalId(connector: string, taskId: number, env = process.env): string {
    return transactionalIdFor(connector, taskId, env);
  }

  /** Opens (creating if missing) the offsets topic. `producer` is connected already: earlier instances are fenced. */
  static async open(
    client: KafkaClient,
    producer: KafkaProducer,
    options: TaskTransactionsOptions,
  ): Promise<TaskTransactions> {
    const admin = client.admin();
    await admin.connect();
    try {
      const offsets = new OffsetsTopic(offsetsTopicName(options.env), admin);
      await offsets.ensure();
      return new TaskTransactions(client, producer, offsets, options, () => admin.close());
    } catch (err) {
      await admin.close().catch(() => {}); // the open's own error is the one to report
      throw err;
    }
  }

  /** The task's committed offset, or undefined when it never committed one (or it was deleted). */
  async readOffset(): Promise<SourceOffset | undefined> {
    const consumer = this.client.consumer({ isolationLevel: offsetsReadIsolation(this.client), maxWaitMs: 200 });
    await consumer.connect();
    try {
      const key = offsetKey(this.options.connector, this.options.sourcePartition);
      // Only this task's key: its own open transaction was fenced before; a sibling's may still be open.
      const own = await this.offsets.read(consumer, this.options.connector, undefined, (k) => k === key);
      return own.get(key);
    } finally {
      await consumer.close();
    }
  }

  /** Call when a batch went out: the first one opens the transaction's interval. */
  sent(): void {
    this.openedAt ??= Date.now();
  }

  /** The open transaction has collected batches for the interval: time to commit it. */
  get due(): boolean {
    return this.openedAt !== undefined && Date.now() - this.openedAt >= this.options.intervalMs;
  }

  /**
   * Writes `offset` into the open transaction and commits it. Every batch sent before must have been acknowledged
   * (the caller flushed): the offset is the position after the last of them.
   */
  async commit(offset: SourceOffset): Promise<void> {
    await this.producer.send([this.offsets.records(this.options.connector, [[this.options.sourcePartition, offset]])]);
    await this.producer.commitTransaction();
    this.openedAt = undefined;
  }

  /** Aborts the open transaction (its records never become visible to read_committed readers). */
  async abort(): Promise<void> {
    this.openedAt = undefined;
    await this.producer.abortTransaction();
  }

  async dispose(): Promise<void> {
    // Closing the offsets topic's admin at the end of a task: nothing is written through it, nothing can be lost.
    await this.close().catch(() => {});
  }
}
