// One mirror task (MirrorMaker 2's MirrorSourceTask) over the partitions its connector assigned to it: fetches them
// from the source leaders at explicit positions (read_committed, no consumer group), and sends each committed batch
// to the SAME partition number of the target topic. With ByteArrayConverter the batch is forwarded as bytes (only
// its header is rewritten for the target's idempotent producer; compressed batches stay compressed); otherwise its
// records are converted (record-conversion.ts). A partition's position is saved after the target acknowledged the
// request that carried it, in request order: a crash repeats at most the requests in flight; stop() sends nothing
// new, waits for the requests in flight and saves their positions, so a stop repeats nothing.
import type { MirrorConnectorSpec } from '../config/spec.js';
import {
  isProducerFenced,
  type FetchedPartition,
  type KafkaAdmin,
  type KafkaConsumer,
  type KafkaProducer,
  type TopicPartition,
} from '../kafka/port/kafka-port.js';
import { transactionalIdFor } from '../kafka/delivery/offsets-topic.js';
import type { Logger } from '../runtime/log.js';
import { errorText } from '../runtime/error-text.js';
import { committedBatches, forwardable } from './committed-batches.js';
import type { ConversionPool } from './conversion-pool.js';
import type { Converter } from './converters/index.js';
import { partitionKey, type MirrorPositions } from './mirror-positions.js';
import { produceRequests, requestsOf, type SendItem } from './produce-requests.js';
import { MAX_IN_FLIGHT, mirrorTransport, type MirrorTransport } from './mirror-transport.js';
import { MirrorTransactions } from './mirror-transactions.js';
import {
  conversionFailure,
  convertBatch,
  deadLetterBatch,
  isFatal,
  type ConversionContext,
} from './record-conversion.js';
import { resetOffsets, startPositions } from './start-positions.js';

export { MAX_IN_FLIGHT, type MirrorTransport } from './mirror-transport.js';

export interface MirrorTaskOptions {
  connector: string;
  taskId: number;
  spec: MirrorConnectorSpec;
  /** The source partitions the connector assigned to this task. */
  partitions: TopicPartition[];
  targetTopic: (sourceTopic: string) => string;
  positions: MirrorPositions;
  converter: Converter;
  /** Worker threads converting off this task's thread (shared by the connector's tasks); none: converts inline. */
  pool?: ConversionPool;
  log: Logger;
  /** Called once when the task cannot go on (errors.tolerance=none, a fatal converter error): the task is FAILED. */
  onFailure: (reason: string) => void;
  /** The Kafka side of one session; default: the port's adapter on both clusters (unit tests pass fakes). */
  transport?: (clientId: string) => MirrorTransport;
}

export interface MirrorTaskStats {
  records: number;
  bytes: number;
  errors: number;
  /** `topic-partition` names assigned to this task. */
  partitions: string[];
  /** `topic-partition` → records between the position and the high watermark (from the last fetch). */
  lag: Record<string, number>;
  /** The last error the task is retrying past (cleared by the next acknowledged request). */
  lastError?: string;
  /** The last record skipped under errors.tolerance=all (kept: status shows it when nothing is being retried). */
  lastSkipped?: string;
  retries: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dashName = (key: string) => key.replace(/:(\d+)$/, '-$1');

class FatalTaskError extends Error {}

/** Another instance took this task's transactional id over: this one stops and writes nothing more. */
const fenced = (err: unknown): boolean => isProducerFenced(err);

const DEFAULT_TRANSACTION_MS = 500;

export class MirrorSourceTask {
  readonly stats: MirrorTaskStats;
  private stopping = false;
  private failed = false;
  private loop?: Promise<void>;
  /** Next offset to fetch, per `topic:partition`. */
  private fetchAt = new Map<string, bigint>();
  private readonly bytePath: boolean;
  /** Exactly once: the open transaction's positions; undefined at least once. */
  private readonly transactions: MirrorTransactions | undefined;
  private readonly conversion: ConversionContext;

  constructor(private readonly o: MirrorTaskOptions) {
    this.stats = {
      records: 0,
      bytes: 0,
      errors: 0,
      retries: 0,
      partitions: o.partitions.map((p) => `${p.topic}-${p.partition}`).sort(),
      lag: {},
    };
    // StringConverter and JsonConverter pass a value's bytes unchanged too (converters/index.ts): the byte path.
    this.bytePath = ['bytearray', 'string', 'json'].includes(o.spec.valueConverter?.kind ?? 'bytearray');
    const exactlyOnce = (o.spec.delivery?.exactlyOnce ?? true) && o.positions.exactlyOnce;
    const intervalMs = o.spec.delivery?.transactionIntervalMs ?? DEFAULT_TRANSACTION_MS;
    this.transactions = exactlyOnce ? new MirrorTransactions(o.positions, o.connector, intervalMs) : undefined;
    this.conversion = {
      spec: o.spec,
      connector: o.connector,
      taskId: o.taskId,
      converter: o.converter,
      convert: (value) => this.convertWithRetry(value),
    };
  }

  get hasFailed(): boolean {
    return this.failed;
  }

  async start(): Promise<void> {
    this.loop = this.run();
  }

  /** Stops fetching, waits for the requests in flight and saves their positions. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = 500;
    while (!this.stopping && !this.failed) {
      try {
        await this.session();
        backoff = 500;
      } catch (err) {
        if (err instanceof FatalTaskError) return this.fail(err.message);
        if (fenced(err)) {
          // A newer instance of this task runs elsewhere; its transactions carry on from the committed offsets.
          this.stats.lastError = errorText(err);
          this.o.log.warn('mirror task fenced by a newer instance; stopping', { error: errorText(err) });
          return;
        }
        if (this.stopping) break;
        this.stats.retries++;
        this.stats.lastError = `retrying: ${errorText(err)}`;
        this.o.log.warn('mirror task restarts from its saved positions', { error: errorText(err) });
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /** Waits `ms`, or less when the task is stopped meanwhile. */
  private async pause(ms: number): Promise<void> {
    for (const end = Date.now() + ms; !this.stopping && Date.now() < end;) await sleep(Math.min(200, end - Date.now()));
  }

  private fail(reason: string): void {
    if (this.failed) return;
    this.failed = true;
    this.stats.lastError = reason;
    this.o.log.error('task failed', { reason });
    this.o.onFailure(reason);
  }

  /** One producer session: connections, positions from the store, then fetch → send until stopped or an error. */
  private async session(): Promise<void> {
    const { spec, connector, taskId } = this.o;
    const clientId = `dsc-mirror-${connector}-${taskId}`;
    const transactionalId = this.transactions ? transactionalIdFor(connector, taskId) : undefined;
    const { consumer, admin, producer } = (this.o.transport ?? ((id) => mirrorTransport(spec, id, transactionalId)))(
      clientId,
    );
    const inFlight: Promise<void>[] = [];
    let last: Promise<void> = Promise.resolve();
    try {
      await Promise.all([consumer.connect(), admin.connect()]);
      const targetTopics = [...new Set(this.o.partitions.map((p) => this.o.targetTopic(p.topic)))];
      if (spec.errors.deadLetterTopic) targetTopics.push(spec.errors.deadLetterTopic);
      const offsets = this.transactions ? await this.o.positions.openOffsetsTopic() : undefined;
      if (offsets) targetTopics.push(offsets.topic);
      // A missing target topic fails the session here, by name (the connector creates them; the session retries).
      await Promise.all(targetTopics.map((t) => producer.partitionCount(t)));
      // Before the positions: exactly once fences earlier instances (aborting their open transaction) first.
      await producer.connect();
      this.transactions?.reset();
      this.fetchAt = await startPositions(this.o.positions, admin, this.o.partitions, spec.startFrom);
      consumer.assign(
        this.o.partitions.map((p) => ({ ...p, offset: this.fetchAt.get(partitionKey(p.topic, p.partition))! })),
      );
      const commit = async (): Promise<void> => {
        await last;
        await this.transactions!.commit(producer);
      };
      // The first failed request ends the session: nothing after it may be sent (its sequence would be out of order)
      // nor saved; the next session starts again from the saved positions.
      let failure: { error: unknown } | undefined;
      const slot = async () => {
        while (inFlight.length >= MAX_IN_FLIGHT && !failure) await inFlight[0];
      };
      // One fetch ahead: the next response arrives while this one is converted and sent.
      let next = consumer.fetch();
      next.catch(() => {}); // a session that ends before reading it (stopped, failed commit) never does
      while (!this.stopping && !this.failed && !failure) {
        if (offsets && this.transactions!.due) await commit();
        await slot();
        if (failure) break;
        const fetched = await next;
        next = consumer.fetch();
        next.catch(() => {}); // a session that ends first never reads it
        const items = await this.itemsOf(fetched, consumer, admin);
        for (const call of produceRequests(items)) {
          await slot();
          if (this.stopping || failure) break;
          last = this.sendInOrder(producer, call, last);
          const link: Promise<void> = last
            .catch((error: unknown) => {
              failure ??= { error };
            })
            .finally(() => inFlight.splice(inFlight.indexOf(link), 1));
          inFlight.push(link);
        }
        if (items.some((i) => i.failure)) break;
        // Caught up with the source: commit now rather than at the interval, so what was copied becomes visible
        // at once (a steady stream still commits every transaction.boundary.interval.ms).
        if (offsets && this.caughtUp()) await commit();
      }
      // Drain: every request sent is acknowledged and its positions saved (or the first failure is thrown).
      await last;
      if (offsets && !failure) await commit();
    } finally {
      last.catch(() => {}); // a failure thrown above is the session's error; this one is the same
      await Promise.allSettled(inFlight);
      await Promise.all([consumer.close(), admin.close(), producer.close()].map((p) => p.catch(() => {})));
    }
  }

  /** Turns one fetch into send items, in partition order; notes lag; handles partition errors. */
  private async itemsOf(fetched: FetchedPartition[], consumer: KafkaConsumer, admin: KafkaAdmin): Promise<SendItem[]> {
    const items: SendItem[] = [];
    if (!this.bytePath) await this.o.pool?.prime(fetched);
    const onWorkers = this.bytePath ? undefined : this.o.pool?.dispatch(fetched, this.fetchAt);
    for (const f of fetched) {
      const key = partitionKey(f.topic, f.partition);
      let position = this.fetchAt.get(key)!;
      if (f.error === 'OFFSET_OUT_OF_RANGE') {
        const at = (await resetOffsets(admin, [f], this.o.spec.startFrom)).get(key)!;
        this.o.log.warn('position out of range; reset', { partition: key, from: String(position), to: String(at) });
        this.fetchAt.set(key, at);
        consumer.seek({ topic: f.topic, partition: f.partition, offset: at });
        continue;
      }
      if (f.error) throw new Error(`cannot fetch ${f.topic}-${f.partition}: ${f.error}`);
      const targetTopic = this.o.targetTopic(f.topic);
      const converting = onWorkers?.get(f);
      for (const [i, batch] of (converting?.batches ?? committedBatches(f)).entries()) {
        const end = batch.header.nextOffset;
        const item: SendItem = { key, partition: f.partition, targetTopic, records: 0, bytesOut: 0, end };
        if (this.bytePath) {
          const out = forwardable(batch, position);
          if (out) Object.assign(item, { bytes: out.bytes, records: out.records, bytesOut: out.bytes.length });
        } else {
          const fast = await converting?.answers[i]; // converted on a worker, else here
          const c = fast
            ? { ...fast, dead: [], errors: 0 }
            : await convertBatch(this.conversion, f.topic, f.partition, batch, position);
          Object.assign(item, {
            bytes: c.bytes,
            records: c.records,
            bytesOut: c.bytesOut,
            dead: deadLetterBatch(c.dead),
            release: c.release,
          });
          this.stats.errors += c.errors;
          if (c.lastSkipped) this.stats.lastSkipped = c.lastSkipped;
          if (c.failure) {
            item.end = c.failure.offset;
            item.failure = conversionFailure(f.topic, f.partition, c.failure.offset, c.failure.reason, 'none');
            items.push(item);
            return items;
          }
        }
        items.push(item);
        position = batch.header.nextOffset;
      }
      if (f.nextOffset > position) {
        items.push({ key, partition: f.partition, targetTopic, records: 0, bytesOut: 0, end: f.nextOffset });
        position = f.nextOffset;
      }
      this.fetchAt.set(key, position);
      if (f.highWatermark >= 0n) this.stats.lag[dashName(key)] = Math.max(0, Number(f.highWatermark - position));
    }
    return items;
  }

  /** Every assigned partition was last seen at its high watermark (nothing more to fetch right now). */
  private caughtUp(): boolean {
    const lag = this.stats.lag;
    return this.o.partitions.every((p) => lag[dashName(partitionKey(p.topic, p.partition))] === 0);
  }

  /** Sends one call; after it and every earlier one are acknowledged, saves its positions and counts it. */
  private sendInOrder(producer: KafkaProducer, items: SendItem[], previous: Promise<void>): Promise<void> {
    const batches = requestsOf(items, this.o.spec.errors.deadLetterTopic);
    if (batches.length > 0) this.transactions?.opened();
    const sent = batches.length > 0 ? producer.send(batches) : Promise.resolve();
    sent.catch(() => {}); // observed below, after the earlier requests
    return previous.then(async () => {
      await sent;
      // Acknowledged: the producer is done with these bytes, so a later batch may be built in them.
      for (const i of items) i.release?.();
      const ends = new Map<string, bigint>();
      for (const i of items) ends.set(i.key, i.end);
      if (this.transactions) {
        this.transactions.acknowledged(ends); // committed with the transaction
      } else if (!(await this.o.positions.save(ends))) {
        throw new Error(`connector ${this.o.connector} no longer exists`);
      }
      for (const i of items) {
        this.stats.records += i.records;
        this.stats.bytes += i.bytesOut;
      }
      if (batches.length > 0) this.stats.lastError = undefined;
      const failure = items.find((i) => i.failure)?.failure;
      if (failure) {
        this.fail(failure);
      }
    });
  }

  /** The converter with retries for failures that are not the record's fault; fatal ones fail the task. */
  private async convertWithRetry(value: Buffer | null): Promise<(Buffer | null)[]> {
    let backoff = 500;
    for (;;) {
      try {
        return await this.o.converter.convert(value);
      } catch (err) {
        if ((err as Error)?.name === 'ConversionError') throw err;
        if (isFatal(err)) throw new FatalTaskError(errorText(err));
        if (this.stopping) throw err;
        this.stats.retries++;
        this.stats.lastError = `retrying (attempt ${this.stats.retries}): ${errorText(err)}`;
        this.o.log.warn('converter failed; retrying', { error: errorText(err) });
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }
}
