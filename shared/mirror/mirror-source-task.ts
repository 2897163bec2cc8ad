// One mirror task (MirrorMaker 2's MirrorSourceTask): a member of the connector's consumer group on the source
// cluster. Each batch of one partition is converted, produced to the SAME partition number of the target topic with
// key, headers and timestamp kept, and only after the target acknowledged it is the source offset committed
// (at-least-once: a crash re-sends at most the unacknowledged batches; a restart resumes from the committed offsets).
import type { Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import type { MirrorConnectorSpec } from '../config/spec.js';
import { deadLetterMessage } from '../kafka/dead-letter.js';
import type { Logger } from '../runtime/log.js';
import { ConversionError, type Converter } from './converters/index.js';
import { requestChunks } from '../kafka/request-chunks.js';

/** The consumer group holding a connector's source offsets (one group per connector, shared by its tasks). */

export const mirrorGroupId = (connector: string): string => `dsc-mirror.${connector}`;

export interface MirrorTaskOptions {
  connector: string;
  taskId: number;
  spec: MirrorConnectorSpec;
  /** Source topics this task's group subscribes to (the group spreads their partitions over the tasks). */
  topics: string[];
  targetTopic: (sourceTopic: string) => string;
  source: Kafka;
  target: Kafka;
  converter: Converter;
  log: Logger;
  /** Called once when a record cannot be converted under errors.tolerance=none: the task is FAILED. */
  onFailure: (reason: string) => void;
}

export interface MirrorTaskStats {
  records: number;
  bytes: number;
  errors: number;
  /** `topic-partition` names currently assigned to this task by the group. */
  partitions: string[];
}

export class MirrorSourceTask {
  private consumer?: Consumer;
  private producer?: Producer;
  private failed = false;
  readonly stats: MirrorTaskStats = { records: 0, bytes: 0, errors: 0, partitions: [] };

  constructor(private readonly o: MirrorTaskOptions) {}

  get hasFailed(): boolean {
    return this.failed;
  }

  async start(): Promise<void> {
    const { source, target, connector, spec, topics } = this.o;
    this.producer = target.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
    const consumer = source.consumer({
      groupId: mirrorGroupId(connector),
      allowAutoTopicCreation: false,
      // Short enough that a killed worker's partitions move on within seconds, long enough for a slow send.
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assignment = e.payload.memberAssignment as Record<string, number[]>;
      this.stats.partitions = Object.entries(assignment)
        .flatMap(([t, ps]) => ps.map((p) => `${t}-${p}`))
        .sort();
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: spec.startFrom !== 'latest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 8,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Stops consuming: kafkajs waits for the batches in flight (produced and committed) before leaving the group. */
  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
    await this.producer?.disconnect().catch(() => {});
    this.consumer = undefined;
    this.producer = undefined;
  }

  /** Sends in requests the target accepts (request-chunks.ts); one request at a time keeps the partition's order. */
  private async send(topic: string, messages: Message[]): Promise<void> {
    for (const chunk of requestChunks(messages)) await this.producer!.send({ topic, messages: chunk, acks: -1 });
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.failed || !isRunning() || isStale() || batch.messages.length === 0) return;
    const { spec, connector, taskId, converter, log } = this.o;
    const { topic, partition } = batch;
    const targetTopic = this.o.targetTopic(topic);
    const out: Message[] = [];
    const dead: Message[] = [];
    let bytes = 0;
    let failure: { offset: string; reason: string } | undefined;
    for (const m of batch.messages) {
      let values: (Buffer | null)[];
      try {
        values = await converter.convert(m.value);
      } catch (err) {
        // Anything but a ConversionError (registry unreachable, ...) is not the record's fault: kafkajs retries.
        if (!(err instanceof ConversionError)) throw err;
        const reason = err.message;
        if (spec.errors.tolerance === 'none') {
          failure = { offset: m.offset, reason };
          break;
        }
        this.stats.errors++;
        log.warn('record skipped: cannot convert (errors.tolerance=all)', {
          topic,
          partition,
          offset: m.offset,
          reason,
        });
        if (spec.errors.deadLetterTopic) {
          dead.push(
            deadLetterMessage(
              m.value ?? Buffer.alloc(0),
              { topic, partition, offset: m.offset, connector, taskId, stage: 'VALUE_CONVERTER', reason },
              { contextHeaders: spec.errors.deadLetterContextHeaders, key: m.key },
            ),
          );
        }
        continue;
      }
      for (const value of values) {
        bytes += value?.length ?? 0;
        out.push({ key: m.key, value, headers: m.headers, timestamp: m.timestamp, partition });
      }
    }
    try {
      await this.send(targetTopic, out);
      await this.send(spec.errors.deadLetterTopic!, dead);
    } catch (err) {
      // kafkajs re-delivers the batch (nothing was committed): at-least-once, and visible in the log.
      log.warn('produce to the target failed; the batch will be retried', {
        topic,
        partition,
        error: (err as Error).message,
      });
      throw err;
    }
    // Commit up to (not past) a failing record: a resumed task starts at it again instead of skipping it.
    const next = failure ? failure.offset : (BigInt(batch.lastOffset()) + 1n).toString();
    await this.consumer!.commitOffsets([{ topic, partition, offset: next }]);
    if (!failure) resolveOffset(batch.lastOffset());
    this.stats.records += out.length;
    this.stats.bytes += bytes;
    await heartbeat();
    if (failure) {
      this.failed = true;
      const reason = `cannot convert record ${topic}-${partition}@${failure.offset}: ${failure.reason} (errors.tolerance=none)`;
      log.error('task failed', { topic, partition, offset: failure.offset, reason: failure.reason });
      this.o.onFailure(reason);
    }
  }
}
