// Picks the Kafka adapter: DSC_KAFKA_ADAPTER=wire (default: RecordBatch bytes over @platformatic/kafka's
// connection layer) or kafkajs (the client the project was specified with).
import type { KafkaEndpoint } from '../../config/spec.js';
import type { KafkaAdapterName, KafkaClient } from './kafka-port.js';
import { kafkajsClient } from '../kafkajs/kafkajs-client.js';
import { wireClient } from '../wire/wire-client.js';

export const ADAPTER_ENV = 'DSC_KAFKA_ADAPTER';

export function kafkaAdapterFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaAdapterName {
  const value = (env[ADAPTER_ENV] ?? '').trim().toLowerCase();
  if (value === '' || value === 'wire') return 'wire';
  if (value === 'kafkajs') return 'kafkajs';
  throw new Error(`${ADAPTER_ENV}=${value} is not one of wire, kafkajs`);
}

export function createKafkaClient(
  endpoint: KafkaEndpoint,
  clientId: string,
  adapter: KafkaAdapterName = kafkaAdapterFromEnv(),
): KafkaClient {
  return adapter === 'kafkajs' ? kafkajsClient(endpoint, clientId) : wireClient(endpoint, clientId);
}
