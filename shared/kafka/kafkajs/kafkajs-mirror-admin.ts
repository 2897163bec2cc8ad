// The admin calls the mirror connector makes, in neutral types (kafkajs stays inside shared/kafka/): topics and
// partition counts, topic creation and growth, and the committed offsets of the consumer group the mirror used
// before it kept its positions in the store (read once, when a connector that ran before the upgrade resumes).
import type { Admin } from 'kafkajs';
import type { KafkaEndpoint } from '../../config/spec.js';
import { createKafka } from './kafkajs-create.js';

export interface MirrorTopic {
  topic: string;
  numPartitions: number;
  replicationFactor: number;
}

export class MirrorAdmin {
  private readonly admin: Admin;
  private connected?: Promise<void>;

  constructor(endpoint: KafkaEndpoint, clientId: string) {
    this.admin = createKafka(endpoint, clientId).admin();
  }

  private ready(): Promise<void> {
    this.connected ??= this.admin.connect().catch((err: unknown) => {
      this.connected = undefined;
      throw err;
    });
    return this.connected;
  }

  async listTopics(): Promise<string[]> {
    await this.ready();
    return this.admin.listTopics();
  }

  /** topic → partition count, for the topics that exist. */
  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    await this.ready();
    const meta = await this.admin.fetchTopicMetadata({ topics });
    for (const t of meta.topics) out.set(t.name, t.partitions.length);
    return out;
  }

  /** Creates the topics (an existing one is fine: another planner or the broker made it). */
  async createTopics(topics: MirrorTopic[]): Promise<void> {
    if (topics.length === 0) return;
    await this.ready();
    try {
      await this.admin.createTopics({ waitForLeaders: true, topics: topics.map((t) => ({ ...t })) });
    } catch (err) {
      if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') {
        throw new Error(
          `cannot create target topics ${topics.map((t) => t.topic).join(', ')}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    }
  }

  async createPartitions(topics: { topic: string; count: number }[]): Promise<void> {
    if (topics.length === 0) return;
    await this.ready();
    await this.admin.createPartitions({ topicPartitions: topics });
  }

  /** A consumer group's committed offsets of `topics`, as `topic:partition` → offset (only committed ones). */
  async groupOffsets(groupId: string, topics: string[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    if (topics.length === 0) return out;
    await this.ready();
    const committed = await this.admin.fetchOffsets({ groupId, topics });
    for (const t of committed) {
      for (const p of t.partitions)
        if (p.offset !== '-1' && p.offset !== '') out.set(`${t.topic}:${p.partition}`, BigInt(p.offset));
    }
    return out;
  }

  /** Deletes a consumer group; one that does not exist is fine. */
  async deleteGroup(groupId: string): Promise<void> {
    await this.ready();
    try {
      await this.admin.deleteGroups([groupId]);
    } catch (err) {
      const types = ((err as { groups?: { error?: { type?: string } }[] }).groups ?? []).map((g) => g.error?.type);
      if (types.length === 0 || types.some((t) => t !== 'GROUP_ID_NOT_FOUND')) throw err;
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => {});
    this.connected = undefined;
  }
}
