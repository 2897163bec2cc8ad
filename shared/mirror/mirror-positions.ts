// Where each source partition's mirroring stands: the offset after the last record the target acknowledged, kept in
// the connector store (one offset document per partition, written after each acknowledged produce request).
// Before this store, positions were a consumer group's committed offsets on the source (`dsc-mirror.<connector>`):
// a partition without a stored position resumes from that group's offset, so an upgraded connector continues where
// it stopped instead of at auto.offset.reset.
import type { ConnectorStore } from '../lifecycle/store.js';
import type { MirrorAdmin } from '../kafka/mirror-admin.js';

/** The consumer group that held a connector's source offsets before positions moved into the store. */
export const legacyGroupId = (connector: string): string => `dsc-mirror.${connector}`;

export const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`;
const storeKey = (key: string) => `position:${key}`;

export class MirrorPositions {
  /** False for a connector created after the upgrade: no group of its own to read. */
  readLegacyGroup = true;

  constructor(
    private readonly store: ConnectorStore,
    private readonly connector: string,
    private readonly sourceAdmin: MirrorAdmin,
  ) {}

  /** Stored positions of `partitions` (keys `topic:partition`), else the legacy group's; absent: never mirrored. */
  async load(partitions: { topic: string; partition: number }[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    const stored = new Map(
      (await this.store.listOffsets(this.connector)).map((o) => [o.key, o.value.offset as string | undefined]),
    );
    const missing: string[] = [];
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      const at = stored.get(storeKey(key));
      if (typeof at === 'string') out.set(key, BigInt(at));
      else missing.push(p.topic);
    }
    if (missing.length > 0 && this.readLegacyGroup) {
      const legacy = await this.sourceAdmin.groupOffsets(legacyGroupId(this.connector), [...new Set(missing)]);
      for (const p of partitions) {
        const key = partitionKey(p.topic, p.partition);
        const at = legacy.get(key);
        if (!out.has(key) && at !== undefined) out.set(key, at);
      }
    }
    return out;
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
