// What only the embedded store has: a private state folder, WAL sharing between processes (two connections to
// one file behave like two processes), a CAS race, a lock held by another process, and no ExperimentalWarning from node:sqlite.
// The behaviour shared with Firestore is in test/integration/store-contract.test.ts.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteConnectorStore, STATE_DB_FILE } from '../../../shared/lifecycle/sqlite-store.js';
import { storeFromEnv } from '../../../shared/lifecycle/store-factory.js';
import type { ConnectorRecord, NewTaskRecord } from '../../../shared/lifecycle/store.js';
import { waitFor } from '../../wait-for.js';

const root = mkdtempSync(join(tmpdir(), 'dsc-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const record = (name: string): ConnectorRecord => ({
  name,
  kind: 'file',
  spec: { name } as unknown as ConnectorRecord['spec'],
  desired: 'RUNNING',
  epoch: 1,
  createdAt: '',
  updatedAt: '',
});
const task = (taskId: number): NewTaskRecord => ({
  connector: '',
  taskId,
  epoch: 1,
  state: 'UNASSIGNED',
  assignment: {},
  progress: { filesDone: 0, filesTotal: 0, records: 0, bytes: 0, bytesTotal: 0, recordsPerSecond: 0, errors: 0 },
});

describe('SqliteConnectorStore', () => {
  it('loads node:sqlite without printing its ExperimentalWarning', async () => {
    const loaded = () =>
      (process as unknown as { moduleLoadList: string[] }).moduleLoadList.some((m) => /\bsqlite\b/.test(m));
    // Precondition: this file's process has not loaded it yet, else the check below would prove nothing.
    expect(loaded()).toBe(false);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const store = await SqliteConnectorStore.open(':memory:');
    await store.close();
    await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on a later tick
    process.off('warning', onWarning);
    expect(loaded()).toBe(true);
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  it('openStateDir makes the folder 0700 and state.db 0600, in WAL mode', async () => {
    const dir = join(root, 'state', 'nested');
    const store = await SqliteConnectorStore.openStateDir(dir);
    await store.createConnectors([record('a')]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const file = join(dir, STATE_DB_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The -wal file exists only in WAL mode; SQLite gives it the database file's permissions.
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('two connections to one file see each other’s writes (a CLI beside `dsc run`)', async () => {
    const dir = join(root, 'shared');
    const [cli, runner] = await Promise.all([
      SqliteConnectorStore.openStateDir(dir),
      SqliteConnectorStore.openStateDir(dir),
    ]);
    await cli.createConnectors([record('shared')]);
    expect(await runner.putTasks('shared', [task(0)])).toBe(true);
    expect((await cli.listTasks('shared')).map((t) => t.taskId)).toEqual([0]);
    expect(await cli.deleteConnector('shared')).toBe(true);
    expect(await runner.putOffset('shared', 'gs://b/o', { offset: 1 })).toBe(false);
    await Promise.all([cli.close(), runner.close()]);
  });

  it('opens a state.db written before connectors had restart_epoch: the column is added, the rows kept', async () => {
    const dir = join(root, 'old-schema');
    mkdirSync(dir);
    const { DatabaseSync } = await import('node:sqlite');
    const old = new DatabaseSync(join(dir, STATE_DB_FILE));
    old.exec(`CREATE TABLE connectors (name TEXT PRIMARY KEY, kind TEXT NOT NULL, spec TEXT NOT NULL,
      desired TEXT NOT NULL, epoch INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`);
    old.prepare('INSERT INTO connectors VALUES (?, ?, ?, ?, ?, ?, ?)').run('m', 'mirror', '{}', 'RUNNING', 3, 't', 't');
    old.close();
    // The first open adds the column; the second finds it there.
    const [a, b] = await Promise.all([1, 2].map(() => SqliteConnectorStore.openStateDir(dir)));
    const before = await a.getConnector('m');
    expect(before).toMatchObject({ name: 'm', epoch: 3 });
    expect(before).not.toHaveProperty('restartEpoch');
    await a.updateConnector('m', { epoch: 4, restartEpoch: 4 });
    expect(await b.getConnector('m')).toMatchObject({ epoch: 4, restartEpoch: 4 });
    await Promise.all([a.close(), b.close()]);
  });

  it('a CAS race between two connections has exactly one winner', async () => {
    const dir = join(root, 'race');
    const stores = await Promise.all([1, 2, 3, 4].map(() => SqliteConnectorStore.openStateDir(dir)));
    await stores[0].createConnectors([record('race')]);
    await stores[0].putTasks('race', [task(0)]);
    const v = (await stores[0].getTask('race', 0))!.version;
    const results = await Promise.all(
      stores.map((s, i) => s.updateTask('race', 0, v, { lease: { owner: `w${i}`, expiresAt: 1 } })),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect((await stores[1].getTask('race', 0))!.lease).toEqual(winners[0]!.lease);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('waits (busy_timeout) for another process holding the write lock instead of failing', async () => {
    const dir = join(root, 'busy');
    const store = await SqliteConnectorStore.openStateDir(dir);
    await store.createConnectors([record('busy')]);
    // Another process takes the write lock for 1.5 s, and says when it let go (wall clock, shared by both processes).
    const holder = spawn(
      process.execPath,
      [
        '--no-warnings',
        '-e',
        `const { DatabaseSync } = require('node:sqlite');
         const db = new DatabaseSync(${JSON.stringify(join(dir, STATE_DB_FILE))});
         db.exec('BEGIN IMMEDIATE');
         process.stdout.write('locked\\n');
         setTimeout(() => { const at = Date.now(); db.exec('COMMIT'); db.close(); process.stdout.write('committed ' + at + '\\n'); }, 1500);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let said = '';
    holder.stdout!.on('data', (b: Buffer) => (said += b.toString()));
    await waitFor(() => said.includes('locked'), { what: 'the other process to take the lock' });
    const asked = Date.now();
    expect(await store.putOffset('busy', 'gs://b/o', { offset: 1 })).toBe(true);
    const written = Date.now();
    await once(holder, 'close'); // its output read to the end
    expect(holder.exitCode).toBe(0);
    // Asked while the lock was held, written once it was let go: it waited (not a count of milliseconds, which a
    // loaded machine's late delivery of "locked" could eat into).
    const released = Number(/committed (\d+)/.exec(said)![1]);
    expect(asked).toBeLessThanOrEqual(released);
    expect(written).toBeGreaterThanOrEqual(released);
    await store.close();
  });

  it('storeFromEnv opens <DSC_STATE_DIR>/state.db by default and rejects an unknown DSC_STORE', async () => {
    const dir = join(root, 'env');
    const store = await storeFromEnv({ DSC_STATE_DIR: dir });
    expect(store).toBeInstanceOf(SqliteConnectorStore);
    await store.createConnectors([record('e')]);
    await store.close();
    expect(statSync(join(dir, STATE_DB_FILE)).size).toBeGreaterThan(0);
    await expect(storeFromEnv({ DSC_STORE: 'redis' })).rejects.toThrow(/DSC_STORE.*redis/);
  });

  it('single operations are fast enough for a CLI (file database, WAL)', async () => {
    const store = await SqliteConnectorStore.openStateDir(join(root, 'speed'));
    await store.createConnectors([record('s')]);
    await store.putTasks('s', [task(0)]);
    const n = 500;
    let t = performance.now();
    for (let i = 0; i < n; i++) await store.putOffset('s', `gs://b/f${i}`, { offset: i });
    const putMs = (performance.now() - t) / n;
    t = performance.now();
    let version = (await store.getTask('s', 0))!.version;
    for (let i = 0; i < n; i++) version = (await store.updateTask('s', 0, version, { checkpoint: { i } }))!.version;
    const casMs = (performance.now() - t) / n;
    t = performance.now();
    for (let i = 0; i < n; i++) await store.getOffset('s', `gs://b/f${i}`);
    const getMs = (performance.now() - t) / n;
    console.log(
      `sqlite per op: putOffset ${putMs.toFixed(3)} ms, updateTask ${casMs.toFixed(3)} ms, getOffset ${getMs.toFixed(3)} ms`,
    );
    expect(putMs).toBeLessThan(20);
    expect(casMs).toBeLessThan(20);
    await store.close();
  });
});
