// `dsc delete` removes a connector's source offsets from the offsets topic (tombstones), so that a connector
// re-created under the same name loads afresh. This closes the seed's known issue ("deleting the connector does not
// delete the connect offsets"). Best effort: the delete itself has already happened in the store, and a late or
// failed tombstone is harmless, because every offset carries its connector's creation time and a task ignores an
// offset written for an earlier connector of the same name.
//
// It fences first: InitProducerId with each transactional id the connector's tasks use aborts any transaction a
// task still has open (a zombie of the deleted connector) and returns once its markers are written, so the read
// that follows sees every transaction of the connector ended, and no later commit of a zombie revives an offset.
import type { KafkaEndpoint } from '../config/spec.js';
import { createKafkaClient } from '../kafka/port/kafka-client.js';
import {
  offsetsReadIsolation,
  OffsetsTopic,
  offsetsTopicName,
  transactionalIdFor,
} from '../kafka/delivery/offsets-topic.js';
import type { KafkaClient } from '../kafka/port/kafka-port.js';
import type { Logger } from '../runtime/log.js';
import { errorText } from '../runtime/error-text.js';
import { unsealSpec, type SecretVault } from './secret-vault.js';
import type { ConnectorRecord } from './store.js';

export interface OffsetsCleanup {
  /** Tombstones every offset of the (already deleted) connector; returns how many keys it removed. */
  deleteOffsets(record: ConnectorRecord): Promise<number>;
}

/** The target cluster a connector's offsets live on: its own target, else the deployment's. */
export function offsetsEndpoint(record: ConnectorRecord, deploymentTarget: KafkaEndpoint): KafkaEndpoint {
  const spec = record.spec;
  return spec.kind === 'mirror' ? spec.target : (spec.target ?? deploymentTarget);
}

export function kafkaOffsetsCleanup(
  deploymentTarget: KafkaEndpoint,
  log: Logger,
  vault?: SecretVault,
  env: NodeJS.ProcessEnv = process.env,
): OffsetsCleanup {
  return {
    async deleteOffsets(record) {
      const spec = vault ? await unsealSpec(record.spec, vault) : record.spec;
      const client = createKafkaClient(offsetsEndpoint({ ...record, spec }, deploymentTarget), 'dsc-manage');
      const admin = client.admin();
      const consumer = client.consumer({ isolationLevel: offsetsReadIsolation(client), maxWaitMs: 200 });
      const producer = client.producer();
      try {
        await admin.connect();
        const offsets = new OffsetsTopic(offsetsTopicName(env), admin);
        if (!(await offsets.exists())) return 0;
        await fenceTasks(client, record.name, spec.tasksMax, env);
        await consumer.connect();
        const keys = [...(await offsets.read(consumer, record.name, 30_000)).keys()];
        if (keys.length === 0) return 0;
        await producer.connect();
        await producer.send([offsets.tombstones(record.name, keys)]);
        const left = (await offsets.read(consumer, record.name, 30_000)).size;
        if (left > 0) throw new Error(`${left} offsets still read back after the tombstones`);
        log.info('connector offsets deleted', { connector: record.name, keys: keys.length });
        return keys.length;
      } catch (err) {
        log.warn('could not delete the connector offsets (a re-created connector still starts afresh)', {
          connector: record.name,
          error: errorText(err),
        });
        return 0;
      } finally {
        await Promise.allSettled([producer.close(), consumer.close(), admin.close()]);
      }
    },
  };
}

/**
 * Fences every transactional id the connector's tasks use (`transactionalIdFor`, tasks 0 … tasks.max-1): connecting
 * a transactional producer sends InitProducerId, which bumps the id's epoch and aborts its open transaction.
 */
export async function fenceTasks(
  client: KafkaClient,
  connector: string,
  tasksMax: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const ids = Array.from({ length: Math.max(1, tasksMax) }, (_, task) => transactionalIdFor(connector, task, env));
  await Promise.all(
    ids.map(async (transactionalId) => {
      const fence = client.producer({ transactionalId });
      try {
        await fence.connect();
      } finally {
        await fence.close();
      }
    }),
  );
}
