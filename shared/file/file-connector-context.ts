// What the file planner and file task need from the runtime: the store, the dispatcher, where the target Kafka is
// and how to reach objects. The composition root (app/wiring.ts) builds one for the functions and the embedded runtime.
import type { FileConnectorSpec, KafkaEndpoint } from '../config/spec.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { createKafkaClient } from '../kafka/port/kafka-client.js';
import type { KafkaClient } from '../kafka/port/kafka-port.js';
import type { SecretVault } from '../lifecycle/secret-vault.js';
import { unsealSpec } from '../lifecycle/secret-vault.js';
import type { ConnectorStore } from '../lifecycle/store.js';
import type { Logger } from '../runtime/log.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { storageFor } from '../storage/storage-router.js';

export interface FileConnectorContext {
  store: ConnectorStore;
  dispatcher: Dispatcher;
  log: Logger;
  /** The deployment's target Kafka; a spec's `target.cluster.bootstrap.servers` overrides it. */
  target: KafkaEndpoint;
  /** Present when stored specs hold secret references (the deployment); workers unseal right before use. */
  vault?: SecretVault;
  /** Defaults to GCS, S3 and Azure (with the spec's credentials) plus local files. */
  storage?: (spec: FileConnectorSpec) => ObjectStorage;
  /** The smallest byte range a plain file is cut into when there are fewer files than tasks (64 MiB). */
  splitBytes?: number;
  /** Builds the Kafka client for an endpoint; default: the DSC_KAFKA_ADAPTER adapter (unit tests pass a fake). */
  kafka?: (endpoint: KafkaEndpoint, clientId: string) => KafkaClient;
}

export const DEFAULT_SPLIT_BYTES = 64 * 1024 * 1024;

export async function openSpec(spec: FileConnectorSpec, ctx: FileConnectorContext): Promise<FileConnectorSpec> {
  return ctx.vault ? unsealSpec(spec, ctx.vault) : spec;
}

export function storageOf(spec: FileConnectorSpec, ctx: FileConnectorContext): ObjectStorage {
  return ctx.storage
    ? ctx.storage(spec)
    : storageFor({
        gcs: spec.gcs,
        ...(spec.s3 && { s3: spec.s3 }),
        ...(spec.azure && { azure: spec.azure }),
        log: ctx.log,
      });
}

export function kafkaOf(spec: FileConnectorSpec, ctx: FileConnectorContext, clientId: string): KafkaClient {
  return (ctx.kafka ?? createKafkaClient)(spec.target ?? ctx.target, clientId);
}
