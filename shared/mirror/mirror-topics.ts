// The mirror connector's topics on both clusters, through the Kafka port's admins: the source topics to mirror with
// their partition counts, and on the target the remote topics they need (created with the source's partition count,
// grown when a source topic grew) and the dead-letter topic.
import { KafkaError, type KafkaAdmin, type KafkaClient, type NewTopic } from '../kafka/port/kafka-port.js';

/** A remote topic on the target and the partition count its source topic has. */
export interface WantedTopic {
  topic: string;
  partitions: number;
}

/** topic → partition count, for the topics that exist. */
async function partitionCounts(admin: KafkaAdmin, topics: string[]): Promise<Map<string, number>> {
  const described = await admin.describeTopics(topics);
  return new Map(described.map((d) => [d.topic, d.partitions.length]));
}

/** How long a connector's start waits out a cluster it cannot reach yet (a broker restarting) before it fails. */
const CONNECT_RETRY_MS = 30_000;

/** Retries what Kafka calls retriable (an unreachable broker) for a while; anything else (a bad keytab) at once. */
async function retried<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + CONNECT_RETRY_MS;
  for (let backoff = 200; ; backoff = Math.min(backoff * 2, 5_000)) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof KafkaError && err.retriable) || Date.now() + backoff > deadline) throw err;
      await new Promise((r) => setTimeout(r, backoff));
    }
  }
}

export class MirrorTopics {
  private admins?: Promise<{ source: KafkaAdmin; target: KafkaAdmin }>;

  /** `source` as the connector's `source.admin.*` settings reach it; `target` as the producers do. */
  constructor(
    readonly source: KafkaClient,
    readonly target: KafkaClient,
  ) {}

  /** Both admins, connected on first use (again after a failed connect). */
  private connected(): Promise<{ source: KafkaAdmin; target: KafkaAdmin }> {
    if (!this.admins) {
      const opening = (async () => {
        const source = this.source.admin();
        const target = this.target.admin();
        try {
          await retried(() => Promise.all([source.connect(), target.connect()]));
        } catch (err) {
          await Promise.all([source.close(), target.close()].map((p) => p.catch(() => {})));
          throw err;
        }
        return { source, target };
      })();
      this.admins = opening;
      opening.catch(() => {
        if (this.admins === opening) this.admins = undefined;
      });
    }
    return this.admins;
  }

  /** The source topics `replicate` accepts, with their partition counts. */
  async sourcePartitions(replicate: (topic: string) => boolean): Promise<Map<string, number>> {
    const { source } = await this.connected();
    const topics = (await source.listTopics()).filter(replicate).sort();
    return partitionCounts(source, topics);
  }

  /** Creates the missing target topics (and the dead-letter topic) and grows the ones with fewer partitions. */
  async ensureTarget(wanted: WantedTopic[], deadLetterTopic: string | undefined, replicationFactor: number) {
    const { target } = await this.connected();
    const existing = new Set(await target.listTopics());
    const create: NewTopic[] = wanted
      .filter((t) => !existing.has(t.topic))
      .map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor }));
    if (deadLetterTopic && !existing.has(deadLetterTopic))
      create.push({ topic: deadLetterTopic, numPartitions: 1, replicationFactor });
    try {
      // Topics that exist meanwhile (another planner, the broker's auto-creation) are left as they are.
      await target.createTopics(create);
    } catch (err) {
      const names = create.map((t) => t.topic).join(', ');
      throw new Error(`cannot create target topics ${names}: ${(err as Error).message}`, { cause: err });
    }
    // A source topic that grew: the target needs at least as many partitions to keep partition numbers.
    const have = await partitionCounts(
      target,
      wanted.filter((w) => existing.has(w.topic)).map((w) => w.topic),
    );
    const grown = wanted
      .filter((w) => (have.get(w.topic) ?? w.partitions) < w.partitions)
      .map((w) => ({ topic: w.topic, count: w.partitions }));
    await target.createPartitions(grown);
  }

  /** Deletes a consumer group on the source, with an admin of its own (also after close()). */
  async deleteSourceGroup(groupId: string): Promise<void> {
    const admin = this.source.admin();
    try {
      await admin.connect();
      await admin.deleteGroup(groupId);
    } finally {
      await admin.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    const admins = this.admins;
    this.admins = undefined;
    const opened = await admins?.catch(() => undefined);
    await Promise.all([opened?.source.close(), opened?.target.close()].map((p) => p?.catch(() => {})));
  }
}
