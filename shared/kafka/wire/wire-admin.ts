// The admin side of the port over the wire: topics, partitions, offsets and configs, each one Kafka request
// (ListOffsets goes to each partition's leader).
import {
  createPartitionsV3,
  createTopicsV7,
  deleteGroupsV2,
  describeConfigsV4,
  findCoordinatorV4,
  listOffsetsV7,
  offsetFetchV8,
  type Connection,
} from './platformatic.js';
import {
  KafkaError,
  type CommittedOffset,
  type KafkaAdmin,
  type NewTopic,
  type PartitionOffset,
  type TopicDescription,
} from '../port/kafka-port.js';
import type { WireCluster } from './wire-cluster.js';
import { errorName, kafkaErrorFor, kafkaErrorOf } from './wire-errors.js';

/** ListOffsets attempts on retriable errors (~8 s in all with the backoff). */
const OFFSETS_ATTEMPTS = 12;

const TOPIC_RESOURCE = 2;
const GROUP_KEY_TYPE = 0;
/** The group coordinator is loading, moved or not there yet: ask again. */
const COORDINATOR_RETRY = new Set([14, 15, 16]);
const GROUP_ID_NOT_FOUND = 69;
const BROKER_RESOURCE = 4;
const TIMEOUT_MS = 30_000;

/** A response the library parsed but threw for its per-item error codes: the caller reads those itself. */
async function tolerant<T>(call: Promise<T>, what: string): Promise<T> {
  try {
    return await call;
  } catch (err) {
    const response = (err as { response?: T }).response;
    if (response) return response;
    throw kafkaErrorOf(err, what);
  }
}

/** Describes configs of one resource (topic or broker id); name → value. */
export async function describeConfigs(
  connection: Connection,
  resourceType: number,
  name: string,
  keys: string[] | null = null,
): Promise<Record<string, string>> {
  const r = await tolerant(
    describeConfigsV4.api.async(connection, [
      { resourceType: resourceType as 2, resourceName: name, configurationKeys: keys },
    ]),
    `describe configs of ${name}`,
  );
  const result = r.results[0];
  if (!result || result.errorCode !== 0) {
    throw kafkaErrorFor(result?.errorCode ?? -1, `describe configs of ${name}`, result?.errorMessage ?? null);
  }
  const out: Record<string, string> = {};
  for (const c of result.configs) if (typeof c.value === 'string') out[c.name] = c.value;
  return out;
}

export async function topicMaxMessageBytes(cluster: WireCluster, topic: string): Promise<number> {
  const configs = await describeConfigs(await cluster.any(), TOPIC_RESOURCE, topic, ['max.message.bytes']);
  const n = Number(configs['max.message.bytes']);
  return Number.isFinite(n) && n > 0 ? n : 1_048_588;
}

export class WireAdmin implements KafkaAdmin {
  constructor(private readonly cluster: WireCluster) {}

  async connect(): Promise<void> {
    await this.cluster.refresh([]);
  }

  async listTopics(): Promise<string[]> {
    return (await this.cluster.refresh(null)).map((t) => t.topic).filter((t) => !t.startsWith('__'));
  }

  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    if (topics.length === 0) return [];
    return (await this.cluster.refresh(topics)).map((t) => t.description);
  }

  async createTopics(topics: NewTopic[]): Promise<string[]> {
    if (topics.length === 0) return [];
    const request = topics.map((t) => ({
      name: t.topic,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: [],
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    }));
    const r = await tolerant(
      createTopicsV7.api.async(await this.cluster.any(), request, TIMEOUT_MS, false),
      'create topics',
    );
    const created: string[] = [];
    for (const t of r.topics) {
      if (t.errorCode === 0) created.push(t.name);
      else if (errorName(t.errorCode) !== 'TOPIC_ALREADY_EXISTS') {
        throw kafkaErrorFor(t.errorCode, `cannot create topic ${t.name}`, t.errorMessage);
      }
    }
    // Wait until the new topics have leaders, so a producer right after finds them.
    for (let i = 0; i < 250 && created.length > 0; i++) {
      const meta = await this.cluster.refresh(created);
      if (meta.length === created.length && meta.every((m) => m.leaders.every((l) => l >= 0))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    return created;
  }

  async createPartitions(topics: { topic: string; count: number }[]): Promise<void> {
    if (topics.length === 0) return;
    const r = await tolerant(
      createPartitionsV3.api.async(
        await this.cluster.any(),
        topics.map((t) => ({ name: t.topic, count: t.count, assignments: null })),
        TIMEOUT_MS,
        false,
      ),
      'create partitions',
    );
    for (const res of r.results) {
      if (res.errorCode !== 0)
        throw kafkaErrorFor(res.errorCode, `cannot add partitions to ${res.name}`, res.errorMessage);
    }
    for (const t of topics) this.cluster.invalidate(t.topic);
  }

  earliestOffsets(topic: string): Promise<PartitionOffset[]> {
    return this.offsets(topic, -2n);
  }

  latestOffsets(topic: string): Promise<PartitionOffset[]> {
    return this.offsets(topic, -1n);
  }

  /**
   * A topic created a moment ago (the offsets topic on first use) may answer NOT_LEADER_OR_FOLLOWER or
   * LEADER_NOT_AVAILABLE until its leader settles: retriable errors are retried on fresh metadata for a few seconds.
   */
  private async offsets(topic: string, timestamp: bigint): Promise<PartitionOffset[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.offsetsOnce(topic, timestamp);
      } catch (err) {
        if (!(err instanceof KafkaError) || !err.retriable || attempt >= OFFSETS_ATTEMPTS) throw err;
        this.cluster.invalidate(topic);
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  private async offsetsOnce(topic: string, timestamp: bigint): Promise<PartitionOffset[]> {
    const meta = await this.cluster.topic(topic, true);
    const byLeader = new Map<number, number[]>();
    meta.leaders.forEach((leader, partition) => {
      if (leader < 0) throw new KafkaError(`${topic}[${partition}] has no leader`, 'LEADER_NOT_AVAILABLE', true);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    });
    const out: PartitionOffset[] = [];
    for (const [leader, partitions] of byLeader) {
      const request = [
        { name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) },
      ];
      const r = await tolerant(
        listOffsetsV7.api.async(await this.cluster.node(leader), -1, 0, request),
        `list offsets of ${topic}`,
      );
      for (const p of r.topics[0]?.partitions ?? []) {
        if (p.errorCode !== 0) throw kafkaErrorFor(p.errorCode, `list offsets of ${topic}[${p.partitionIndex}]`);
        out.push({ partition: p.partitionIndex, offset: p.offset });
      }
    }
    return out.sort((a, b) => a.partition - b.partition);
  }

  async topicConfig(topic: string): Promise<Record<string, string>> {
    return describeConfigs(await this.cluster.any(), TOPIC_RESOURCE, topic);
  }

  async brokerMaxMessageBytes(): Promise<number> {
    if (this.cluster.nodeIds().length === 0) await this.cluster.refresh([]);
    const node = this.cluster.nodeIds()[0];
    const configs = await describeConfigs(await this.cluster.node(node), BROKER_RESOURCE, String(node), [
      'message.max.bytes',
    ]);
    return Number(configs['message.max.bytes']);
  }

  async groupOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]> {
    if (topics.length === 0) return [];
    const wanted = new Set(topics);
    const r = await this.toGroupCoordinator(groupId, `committed offsets of consumer group ${groupId}`, async (c) => {
      // topics null: every partition the group has an offset for.
      const response = await tolerant(
        offsetFetchV8.api.async(c, [{ groupId, memberEpoch: -1, topics: null }], false),
        `committed offsets of consumer group ${groupId}`,
      );
      return { errorCode: response.groups[0]?.errorCode ?? 0, response };
    });
    const out: CommittedOffset[] = [];
    for (const t of r.response.groups[0]?.topics ?? []) {
      if (!wanted.has(t.name)) continue;
      for (const p of t.partitions) {
        if (p.errorCode === 0 && p.committedOffset >= 0n)
          out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
      }
    }
    return out;
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.toGroupCoordinator(groupId, `delete consumer group ${groupId}`, async (c) => {
      const r = await tolerant(deleteGroupsV2.api.async(c, [groupId]), `delete consumer group ${groupId}`);
      const code = r.results[0]?.errorCode ?? 0;
      return { errorCode: code === GROUP_ID_NOT_FOUND ? 0 : code };
    });
  }

  /** Runs a request on the group's coordinator, looking it up again while it loads or moves (~8 s in all). */
  private async toGroupCoordinator<T extends { errorCode: number }>(
    groupId: string,
    what: string,
    request: (c: Connection) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const found = await tolerant(
        findCoordinatorV4.api.async(await this.cluster.any(), GROUP_KEY_TYPE, [groupId]),
        what,
      );
      const coordinator = found.coordinators[0];
      let code = coordinator?.errorCode ?? 15;
      let result: T | undefined;
      if (code === 0) {
        result = await request(await this.cluster.pool.get({ host: coordinator.host, port: coordinator.port }));
        code = result.errorCode;
      }
      if (code === 0 && result) return result;
      if (!COORDINATOR_RETRY.has(code) || attempt >= OFFSETS_ATTEMPTS) throw kafkaErrorFor(code, what);
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
    }
  }

  async close(): Promise<void> {
    await this.cluster.close();
  }
}
