// The embedded ConnectorStore: one SQLite file under DSC_STATE_DIR, shared by the CLI and `dsc run` processes.
// WAL lets readers run beside the one writer; busy_timeout makes a second process wait for the write lock
// instead of failing; every multi-row write is one BEGIN IMMEDIATE transaction (the lock is taken up front,
// so a read-then-write cannot be overtaken by another process).
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { ConnectorSpec } from '../config/spec.js';
import {
  type ConnectorRecord,
  type ConnectorStore,
  type NewTaskRecord,
  type OffsetRecord,
  StoreConflictError,
  type TaskPatch,
  type TaskRecord,
} from './store.js';

export const STATE_DB_FILE = 'state.db';
const BUSY_TIMEOUT_MS = 10_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS connectors (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  spec TEXT NOT NULL,            -- JSON
  desired TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  restart_epoch INTEGER
);
CREATE TABLE IF NOT EXISTS tasks (
  connector TEXT NOT NULL,
  task_id INTEGER NOT NULL,
  doc TEXT NOT NULL,             -- JSON: every TaskRecord field but connector, taskId, version, updatedAt
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (connector, task_id)
);
CREATE TABLE IF NOT EXISTS offsets (
  connector TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,           -- JSON
  updated_at TEXT NOT NULL,
  PRIMARY KEY (connector, key)
);
`;

interface ConnectorRow {
  name: string;
  kind: string;
  spec: string;
  desired: string;
  epoch: number;
  created_at: string;
  updated_at: string;
  restart_epoch: number | null;
}
interface TaskRow {
  connector: string;
  task_id: number;
  doc: string;
  version: number;
  updated_at: string;
}
interface OffsetRow {
  key: string;
  value: string;
  updated_at: string;
}

/**
 * node:sqlite prints "ExperimentalWarning: SQLite is an experimental feature" when first loaded (Node 22), which
 * would land in CLI output. Load it lazily with that one warning filtered; every other warning still goes through.
 */
async function loadSqlite(): Promise<typeof import('node:sqlite')> {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'ExperimentalWarning' && String(warning).includes('SQLite')) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return await import('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

const now = (): string => new Date().toISOString();

function toConnector(row: ConnectorRow): ConnectorRecord {
  return {
    name: row.name,
    kind: row.kind as ConnectorRecord['kind'],
    spec: JSON.parse(row.spec) as ConnectorSpec,
    desired: row.desired as ConnectorRecord['desired'],
    epoch: row.epoch,
    ...(row.restart_epoch !== null && { restartEpoch: row.restart_epoch }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toTask(row: TaskRow): TaskRecord {
  const doc = JSON.parse(row.doc) as Omit<TaskRecord, 'connector' | 'taskId' | 'version' | 'updatedAt'>;
  return { connector: row.connector, taskId: row.task_id, ...doc, version: row.version, updatedAt: row.updated_at };
}

/** The JSON kept in `tasks.doc`: identity and concurrency fields live in their own columns. */
function taskDoc(task: Partial<TaskRecord>): string {
  const { connector: _c, taskId: _t, version: _v, updatedAt: _u, ...doc } = task;
  return JSON.stringify(doc);
}

export class SqliteConnectorStore implements ConnectorStore {
  private constructor(private readonly db: DatabaseSync) {}

  /** Opens (creating if needed) `<stateDir>/state.db`: the folder is made 0700 and the file 0600. */
  static async openStateDir(stateDir: string): Promise<SqliteConnectorStore> {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const file = join(stateDir, STATE_DB_FILE);
    // Create the file ourselves so it is never, even briefly, readable by others (SQLite would use the umask).
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    return SqliteConnectorStore.open(file);
  }

  /** Opens a database file as is, or `':memory:'` for a private in-process store (tests). */
  static async open(file: string): Promise<SqliteConnectorStore> {
    const { DatabaseSync } = await loadSqlite();
    const db = new DatabaseSync(file);
    try {
      db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      if (file !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec(SCHEMA);
      // A state.db written before connectors had restart_epoch gets the column (NULL: never restarted).
      const columns = db.prepare('PRAGMA table_info(connectors)').all() as { name: string }[];
      if (!columns.some((c) => c.name === 'restart_epoch')) {
        try {
          db.exec('ALTER TABLE connectors ADD COLUMN restart_epoch INTEGER');
        } catch (e) {
          if (!/duplicate column/.test((e as Error).message)) throw e; // another process added it first
        }
      }
    } catch (e) {
      db.close();
      throw new Error(`cannot open state database ${file}: ${(e as Error).message}`, { cause: e });
    }
    return new SqliteConnectorStore(db);
  }

  /** Runs `body` in one BEGIN IMMEDIATE transaction: committed when it returns, rolled back when it throws. */
  private transaction<T>(body: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = body();
      this.db.exec('COMMIT');
      return result;
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  private run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  async createConnectors(records: ConnectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const stamp = now();
    this.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM connectors WHERE name = ?');
      const taken = records.filter((r) => exists.get(r.name) !== undefined).map((r) => r.name);
      if (taken.length > 0) throw new StoreConflictError(`connector already exists: ${taken.join(', ')}`, taken);
      const insert = this.db.prepare(
        'INSERT INTO connectors (name, kind, spec, desired, epoch, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const r of records) {
        insert.run(r.name, r.kind, JSON.stringify(r.spec), r.desired, r.epoch, r.createdAt || stamp, stamp);
      }
      // Nothing of an earlier connector of the same name may survive (deleteConnector removes it; this is belt and braces).
      for (const r of records) {
        this.run('DELETE FROM tasks WHERE connector = ?', r.name);
        this.run('DELETE FROM offsets WHERE connector = ?', r.name);
      }
    });
  }

  async getConnector(name: string): Promise<ConnectorRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM connectors WHERE name = ?').get(name) as ConnectorRow | undefined;
    return row && toConnector(row);
  }

  async listConnectors(): Promise<ConnectorRecord[]> {
    return (this.db.prepare('SELECT * FROM connectors ORDER BY name').all() as unknown as ConnectorRow[]).map(
      toConnector,
    );
  }

  async updateConnector(
    name: string,
    patch: Partial<Pick<ConnectorRecord, 'desired' | 'epoch' | 'restartEpoch'>>,
  ): Promise<ConnectorRecord | undefined> {
    const row = this.db
      .prepare(
        `UPDATE connectors SET desired = coalesce(?, desired), epoch = coalesce(?, epoch),
         restart_epoch = coalesce(?, restart_epoch), updated_at = ? WHERE name = ? RETURNING *`,
      )
      .get(patch.desired ?? null, patch.epoch ?? null, patch.restartEpoch ?? null, now(), name) as
      ConnectorRow | undefined;
    return row && toConnector(row);
  }

  async deleteConnector(name: string): Promise<boolean> {
    return this.transaction(() => {
      this.run('DELETE FROM tasks WHERE connector = ?', name);
      this.run('DELETE FROM offsets WHERE connector = ?', name);
      return this.run('DELETE FROM connectors WHERE name = ?', name) > 0;
    });
  }

  async listTasks(connector: string): Promise<TaskRecord[]> {
    const rows = this.db.prepare('SELECT * FROM tasks WHERE connector = ? ORDER BY task_id').all(connector);
    return (rows as unknown as TaskRow[]).map(toTask);
  }

  async getTask(connector: string, taskId: number): Promise<TaskRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM tasks WHERE connector = ? AND task_id = ?').get(connector, taskId);
    return row && toTask(row as unknown as TaskRow);
  }

  async putTasks(connector: string, tasks: NewTaskRecord[]): Promise<boolean> {
    const stamp = now();
    return this.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM connectors WHERE name = ?').get(connector) === undefined) return false;
      const keep = JSON.stringify(tasks.map((t) => t.taskId));
      this.run(
        'DELETE FROM tasks WHERE connector = ? AND task_id NOT IN (SELECT value FROM json_each(?))',
        connector,
        keep,
      );
      // A replaced task's version keeps climbing, so a worker still holding the old task's version cannot CAS the new one.
      const upsert = this.db.prepare(
        `INSERT INTO tasks (connector, task_id, doc, version, updated_at) VALUES (?, ?, ?, 1, ?)
         ON CONFLICT (connector, task_id) DO UPDATE SET doc = excluded.doc, version = tasks.version + 1,
           updated_at = excluded.updated_at`,
      );
      for (const t of tasks) upsert.run(connector, t.taskId, taskDoc(t), stamp);
      return true;
    });
  }

  async createTask(connector: string, task: NewTaskRecord): Promise<boolean> {
    // One statement: inserted only while the connector exists and the id is free.
    const changed = this.run(
      `INSERT INTO tasks (connector, task_id, doc, version, updated_at)
       SELECT ?, ?, ?, 1, ? WHERE EXISTS (SELECT 1 FROM connectors WHERE name = ?)
       ON CONFLICT (connector, task_id) DO NOTHING`,
      connector,
      task.taskId,
      taskDoc(task),
      now(),
      connector,
    );
    return changed > 0;
  }

  async updateTask(
    connector: string,
    taskId: number,
    expectedVersion: number,
    patch: TaskPatch,
  ): Promise<TaskRecord | undefined> {
    const stamp = now();
    return this.transaction(() => {
      const row = this.db
        .prepare('SELECT * FROM tasks WHERE connector = ? AND task_id = ? AND version = ?')
        .get(connector, taskId, expectedVersion) as TaskRow | undefined;
      if (row === undefined) return undefined;
      const next: TaskRecord = { ...toTask(row), ...patch, version: row.version + 1, updatedAt: stamp };
      // The WHERE on version repeats the check the lock already guarantees: the write is a CAS on its own.
      const changed = this.run(
        'UPDATE tasks SET doc = ?, version = ?, updated_at = ? WHERE connector = ? AND task_id = ? AND version = ?',
        taskDoc(next),
        next.version,
        stamp,
        connector,
        taskId,
        expectedVersion,
      );
      return changed === 1
        ? toTask({ ...row, doc: taskDoc(next), version: next.version, updated_at: stamp })
        : undefined;
    });
  }

  async getOffset(connector: string, key: string): Promise<OffsetRecord | undefined> {
    const row = this.db
      .prepare('SELECT key, value, updated_at FROM offsets WHERE connector = ? AND key = ?')
      .get(connector, key) as OffsetRow | undefined;
    return row && { key: row.key, value: JSON.parse(row.value) as Record<string, unknown>, updatedAt: row.updated_at };
  }

  async putOffset(connector: string, key: string, value: Record<string, unknown>): Promise<boolean> {
    // One statement: the row is written only while the connector row exists, so a late task cannot resurrect it.
    const changed = this.run(
      `INSERT INTO offsets (connector, key, value, updated_at)
       SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM connectors WHERE name = ?)
       ON CONFLICT (connector, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      connector,
      key,
      JSON.stringify(value),
      now(),
      connector,
    );
    return changed > 0;
  }

  async listOffsets(connector: string): Promise<OffsetRecord[]> {
    const rows = this.db
      .prepare('SELECT key, value, updated_at FROM offsets WHERE connector = ? ORDER BY key')
      .all(connector) as unknown as OffsetRow[];
    return rows.map((r) => ({
      key: r.key,
      value: JSON.parse(r.value) as Record<string, unknown>,
      updatedAt: r.updated_at,
    }));
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
