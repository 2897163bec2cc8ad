// Builds kafkajs clients from a KafkaEndpoint (brokers + Kafka-style security settings).
// The mirror work extends the security mapping (SASL/SSL); the shape of these functions is the contract.
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { KafkaEndpoint, KafkaSecurity } from '../config/spec.js';

export const PLAINTEXT: KafkaSecurity = { protocol: 'PLAINTEXT' };

/** kafkajs `ssl`/`sasl` options for a Kafka security block. */
export function kafkaJsSecurity(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (security.protocol === 'PLAINTEXT') return {};
  throw new Error(`security.protocol=${security.protocol} is not wired yet`);
}

export function createKafka(endpoint: KafkaEndpoint, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: endpoint.brokers,
    ...kafkaJsSecurity(endpoint.security),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

/** The deployment's target Kafka from the environment (KAFKA_BROKERS). */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaEndpoint {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
  return { brokers, security: PLAINTEXT };
}
