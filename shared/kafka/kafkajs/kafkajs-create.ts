// A kafkajs client for a KafkaEndpoint (brokers + Kafka-style security settings, mapped in kafkajs-security.ts).
import type { Kafka } from 'kafkajs';
import type { KafkaEndpoint } from '../../config/spec.js';
import { loadKafkajs } from './kafkajs-module.js';
import { kafkaJsSecurity } from './kafkajs-security.js';

export function createKafka(endpoint: KafkaEndpoint, clientId: string): Kafka {
  const { Kafka, logLevel } = loadKafkajs();
  return new Kafka({
    clientId,
    brokers: endpoint.brokers,
    ...kafkaJsSecurity(endpoint.security),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}
