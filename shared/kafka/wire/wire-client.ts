// The wire adapter: the port over @platformatic/kafka's connection layer. Each producer, consumer and admin has its
// own connection pool (a producer's in-flight requests never queue behind a consumer's long poll).
import type { KafkaEndpoint } from '../../config/spec.js';
import type { ConsumerOptions, KafkaClient, ProducerOptions } from '../port/kafka-port.js';
import { WireAdmin } from './wire-admin.js';
import { WireCluster } from './wire-cluster.js';
import { WireConsumer } from './wire-consumer.js';
import { WireProducer } from './wire-producer.js';

export function wireClient(endpoint: KafkaEndpoint, clientId: string): KafkaClient {
  return {
    adapter: 'wire',
    producer: (options: ProducerOptions = {}) =>
      new WireProducer(
        new WireCluster(endpoint, clientId, {
          maxInflights: options.maxInFlight ?? 5,
          requestTimeoutMs: (options.timeoutMs ?? 30_000) + 5_000,
        }),
        options,
      ),
    consumer: (options: ConsumerOptions = {}) =>
      new WireConsumer(
        new WireCluster(endpoint, clientId, { requestTimeoutMs: (options.maxWaitMs ?? 500) + 30_000 }),
        options,
      ),
    admin: () => new WireAdmin(new WireCluster(endpoint, clientId)),
  };
}
