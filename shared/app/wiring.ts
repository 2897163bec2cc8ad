// The composition root: the one place that picks the adapters (store, secret vault, dispatcher, target Kafka) from
// the environment and connects them: for the deployed functions, for the CLI's embedded management API, and for
// `dsc run`'s embedded runtime. Every other module receives its collaborators. The file task machinery (readers,
// Kafka clients, object storage) is imported only when a runtime is opened, so `dsc list` never loads it.
import { resolve } from 'node:path';
import type { ConnectorSpec, KafkaEndpoint } from '../config/spec.js';
import { dispatcherFromEnv } from '../dispatch/dispatcher-from-env.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { InProcessDispatcher, maxRunningTasksFromEnv } from '../dispatch/in-process-dispatcher.js';
import { NoopDispatcher } from '../dispatch/noop-dispatcher.js';
import type { FileConnectorContext } from '../file/file-connector-context.js';
import type { FileTaskOptions } from '../file/file-source-task.js';
import { targetFromEnv } from '../kafka/port/target-from-env.js';
import type { ManagementHandler } from '../lifecycle/api-types.js';
import { ConnectorService } from '../lifecycle/connector-service.js';
import { kafkaOffsetsCleanup } from '../lifecycle/offsets-cleanup.js';
import { unsealSpec, type SecretVault } from '../lifecycle/secret-vault.js';
import { DEFAULT_STATE_DIR, storeFromEnv } from '../lifecycle/store-factory.js';
import type { ConnectorStore } from '../lifecycle/store.js';
import { vaultFromEnv } from '../lifecycle/vault-factory.js';
import { createLogger, type Logger } from '../runtime/log.js';

/** The HTTP API (routing, auth, the status page): loaded by what serves it, not by every `dsc run`. */
const httpApi = () => Promise.all([import('../lifecycle/management-api.js'), import('../lifecycle/auth.js')]);

/** The deployed `manage` function's API: DSC_AUTH, DSC_STORE, DSC_SECRETS, DSC_DISPATCH and KAFKA_* from env. */
export async function deployedManagement(env: NodeJS.ProcessEnv, log: Logger): Promise<ManagementHandler> {
  const [{ managementHandler }, { authFromEnv }] = await httpApi();
  // Auth first: a deployment that forgot DSC_AUTH must not open a store connection at all.
  const auth = authFromEnv(env, log);
  const store = await storeFromEnv(env);
  const vault = await vaultFromEnv(env);
  const offsets = kafkaOffsetsCleanup(targetFromEnv(env), log, vault, env);
  const service = new ConnectorService({
    store,
    dispatcher: dispatcherFromEnv(undefined, env, log),
    vault,
    offsets,
    log,
  });
  return managementHandler(service, auth, log);
}

/** The deployed `notify` function's store and dispatcher. */
export async function deployedNotify(
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<{ store: ConnectorStore; dispatcher: Dispatcher }> {
  return { store: await storeFromEnv(env), dispatcher: dispatcherFromEnv(undefined, env, log) };
}

/** The mirror container's store and vault. */
export async function deployedMirror(env: NodeJS.ProcessEnv): Promise<{ store: ConnectorStore; vault: SecretVault }> {
  return { store: await storeFromEnv(env), vault: await vaultFromEnv(env) };
}

/** The deployed `plan` and `work` functions' context: DSC_STORE, DSC_DISPATCH, DSC_SECRETS and KAFKA_* from env. */
export async function fileContextFromEnv(env: NodeJS.ProcessEnv, log: Logger): Promise<FileConnectorContext> {
  const target = targetFromEnv(env);
  const store = await storeFromEnv(env);
  return { store, dispatcher: dispatcherFromEnv(undefined, env, log), log, target, vault: await vaultFromEnv(env) };
}

/** The environment of the local state: DSC_STATE_DIR resolved once against cwd, so store and vault agree on it. */
function localEnv(env: NodeJS.ProcessEnv, cwd: string): { env: NodeJS.ProcessEnv; stateDir: string } {
  const stateDir = resolve(cwd, env.DSC_STATE_DIR || DEFAULT_STATE_DIR);
  return { env: { ...env, DSC_STATE_DIR: stateDir }, stateDir };
}

export interface EmbeddedManagement {
  handler: ManagementHandler;
  /** For messages: `local state in <dir>`. */
  target: string;
  close(): Promise<void>;
}

/**
 * The CLI without DSC_URL: the management API in-process on the local state (DSC_STATE_DIR, default .dsc). Its
 * dispatcher only records: `create` stores the connectors and `dsc run` loads them.
 */
export async function embeddedManagement(
  env: NodeJS.ProcessEnv,
  cwd: string,
  log: Logger = createLogger({ component: 'dsc' }, undefined, 'ERROR'),
): Promise<EmbeddedManagement> {
  const [{ managementHandler }, { noAuth }] = await httpApi();
  const local = localEnv(env, cwd);
  const store = await storeFromEnv(local.env);
  const vault = await vaultFromEnv(local.env);
  const offsets = kafkaOffsetsCleanup(targetFromEnv(local.env), log, vault, local.env);
  const service = new ConnectorService({ store, vault, offsets, dispatcher: new NoopDispatcher(), log });
  // In-process: no network is involved, so there is nobody to authenticate.
  const handler = managementHandler(service, noAuth(), log);
  const target = local.env.DSC_STORE === 'firestore' ? 'Firestore (embedded API)' : `local state in ${local.stateDir}`;
  return { handler, target, close: () => store.close() };
}

export interface EmbeddedRuntime {
  store: ConnectorStore;
  vault: SecretVault;
  dispatcher: InProcessDispatcher;
  /** The lifecycle on this runtime: what it creates or resumes is planned and run in this process. */
  service: ConnectorService;
  context: FileConnectorContext;
  stateDir: string;
  /** Scans these streaming file connectors every file.scan.interval.ms until stop (or close). */
  startScans(connectors: string[]): void;
  /** Waits for every dispatched plan and task to return. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface EmbeddedOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: Logger;
  /** Graceful stop of running tasks (checkpoint, release lease). */
  stop?: AbortSignal;
  taskOptions?: Omit<FileTaskOptions, 'stop'>;
  /** Overrides KAFKA_BROKERS (tests). */
  target?: KafkaEndpoint;
  /** Overrides the 64 MiB split threshold (tests). */
  splitBytes?: number;
}

/**
 * The embedded runtime: one process runs everything the deployment spreads over functions — the SQLite store in
 * DSC_STATE_DIR, in-process dispatch straight into the file planner and tasks, GCS (or fake-gcs-server) and local
 * files, and the target Kafka from KAFKA_BROKERS (default 127.0.0.1:9092) unless a connector names its own.
 */
export async function openEmbeddedRuntime(options: EmbeddedOptions): Promise<EmbeddedRuntime> {
  const { env: local, stateDir } = localEnv(options.env, options.cwd);
  const env: NodeJS.ProcessEnv = { ...local, DSC_STORE: options.env.DSC_STORE || 'sqlite' };
  const { fileHandlers } = await import('../file/file-handlers.js');
  const { runScanLoop } = await import('../file/scan-schedule.js');
  const { log } = options;
  const store = await storeFromEnv(env);
  const vault = await vaultFromEnv(env);
  const dispatcher = new InProcessDispatcher(undefined, log, maxRunningTasksFromEnv(env));
  const target = options.target ?? targetFromEnv(env);
  const context: FileConnectorContext = {
    store,
    dispatcher,
    log,
    target,
    vault,
    ...(options.splitBytes !== undefined && { splitBytes: options.splitBytes }),
  };
  dispatcher.setHandlers(
    fileHandlers(context, { ...options.taskOptions, ...(options.stop && { stop: options.stop }) }),
  );
  const offsets = kafkaOffsetsCleanup(target, log, vault, options.env);
  const service = new ConnectorService({ store, dispatcher, vault, offsets, log });
  const scanStop = new AbortController();
  options.stop?.addEventListener('abort', () => scanStop.abort(), { once: true });
  let scanning: Promise<void> | undefined;
  return {
    store,
    vault,
    dispatcher,
    service,
    context,
    stateDir,
    startScans(connectors) {
      if (scanning || connectors.length === 0) return;
      scanning = runScanLoop(connectors, context, scanStop.signal);
    },
    idle: () => dispatcher.idle(),
    async close() {
      scanStop.abort();
      await scanning;
      await dispatcher.idle();
      await store.close();
    },
  };
}

/**
 * `dsc tigergraph` on the local state: the connector's spec with its secrets (it writes them into the TigerGraph
 * files) and the target Kafka of KAFKA_* — the one thing the embedded API never returns.
 */
export async function embeddedConnectorWithSecrets(
  env: NodeJS.ProcessEnv,
  cwd: string,
  name: string,
): Promise<{ spec: ConnectorSpec; target: KafkaEndpoint } | undefined> {
  const local = localEnv(env, cwd);
  const store = await storeFromEnv(local.env);
  try {
    const record = await store.getConnector(name);
    if (!record) return undefined;
    const spec = await unsealSpec(record.spec, await vaultFromEnv(local.env));
    return { spec, target: targetFromEnv(local.env) };
  } finally {
    await store.close();
  }
}
