// Where a mirror session starts fetching each partition: its saved position, else (never mirrored)
// auto.offset.reset's earliest or latest offset. A position the source no longer holds is reset the same way.
import type { MirrorConnectorSpec } from '../config/spec.js';
import type { KafkaAdmin, TopicPartition } from '../kafka/port/kafka-port.js';
import { partitionKey, type MirrorPositions } from './mirror-positions.js';

type StartFrom = MirrorConnectorSpec['startFrom'];

/** Positions for a session, per `topic:partition`: saved ones, else auto.offset.reset's. */
export async function startPositions(
  positions: MirrorPositions,
  admin: KafkaAdmin,
  partitions: TopicPartition[],
  startFrom: StartFrom,
): Promise<Map<string, bigint>> {
  const saved = await positions.load(partitions);
  const fresh = partitions.filter((p) => !saved.has(partitionKey(p.topic, p.partition)));
  const reset = fresh.length > 0 ? await resetOffsets(admin, fresh, startFrom) : new Map<string, bigint>();
  const out = new Map<string, bigint>();
  for (const p of partitions) {
    const key = partitionKey(p.topic, p.partition);
    out.set(key, saved.get(key) ?? reset.get(key)!);
  }
  return out;
}

/** The start of partitions never mirrored: auto.offset.reset's earliest or latest offsets, one request per topic. */
export async function resetOffsets(
  admin: KafkaAdmin,
  partitions: TopicPartition[],
  startFrom: StartFrom,
): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (const topic of new Set(partitions.map((p) => p.topic))) {
    const all = startFrom === 'latest' ? await admin.latestOffsets(topic) : await admin.earliestOffsets(topic);
    for (const p of all) out.set(partitionKey(topic, p.partition), p.offset);
  }
  for (const p of partitions) {
    if (!out.has(partitionKey(p.topic, p.partition))) {
      throw new Error(`${p.topic}-${p.partition}: no ${startFrom} offset`);
    }
  }
  return out;
}
