// Topic creation for connectors: `num.partitions` and `replication.factor` (-1 = the broker's default).
import type { KafkaClient, NewTopic } from './kafka-port.js';

export type TopicSpec = NewTopic;

/** Creates the topic when it does not exist; true when this call created it. An existing topic is left as it is. */
export async function ensureTopic(kafka: KafkaClient, spec: TopicSpec): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.describeTopics([spec.topic])).length > 0) return false;
    try {
      // createTopics leaves out a topic that exists meanwhile (another planner, the broker's auto-creation).
      return (await admin.createTopics([spec])).includes(spec.topic);
    } catch (err) {
      throw new Error(`cannot create topic ${spec.topic}: ${(err as Error).message}`, { cause: err });
    }
  } finally {
    await admin.close();
  }
}
