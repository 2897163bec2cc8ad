// The source offsets of exactly-once delivery (KIP-618): a compacted topic on the target cluster, written in the
// same Kafka transaction as the records the offset covers, read back with read_committed when a task starts.
//
// Records are Connect's: key = JSON `["<connector>",{<source partition>}]`, value = JSON source offset, null value =
// tombstone. Every key of a connector lives in one partition (chosen from the connector's name), so a task reads
// one partition at start and `dsc delete` finds all of a connector's keys there to tombstone them.
import { RecordBatchBuilder } from '../batch/record-batch.js';
import { decodeRecordBatches, type DecodedRecord } from '../batch/record-batch-reader.js';
import type { IsolationLevel, KafkaAdmin, KafkaClient, KafkaConsumer, ProduceRequest } from '../port/kafka-port.js';

/** The source partition of an offset: `{task}` for a file task, `{cluster, topic, partition}` for a mirror. */
export type SourcePartition = Record<string, string | number>;
export type SourceOffset = Record<string, unknown>;

export const DEFAULT_OFFSETS_PARTITIONS = 5;

/** `DSC_DEPLOYMENT` (default `dsc`) names the offsets topic and prefixes transactional ids: one per deployment. */
export function deploymentName(env: NodeJS.ProcessEnv = process.env): string {
  return env.DSC_DEPLOYMENT?.trim() || 'dsc';
}

export function offsetsTopicName(env: NodeJS.ProcessEnv = process.env): string {
  return `${deploymentName(env)}-offsets`;
}

/** The transactional.id of one task: a re-run or a duplicate of the same task fences the earlier one. */
export function transactionalIdFor(connector: string, taskId: number | string, env = process.env): string {
  return `${deploymentName(env)}-${connector}-${taskId}`;
}

/** Stable JSON (sorted keys), so that the same source partition always gives the same key bytes. */
function stableJson(value: SourcePartition): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export function offsetKey(connector: string, partition: SourcePartition): string {
  return `[${JSON.stringify(connector)},${stableJson(partition)}]`;
}

/** The connector a key belongs to, or undefined for a key that is not ours. */
export function connectorOfKey(key: string): string | undefined {
  try {
    const parsed = JSON.parse(key) as unknown;
    return Array.isArray(parsed) && typeof parsed[0] === 'string' ? parsed[0] : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The isolation of the consumer `OffsetsTopic.read` takes: uncommitted for the wire adapter, which returns batches
 * as the broker stores them (markers and producer ids included, so `read` resolves transactions itself); committed
 * for kafkajs, whose adapter drops aborted records and markers and hands the rest out as plain batches.
 */
export function offsetsReadIsolation(client: KafkaClient): IsolationLevel {
  return client.adapter === 'wire' ? 'read_uncommitted' : 'read_committed';
}

/** FNV-1a of the connector's name: all its keys in one partition. */
export function partitionForConnector(connector: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(connector, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h % partitions;
}

export class OffsetsTopic {
  private partitions: number | undefined;

  constructor(
    readonly topic: string,
    private readonly admin: KafkaAdmin,
  ) {}

  /** Creates the topic if missing (compacted), and learns its partition count. */
  async ensure(): Promise<void> {
    // Usually it exists: one request then (every task start pays for this).
    if (await this.exists()) return;
    await this.admin.createTopics([
      {
        topic: this.topic,
        numPartitions: DEFAULT_OFFSETS_PARTITIONS,
        replicationFactor: -1,
        // Small, hourly segments: the log cleaner compacts only closed segments, and a task reads its connector's
        // partition from the start each time it starts (every few minutes in a Cloud Function).
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(16 << 20), 'segment.ms': '3600000' },
      },
    ]);
    if (!(await this.exists())) throw new Error(`offsets topic ${this.topic} could not be created`);
  }

  partitionOf(connector: string): number {
    if (this.partitions === undefined) throw new Error('OffsetsTopic.ensure() was not called');
    return partitionForConnector(connector, this.partitions);
  }

  /** The produce request writing `offset` (null: a tombstone) for each source partition of `connector`. */
  records(connector: string, entries: [SourcePartition, SourceOffset | null][]): ProduceRequest {
    return this.keyed(
      connector,
      entries.map(([partition, offset]) => [offsetKey(connector, partition), offset]),
    );
  }

  /** Tombstones for keys read back by `read` (all of a connector's offsets, on `dsc delete`). */
  tombstones(connector: string, keys: string[]): ProduceRequest {
    return this.keyed(
      connector,
      keys.map((k) => [k, null]),
    );
  }

  private keyed(connector: string, entries: [string, SourceOffset | null][]): ProduceRequest {
    const builder = new RecordBatchBuilder(1024);
    for (const [key, offset] of entries) {
      const value = offset === null ? null : Buffer.from(JSON.stringify(offset), 'utf8');
      builder.append(value, 0, value?.length ?? 0, undefined, undefined, 0, Buffer.from(key, 'utf8'));
    }
    const batch = builder.finish();
    if (!batch) throw new Error('no offsets to write');
    return { topic: this.topic, partition: this.partitionOf(connector), batch };
  }

  /** Whether the topic exists (without creating it); learns its partition count when it does. */
  async exists(): Promise<boolean> {
    const [description] = await this.admin.describeTopics([this.topic]);
    if (description) this.partitions = description.partitions.length;
    return description !== undefined;
  }

  /**
   * Every committed offset of `connector` (source-partition key → offset), with a consumer of
   * `offsetsReadIsolation`. Reading uncommitted records (wire), the transactions are resolved here by their markers,
   * so an unrelated transaction still open in the partition (another connector's task that crashed mid-commit, until
   * the broker's timeout aborts it) does not hold the read back as read_committed would.
   *
   * The read runs to the partition's high watermark as it was when the read began, and then on until every
   * transaction that wrote this connector's keys below it has its marker: Kafka answers EndTxn before the
   * coordinator writes the markers, so right after a commit the marker may still lie beyond that watermark, and
   * stopping there would drop the newest offset. Those waits are short (markers in flight), except for a transaction
   * of this connector left open by a crashed task that was not fenced: the read then fails at `timeoutMs` rather than
   * return an offset that may be stale. Callers fence first (a task its own transactional id, `dsc delete` all of the
   * connector's), and InitProducerId returns only once the fenced id's open transaction is aborted.
   *
   * `wanted` narrows the read to some of the connector's keys (a task's own): only transactions that wrote those keys
   * are waited for, so a sibling task's transaction left open by the same crash (fenced only when that sibling starts)
   * cannot stall this task's start.
   */
  async read(
    consumer: KafkaConsumer,
    connector: string,
    timeoutMs = 60_000,
    wanted: (key: string) => boolean = () => true,
  ): Promise<Map<string, SourceOffset>> {
    const partition = this.partitionOf(connector);
    const [latest, earliest] = await Promise.all([
      this.admin.latestOffsets(this.topic),
      this.admin.earliestOffsets(this.topic),
    ]);
    const end = latest.find((p) => p.partition === partition)?.offset ?? 0n;
    const start = earliest.find((p) => p.partition === partition)?.offset ?? 0n;
    const out = new Map<string, SourceOffset>();
    if (end <= start) return out;
    consumer.assign([{ topic: this.topic, partition, offset: start }]);
    /** Records of transactions not ended yet, per producer id, applied when the commit marker comes. */
    const open = new Map<bigint, DecodedRecord[]>();
    const apply = (r: DecodedRecord): void => {
      const key = r.key!.toString('utf8');
      if (r.value === null) out.delete(key);
      else out.set(key, JSON.parse(r.value.toString('utf8')) as SourceOffset);
    };
    const deadline = Date.now() + timeoutMs;
    let position = start;
    while (position < end || open.size > 0) {
      if (Date.now() > deadline) {
        const waiting = open.size > 0 ? `, waiting for the markers of producer ids ${[...open.keys()].join(', ')}` : '';
        throw new Error(`reading ${this.topic}[${partition}] stalled at ${position} (end ${end}${waiting})`);
      }
      for (const fetched of await consumer.fetch()) {
        if (fetched.error) throw new Error(`reading ${this.topic}[${partition}]: ${fetched.error}`);
        for (const batch of decodeRecordBatches(fetched.records)) {
          // Beyond `end` only the transactions already seen matter: their later records and their markers (a
          // producer id's records up to its marker are one transaction). New transactions there are newer than the read.
          if (batch.baseOffset >= end && !open.has(batch.producerId)) continue;
          if (batch.control) {
            // Control record key: version int16, type int16 (0 abort, 1 commit).
            const commit = batch.records[0]?.key?.readInt16BE(2) === 1;
            if (commit) for (const r of open.get(batch.producerId) ?? []) apply(r);
            open.delete(batch.producerId);
            continue;
          }
          const ours = batch.records.filter((r) => {
            const key = r.key?.toString('utf8');
            return key !== undefined && connectorOfKey(key) === connector && wanted(key);
          });
          if (!batch.transactional) ours.forEach(apply);
          else if (ours.length > 0) open.set(batch.producerId, [...(open.get(batch.producerId) ?? []), ...ours]);
        }
        position = fetched.nextOffset > position ? fetched.nextOffset : position;
      }
    }
    return out;
  }
}
