// Where each source partition's mirroring stands: the offset after the last record the target acknowledged, kept in
// the connector store (one offset document per partition, written after each acknowledged produce request).
// Before this store, positions were a consumer group's committed offsets on the source (`dsc-mirror.<connector>`):
// a partition without a stored position resumes from that group's offset, so an upgraded connector continues where
// it stopped instead of at auto.offset.reset.
import type { ConnectorStore } from '../lifecycle/store.js';
import type { KafkaAdmin, KafkaClient, ProduceRequest } from '../kafka/port/kafka-port.js';
import { offsetKey, offsetsReadIsolation, OffsetsTopic, offsetsTopicName } from '../kafka/delivery/offsets-topic.js';

/** The consumer group that held a connector's source offsets before positions moved into the store. */
export const legacyGroupId = (connector: string): string => `dsc-mirror.${connector}`;

export const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`;
const storeKey = (key: string) => `position:${key}`;

/** Exactly once: positions also live in the offsets topic on the target, written in the records' transaction. */
export interface MirrorOffsetsTopic {
  /** The target cluster (its admin and a read_committed consumer read the offsets topic). */
  target: KafkaClient;
  /** The source cluster's alias: part of each offset's key, as MirrorMaker 2 keys its source partitions. */
  sourceAlias: string;
  /**
   * The connector's creation time, kept in each offset: a connector deleted and created again under the same name
   * (its offsets not tombstoned) starts afresh instead of at the old one's offsets.
   */
  created: string;
}

export class MirrorPositions {
  private offsets: OffsetsTopic | undefined;
  private admin: KafkaAdmin | undefined;
  /** False for a connector created after the upgrade: no group of its own to read. */
  readLegacyGroup = true;

  constructor(
    private readonly store: ConnectorStore,
    private readonly connector: string,
    /** The source cluster (as the connector's admin reaches it): where the legacy group's offsets are. */
    private readonly source: KafkaClient,
    private readonly topic?: MirrorOffsetsTopic,
  ) {}

  /** Whether positions also go to the offsets topic (exactly once). */
  get exactlyOnce(): boolean {
    return this.topic !== undefined;
  }

  private sourcePartition(key: string): Record<string, string | number> {
    const i = key.lastIndexOf(':');
    return { cluster: this.topic!.sourceAlias, topic: key.slice(0, i), partition: Number(key.slice(i + 1)) };
  }

  /** Exactly once: creates the offsets topic if missing; its name and the partition this connector writes. */
  async openOffsetsTopic(): Promise<{ topic: string; partition: number }> {
    if (!this.topic) throw new Error('no offsets topic: exactly once is off');
    if (!this.offsets) {
      const admin = this.topic.target.admin();
      this.admin = admin;
      await admin.connect();
      const offsets = new OffsetsTopic(offsetsTopicName(), admin);
      await offsets.ensure();
      this.offsets = offsets;
    }
    return { topic: this.offsets.topic, partition: this.offsets.partitionOf(this.connector) };
  }

  /** The offsets topic records of `positions` (keys `topic:partition`), to send in the records' transaction. */
  offsetRecords(positions: Map<string, bigint>): ProduceRequest {
    if (!this.offsets) throw new Error('openOffsetsTopic() first');
    return this.offsets.records(
      this.connector,
      [...positions].map(([key, at]) => [
        this.sourcePartition(key),
        { offset: at.toString(), created: this.topic!.created },
      ]),
    );
  }

  /** Committed positions of `keys` (`topic:partition`) in the offsets topic (read_committed). */
  private async fromOffsetsTopic(keys: string[]): Promise<Map<string, bigint>> {
    await this.openOffsetsTopic();
    const consumer = this.topic!.target.consumer({
      isolationLevel: offsetsReadIsolation(this.topic!.target),
      maxWaitMs: 200,
    });
    await consumer.connect();
    try {
      // Only these partitions' keys: another task's transaction left open by the same crash is not waited for.
      const wanted = new Set(keys.map((k) => offsetKey(this.connector, this.sourcePartition(k))));
      const byKey = await this.offsets!.read(consumer, this.connector, undefined, (k) => wanted.has(k));
      const out = new Map<string, bigint>();
      for (const [key, value] of byKey) {
        const parsed = JSON.parse(key) as [string, { cluster?: string; topic?: string; partition?: number }];
        const p = parsed[1];
        if (p.cluster !== this.topic!.sourceAlias || p.topic === undefined || p.partition === undefined) continue;
        if (value.created !== this.topic!.created || typeof value.offset !== 'string') continue;
        out.set(partitionKey(p.topic, p.partition), BigInt(value.offset));
      }
      return out;
    } finally {
      await consumer.close();
    }
  }

  async close(): Promise<void> {
    // The admin of the offsets topic: opened once per connector, closed with it.
    await this.admin?.close().catch(() => {});
    this.admin = undefined;
    this.offsets = undefined;
  }

  /**
   * Positions of `partitions` (keys `topic:partition`): the offsets topic's (exactly once), else the store's, else
   * the legacy group's; absent: never mirrored.
   */
  async load(partitions: { topic: string; partition: number }[]): Promise<Map<string, bigint>> {
    const keys = partitions.map((p) => partitionKey(p.topic, p.partition));
    const committed = this.topic ? await this.fromOffsetsTopic(keys) : new Map<string, bigint>();
    const out = new Map<string, bigint>();
    const stored = new Map(
      (await this.store.listOffsets(this.connector)).map((o) => [o.key, o.value.offset as string | undefined]),
    );
    const missing: string[] = [];
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      const at = stored.get(storeKey(key));
      const inTopic = committed.get(key);
      if (inTopic !== undefined) out.set(key, inTopic);
      else if (typeof at === 'string') out.set(key, BigInt(at));
      else missing.push(p.topic);
    }
    if (missing.length > 0 && this.readLegacyGroup) {
      const legacy = await this.legacyOffsets([...new Set(missing)]);
      for (const p of partitions) {
        const key = partitionKey(p.topic, p.partition);
        const at = legacy.get(key);
        if (!out.has(key) && at !== undefined) out.set(key, at);
      }
    }
    return out;
  }

  /** The legacy group's committed offsets of `topics`, keys `topic:partition` (read rarely: an admin per call). */
  private async legacyOffsets(topics: string[]): Promise<Map<string, bigint>> {
    const admin = this.source.admin();
    await admin.connect();
    try {
      const committed = await admin.groupOffsets(legacyGroupId(this.connector), topics);
      return new Map(committed.map((c) => [partitionKey(c.topic, c.partition), c.offset]));
    } finally {
      await admin.close().catch(() => {});
    }
  }

  /** Saves positions (keys `topic:partition`). False when the connector was deleted meanwhile. */
  async save(positions: Map<string, bigint>): Promise<boolean> {
    const written = await Promise.all(
      [...positions].map(([key, offset]) =>
        this.store.putOffset(this.connector, storeKey(key), { offset: offset.toString() }),
      ),
    );
    return written.every(Boolean);
  }
}
