// The long-lived mirror process: watches the store and keeps one MirrorSourceConnector per RUNNING mirror connector.
// New connector → started within one poll; PAUSED → stopped (positions kept); resumed (new epoch) → restarted and
// continues from the saved positions; deleted → stopped (the store drops its positions; a consumer group left by an
// older version is removed). On abort (SIGTERM) every task sends nothing new, waits for its requests in flight and
// saves their positions.
import type { MirrorConnectorSpec } from '../config/spec.js';
import type { ConnectorRecord, ConnectorStore } from '../lifecycle/store.js';
import { unsealSpec, type SecretVault } from '../lifecycle/secret-vault.js';
import type { Logger } from '../runtime/log.js';
import { MirrorSourceConnector } from './mirror-source-connector.js';

export interface MirrorWorkerOptions {
  store: ConnectorStore;
  log: Logger;
  signal: AbortSignal;
  /** Resolves `secret://` references of stored specs; absent when specs hold their values (tests, embedded). */
  vault?: SecretVault;
  /** Only these connectors (`dsc run`: its file's); every mirror connector of the store when absent. */
  connectors?: ReadonlySet<string>;
  /** How often the store is read; default 2000 ms (a new connector starts within about that). */
  pollIntervalMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function runMirrorWorker(options: MirrorWorkerOptions): Promise<void> {
  const { store, log, signal } = options;
  const poll = Math.min(options.pollIntervalMs ?? 2000, 5000);
  const running = new Map<string, MirrorSourceConnector>();
  /** Connectors that could not start, by name → instance: not retried until resumed (a new epoch) or re-created. */
  const broken = new Map<string, string>();
  // A connector deleted and created again under its name (epoch 1 again) is a new instance, whether or not a poll
  // saw the delete in between: its creation time tells them apart.
  const instance = (r: Pick<ConnectorRecord, 'epoch' | 'createdAt'>) => `${r.epoch}@${r.createdAt}`;

  const stopOne = async (name: string, state: 'PAUSED' | 'UNASSIGNED', removeState: boolean) => {
    const rt = running.get(name);
    if (!rt) return;
    running.delete(name);
    await rt.stop(state);
    if (removeState) await rt.deleteOffsets();
    log.info(removeState ? 'mirror connector deleted' : 'mirror connector stopped', { connector: name, state });
  };

  const startOne = async (record: ConnectorRecord) => {
    let spec = record.spec as MirrorConnectorSpec;
    if (options.vault) spec = await unsealSpec(spec, options.vault);
    let rt: MirrorSourceConnector | undefined;
    try {
      // Building the clients reads the key stores: a bad store fails this connector, not the worker's poll.
      rt = new MirrorSourceConnector(record, spec, store, log.child({ connector: record.name }));
      running.set(record.name, rt);
      await rt.start();
      log.info('mirror connector started', { connector: record.name, epoch: record.epoch });
    } catch (err) {
      running.delete(record.name);
      await rt?.stop('FAILED').catch(() => {});
      broken.set(record.name, instance(record));
      const reason = `cannot start: ${(err as Error).message}`;
      log.error('mirror connector failed to start', { connector: record.name, reason });
      await markTasks(store, record, 'FAILED', reason);
    }
  };

  while (!signal.aborted) {
    try {
      const mirrors = (await store.listConnectors()).filter(
        (c) => c.kind === 'mirror' && (!options.connectors || options.connectors.has(c.name)),
      );
      const names = new Set(mirrors.map((m) => m.name));
      for (const name of [...running.keys()]) if (!names.has(name)) await stopOne(name, 'UNASSIGNED', true);
      for (const name of [...broken.keys()]) if (!names.has(name)) broken.delete(name);
      for (const record of mirrors) {
        if (signal.aborted) break;
        const rt = running.get(record.name);
        if (record.desired === 'PAUSED') {
          if (rt) await stopOne(record.name, 'PAUSED', false);
          else await markTasks(store, record, 'PAUSED');
          continue;
        }
        // Re-created under the same name (a delete this poll did not see): the old one's state goes, as on delete.
        if (rt && rt.createdAt !== record.createdAt) await stopOne(record.name, 'UNASSIGNED', true);
        else if (rt && rt.epoch !== record.epoch) await stopOne(record.name, 'UNASSIGNED', false);
        else if (rt) continue; // running, or FAILED and waiting for a resume (a new epoch)
        if (broken.get(record.name) === instance(record)) continue;
        await startOne(record);
      }
    } catch (err) {
      log.warn('mirror worker poll failed; retrying', { error: (err as Error).message });
    }
    await sleep(poll, signal);
  }
  log.info('mirror worker stopping: draining tasks', { connectors: [...running.keys()] });
  await Promise.all([...running.values()].map((rt) => rt.stop('UNASSIGNED').catch(() => {})));
  running.clear();
}

/** Sets every task row of a connector that is not running here (paused, or failed to start). */
async function markTasks(
  store: ConnectorStore,
  record: ConnectorRecord,
  state: 'PAUSED' | 'FAILED',
  lastError?: string,
) {
  let tasks = await store.listTasks(record.name);
  if (tasks.length === 0 && state === 'FAILED') {
    await store.putTasks(record.name, [
      {
        connector: record.name,
        taskId: 0,
        epoch: record.epoch,
        state,
        assignment: { topics: [], partitionCount: 0 },
        progress: { filesDone: 0, filesTotal: 0, records: 0, bytes: 0, bytesTotal: 0, recordsPerSecond: 0, errors: 0 },
        ...(lastError !== undefined && { lastError }),
      },
    ]);
    return;
  }
  tasks = tasks.filter((t) => t.state !== state || (lastError !== undefined && t.lastError !== lastError));
  for (const t of tasks) {
    await store.updateTask(record.name, t.taskId, t.version, {
      state,
      // Stamped with the epoch this happened under, so status does not take it for a failure from before a resume.
      epoch: Math.max(t.epoch, record.epoch),
      progress: { ...t.progress, recordsPerSecond: 0 },
      ...(lastError !== undefined && { lastError }),
    });
  }
}
