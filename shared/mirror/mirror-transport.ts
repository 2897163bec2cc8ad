// The Kafka side of one mirror task session, through the Kafka port (the adapter DSC_KAFKA_ADAPTER picks; the wire
// adapter by default): the source consumer and admin, and the target producer. The byte path stays undecoded end to
// end: the consumer hands back the fetched batches as bytes, and the producer sends them as `forwarded` batches,
// restamping only their producer id, epoch, sequence and CRC.
import { createKafkaClient } from '../kafka/port/kafka-client.js';
import type { KafkaAdmin, KafkaConsumer, KafkaProducer } from '../kafka/port/kafka-port.js';
import { DEFAULT_FETCH } from '../config/mirror-connector-config.js';
import type { MirrorConnectorSpec } from '../config/spec.js';

/** A session's source consumer and admin, and its target producer (transactional when exactly once). */
export interface MirrorTransport {
  consumer: KafkaConsumer;
  admin: KafkaAdmin;
  producer: KafkaProducer;
}

/** Produce calls in flight per task: what a crash may repeat. */
export const MAX_IN_FLIGHT = 8;

/** Both clusters through the port; with a transactional id, the producer writes exactly once. */
export function mirrorTransport(
  spec: MirrorConnectorSpec,
  clientId: string,
  transactionalId?: string,
): MirrorTransport {
  const source = createKafkaClient(spec.source, clientId);
  const target = createKafkaClient(spec.target, clientId);
  return {
    consumer: source.consumer({ isolationLevel: 'read_committed', ...DEFAULT_FETCH, ...spec.fetch }),
    admin: source.admin(),
    // A connection's requests in flight: the task's own, plus room for the transaction's AddPartitionsToTxn/EndTxn.
    producer: target.producer({
      maxInFlight: MAX_IN_FLIGHT + 2,
      ...(transactionalId !== undefined && { transactionalId }),
    }),
  };
}
