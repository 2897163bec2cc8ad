// One mirror task (MirrorMaker 2's MirrorSourceTask) over the partitions its connector assigned to it: fetches them
// from the source leaders at explicit positions (read_committed, no consumer group), and sends each committed batch
// to the SAME partition number of the target topic. With ByteArrayConverter the batch is forwarded as bytes (only
// its header is rewritten for the target's idempotent producer; compressed batches stay compressed); otherwise its
// records are converted (record-conversion.ts). A partition's position is saved after the target acknowledged the
// request that carried it, in request order: a crash repeats at most the requests in flight; stop() sends nothing
// new, waits for the requests in flight and saves their positions, so a stop repeats nothing.
import type { MirrorConnectorSpec } from '../config/spec.js';
import { IdempotentBatchSender, type BatchSender, type OutgoingBatch } from '../kafka/idempotent-batch-sender.js';
import type { FetchedPartition, KafkaAdmin, KafkaConsumer, TopicPartition } from '../kafka/kafka-port.js';
import { wireClient } from '../kafka/wire/wire-client.js';
import { WireCluster } from '../kafka/wire/wire-cluster.js';
import type { Logger } from '../runtime/log.js';
import { errorText } from '../runtime/error-text.js';
import { committedBatches, forwardable } from './committed-batches.js';
import type { Converter } from './converters/index.js';
import { partitionKey, type MirrorPositions } from './mirror-positions.js';
import { produceRequests, type SendItem } from './produce-requests.js';
import { convertBatch, deadLetterBatch, isFatal, type ConversionContext } from './record-conversion.js';

export interface MirrorTaskOptions {
  connector: string;
  taskId: number;
  spec: MirrorConnectorSpec;
  /** The source partitions the connector assigned to this task. */
  partitions: TopicPartition[];
  targetTopic: (sourceTopic: string) => string;
  positions: MirrorPositions;
  converter: Converter;
  log: Logger;
  /** Called once when the task cannot go on (errors.tolerance=none, a fatal converter error): the task is FAILED. */
  onFailure: (reason: string) => void;
  /** The Kafka side of one session; default: the wire adapter on both clusters (unit tests pass fakes). */
  transport?: (clientId: string) => MirrorTransport;
}

/** A session's source consumer and admin, and its target sender. */
export interface MirrorTransport {
  consumer: KafkaConsumer;
  admin: KafkaAdmin;
  sender: BatchSender;
}

/** The wire adapter on both sides: the byte path needs the fetched batches as bytes and raw Produce requests. */
function wireTransport(spec: MirrorConnectorSpec, clientId: string): MirrorTransport {
  const client = wireClient(spec.source, clientId);
  return {
    consumer: client.consumer(FETCH),
    admin: client.admin(),
    sender: new IdempotentBatchSender(new WireCluster(spec.target, clientId, { maxInflights: MAX_IN_FLIGHT + 2 })),
  };
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
  retries: number;
}

/** Produce requests in flight per task: what a crash may repeat. */
export const MAX_IN_FLIGHT = 8;
const FETCH = {
  maxWaitMs: 500,
  maxBytes: 8 << 20,
  partitionMaxBytes: 1 << 20,
  isolationLevel: 'read_committed',
} as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dashName = (key: string) => key.replace(/:(\d+)$/, '-$1');

class FatalTaskError extends Error {}

export class MirrorSourceTask {
  readonly stats: MirrorTaskStats;
  private stopping = false;
  private failed = false;
  private loop?: Promise<void>;
  /** Next offset to fetch, per `topic:partition`. */
  private fetchAt = new Map<string, bigint>();
  private readonly bytePath: boolean;
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
    const { consumer, admin, sender } = (this.o.transport ?? ((id) => wireTransport(spec, id)))(clientId);
    const inFlight: Promise<void>[] = [];
    let last: Promise<void> = Promise.resolve();
    try {
      await Promise.all([consumer.connect(), admin.connect()]);
      const targetTopics = [...new Set(this.o.partitions.map((p) => this.o.targetTopic(p.topic)))];
      if (spec.errors.deadLetterTopic) targetTopics.push(spec.errors.deadLetterTopic);
      let leaders = await sender.leaders(targetTopics);
      await this.resolvePositions(admin);
      consumer.assign(
        this.o.partitions.map((p) => ({ ...p, offset: this.fetchAt.get(partitionKey(p.topic, p.partition))! })),
      );
      await sender.init();
      // The first failed request ends the session: nothing after it may be sent (its sequence would be out of order)
      // nor saved; the next session starts again from the saved positions.
      let failure: { error: unknown } | undefined;
      const slot = async () => {
        while (inFlight.length >= MAX_IN_FLIGHT && !failure) await inFlight[0];
      };
      // One fetch ahead: the next response arrives while this one is converted and sent.
      let next = consumer.fetch();
      while (!this.stopping && !this.failed && !failure) {
        await slot();
        if (failure) break;
        const fetched = await next;
        next = consumer.fetch();
        next.catch(() => {}); // a session that ends first never reads it
        const items = await this.itemsOf(fetched, consumer, admin);
        for (const request of produceRequests(items, leaders, this.o.spec.errors.deadLetterTopic)) {
          await slot();
          if (this.stopping || failure) break;
          last = this.sendInOrder(sender, request.node, request.items, last);
          const link: Promise<void> = last
            .catch((error: unknown) => {
              failure ??= { error };
            })
            .finally(() => inFlight.splice(inFlight.indexOf(link), 1));
          inFlight.push(link);
        }
        if (items.some((i) => i.failure)) break;
        if (leaders.size < targetTopics.length) leaders = await sender.leaders(targetTopics);
      }
      // Drain: every request sent is acknowledged and its positions saved (or the first failure is thrown).
      await last;
    } finally {
      last.catch(() => {}); // a failure thrown above is the session's error; this one is the same
      await Promise.allSettled(inFlight);
      await Promise.all([consumer.close(), admin.close(), sender.close()].map((p) => p.catch(() => {})));
    }
  }

  /** The start of partitions never mirrored: auto.offset.reset's earliest or latest offsets, one request per topic. */
  private async resetOffsets(admin: KafkaAdmin, partitions: TopicPartition[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    for (const topic of new Set(partitions.map((p) => p.topic))) {
      const all =
        this.o.spec.startFrom === 'latest' ? await admin.latestOffsets(topic) : await admin.earliestOffsets(topic);
      for (const p of all) out.set(partitionKey(topic, p.partition), p.offset);
    }
    for (const p of partitions) {
      if (!out.has(partitionKey(p.topic, p.partition))) {
        throw new Error(`${p.topic}-${p.partition}: no ${this.o.spec.startFrom} offset`);
      }
    }
    return out;
  }

  /** Positions for this session: saved ones, else (never mirrored) auto.offset.reset's earliest or latest. */
  private async resolvePositions(admin: KafkaAdmin): Promise<void> {
    const saved = await this.o.positions.load(this.o.partitions);
    const fresh = this.o.partitions.filter((p) => !saved.has(partitionKey(p.topic, p.partition)));
    const reset = fresh.length > 0 ? await this.resetOffsets(admin, fresh) : new Map<string, bigint>();
    this.fetchAt = new Map();
    for (const p of this.o.partitions) {
      const key = partitionKey(p.topic, p.partition);
      this.fetchAt.set(key, saved.get(key) ?? reset.get(key)!);
    }
  }

  /** Turns one fetch into send items, in partition order; notes lag; handles partition errors. */
  private async itemsOf(fetched: FetchedPartition[], consumer: KafkaConsumer, admin: KafkaAdmin): Promise<SendItem[]> {
    const items: SendItem[] = [];
    for (const f of fetched) {
      const key = partitionKey(f.topic, f.partition);
      let position = this.fetchAt.get(key)!;
      if (f.error === 'OFFSET_OUT_OF_RANGE') {
        const at = (await this.resetOffsets(admin, [f])).get(key)!;
        this.o.log.warn('position out of range; reset', { partition: key, from: String(position), to: String(at) });
        this.fetchAt.set(key, at);
        consumer.seek({ topic: f.topic, partition: f.partition, offset: at });
        continue;
      }
      if (f.error) throw new Error(`cannot fetch ${f.topic}-${f.partition}: ${f.error}`);
      const targetTopic = this.o.targetTopic(f.topic);
      for (const batch of committedBatches(f)) {
        const item: SendItem = {
          key,
          partition: f.partition,
          targetTopic,
          records: 0,
          bytesOut: 0,
          end: batch.header.nextOffset,
        };
        if (this.bytePath) {
          const out = forwardable(batch, position);
          if (out) Object.assign(item, { bytes: out.bytes, records: out.records, bytesOut: out.bytes.length });
        } else {
          const c = await convertBatch(this.conversion, f.topic, f.partition, batch, position);
          Object.assign(item, {
            bytes: c.bytes,
            records: c.records,
            bytesOut: c.bytesOut,
            dead: deadLetterBatch(c.dead),
          });
          this.stats.errors += c.errors;
          if (c.failure) {
            item.end = c.failure.offset;
            item.failure = `cannot convert record ${f.topic}-${f.partition}@${c.failure.offset}: ${c.failure.reason} (errors.tolerance=none)`;
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

  /** Sends one request; after it and every earlier one are acknowledged, saves its positions and counts it. */
  private sendInOrder(sender: BatchSender, node: number, items: SendItem[], previous: Promise<void>): Promise<void> {
    const batches: OutgoingBatch[] = [];
    for (const i of items) if (i.bytes) batches.push({ topic: i.targetTopic, partition: i.partition, bytes: i.bytes });
    const dead = items.find((i) => i.dead)?.dead;
    if (dead) batches.push({ topic: this.o.spec.errors.deadLetterTopic!, partition: 0, bytes: dead });
    const sent = batches.length > 0 ? sender.send(node, batches) : Promise.resolve();
    sent.catch(() => {}); // observed below, after the earlier requests
    return previous.then(async () => {
      await sent;
      const ends = new Map<string, bigint>();
      for (const i of items) if (i.end >= 0n) ends.set(i.key, i.end);
      if (!(await this.o.positions.save(ends))) throw new Error(`connector ${this.o.connector} no longer exists`);
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
