// The Kafka side of one mirror task session: the source consumer and admin, and the target's batch sender. By default
// the wire adapter on both sides: the byte path needs the fetched batches as bytes and raw Produce requests.
import { IdempotentBatchSender, type BatchSender } from '../kafka/wire/idempotent-batch-sender.js';
import type { KafkaAdmin, KafkaConsumer } from '../kafka/port/kafka-port.js';
import { TransactionCoordinator } from '../kafka/wire/transaction-coordinator.js';
import { wireClient } from '../kafka/wire/wire-client.js';
import { WireCluster } from '../kafka/wire/wire-cluster.js';
import { DEFAULT_FETCH } from '../config/mirror-connector-config.js';
import type { MirrorConnectorSpec } from '../config/spec.js';

/** A session's source consumer and admin, and its target sender. */
export interface MirrorTransport {
  consumer: KafkaConsumer;
  admin: KafkaAdmin;
  sender: BatchSender;
}

/** Produce requests in flight per task: what a crash may repeat. */
export const MAX_IN_FLIGHT = 8;

/** The wire adapter on both sides; with a transactional id, exactly once. */
export function wireTransport(spec: MirrorConnectorSpec, clientId: string, transactionalId?: string): MirrorTransport {
  const client = wireClient(spec.source, clientId);
  const target = new WireCluster(spec.target, clientId, { maxInflights: MAX_IN_FLIGHT + 2 });
  // Exactly once: the sender's batches go into transactions of the task's transactional id.
  const transactions =
    transactionalId === undefined
      ? undefined
      : new TransactionCoordinator(
          { any: () => target.any(), at: (host, port) => target.pool.get({ host, port }) },
          { transactionalId },
        );
  return {
    consumer: client.consumer({ isolationLevel: 'read_committed', ...DEFAULT_FETCH, ...spec.fetch }),
    admin: client.admin(),
    sender: new IdempotentBatchSender(target, undefined, transactions),
  };
}
