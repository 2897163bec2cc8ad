// The embedded runtime: one process runs everything the deployment spreads over functions — the SQLite store in
// DSC_STATE_DIR, in-process dispatch straight into the file planner and tasks, GCS (or fake-gcs-server) and local
// files, and the target Kafka from KAFKA_BROKERS (default 127.0.0.1:9092) unless a connector names its own.
import { resolve } from 'node:path';
import type { KafkaEndpoint } from '../config/spec.js';
import { InProcessDispatcher, maxRunningTasksFromEnv } from '../dispatch/in-process-dispatcher.js';
import type { FileConnectorContext } from '../file/file-connector-context.js';
import { fileHandlers } from '../file/file-handlers.js';
import type { FileTaskOptions } from '../file/file-source-task.js';
import { runScanLoop } from '../file/scan-schedule.js';
import { targetFromEnv } from '../kafka/client.js';
import { vaultFromEnv, type SecretVault } from '../lifecycle/secret-vault.js';
import { DEFAULT_STATE_DIR, storeFromEnv } from '../lifecycle/store-factory.js';
import type { ConnectorStore } from '../lifecycle/store.js';
import type { Logger } from './log.js';

export interface EmbeddedRuntime {
  store: ConnectorStore;
  vault: SecretVault;
  dispatcher: InProcessDispatcher;
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

export async function openEmbeddedRuntime(options: EmbeddedOptions): Promise<EmbeddedRuntime> {
  const stateDir = resolve(options.cwd, options.env.DSC_STATE_DIR || DEFAULT_STATE_DIR);
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    DSC_STATE_DIR: stateDir,
    DSC_STORE: options.env.DSC_STORE || 'sqlite',
  };
  const store = await storeFromEnv(env);
  const vault = await vaultFromEnv(env);
  const dispatcher = new InProcessDispatcher(undefined, options.log, maxRunningTasksFromEnv(env));
  const context: FileConnectorContext = {
    store,
    dispatcher,
    log: options.log,
    target: options.target ?? targetFromEnv(env),
    vault,
    ...(options.splitBytes !== undefined && { splitBytes: options.splitBytes }),
  };
  dispatcher.setHandlers(
    fileHandlers(context, { ...options.taskOptions, ...(options.stop && { stop: options.stop }) }),
  );
  const scanStop = new AbortController();
  options.stop?.addEventListener('abort', () => scanStop.abort(), { once: true });
  let scanning: Promise<void> | undefined;
  return {
    store,
    vault,
    dispatcher,
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
