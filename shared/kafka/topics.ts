// Topic creation for connectors: `num.partitions` and `replication.factor` (-1 = the broker's default).
import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  numPartitions: number;
  /** -1 lets the broker pick (default.replication.factor). */
  replicationFactor: number;
}

/** Creates the topic when it does not exist; true when this call created it. An existing topic is left as it is. */
export async function ensureTopic(kafka: Kafka, spec: TopicSpec): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (existing.includes(spec.topic)) return false;
    try {
      return await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: spec.topic, numPartitions: spec.numPartitions, replicationFactor: spec.replicationFactor }],
      });
    } catch (err) {
      // Another planner (or the broker's auto-creation) made it meanwhile.
      if ((err as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return false;
      throw new Error(`cannot create topic ${spec.topic}: ${(err as Error).message}`, { cause: err });
    }
  } finally {
    await admin.disconnect();
  }
}
