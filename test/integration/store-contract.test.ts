// One contract, every ConnectorStore adapter: the same cases run against SQLite (in memory) and Firestore (the
// emulator at FIRESTORE_EMULATOR_HOST, started by test/services/up.sh). Each test gets a fresh store (a new
// in-memory database, or a new collection prefix), so tests never see each other's connectors.
//
// Emulator-specific: @firestore-emulator/server loses updates in concurrent transactions and ignores stale
// preconditions, so compare-and-set is tested here sequentially only (a stale version must give undefined).
// The concurrent CAS race is tested against SQLite alone, in test/unit/lifecycle/sqlite-store.test.ts.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileConnectorSpec } from '../../shared/config/spec.js';
import { FirestoreConnectorStore } from '../../shared/lifecycle/firestore-store.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import {
  type ConnectorRecord,
  type ConnectorStore,
  type NewTaskRecord,
  StoreConflictError,
} from '../../shared/lifecycle/store.js';

interface StoreCase {
  name: string;
  /** Why the case cannot run here; undefined when it can. */
  skip?: string;
  open: () => Promise<ConnectorStore>;
}

const runId = `test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let seq = 0;

const cases: StoreCase[] = [
  { name: 'sqlite', open: () => SqliteConnectorStore.open(':memory:') },
  {
    name: 'firestore',
    skip: process.env.FIRESTORE_EMULATOR_HOST
      ? undefined
      : 'FIRESTORE_EMULATOR_HOST is unset: start the emulator with `bash test/services/up.sh`',
    open: async () =>
      new FirestoreConnectorStore({
        projectId: process.env.GOOGLE_CLOUD_PROJECT || 'dsc-test',
        collectionPrefix: `${runId}-${++seq}-`,
      }),
  },
];

function spec(name: string): FileConnectorSpec {
  return {
    kind: 'file',
    name,
    connectorClass: 'com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    tasksMax: 2,
    section: name,
    settings: { 'file.uris': 'gs://bucket/dir/', topic: 'events', 'sasl.jaas.config': 'secret://file/x/y' },
    origins: { 'file.uris': { section: null, line: 1 }, topic: { section: name, line: 7 } },
    errors: { tolerance: 'all', deadLetterTopic: 'dlq', deadLetterContextHeaders: true },
    topic: 'events',
    uris: ['gs://bucket/dir/'],
    mode: 'eof',
    regexp: '.*\\.csv',
    recursive: true,
    reader: {
      type: 'text',
      separator: '|',
      quote: '',
      valueDefault: '',
      batchSize: 1000,
      eol: '\n',
      header: false,
      archiveType: 'auto',
      archiveExtensions: { tar: ['tar'], zip: ['zip'], gzip: ['gz'] },
      maxLineBytes: 1 << 20,
      parquetMaxRowGroupBytes: 256 << 20,
    },
    numPartitions: 1,
    replicationFactor: -1,
    gcs: {},
  };
}

function record(name: string, over: Partial<ConnectorRecord> = {}): ConnectorRecord {
  return {
    name,
    kind: 'file',
    spec: spec(name),
    desired: 'RUNNING',
    epoch: 1,
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
    ...over,
  };
}

function task(taskId: number, over: Partial<NewTaskRecord> = {}): NewTaskRecord {
  return {
    connector: 'ignored-by-putTasks',
    taskId,
    epoch: 1,
    state: 'UNASSIGNED',
    assignment: { files: [{ uri: `gs://bucket/dir/f${taskId}.csv`, ranges: [[0, 100]] }] },
    progress: { filesDone: 0, filesTotal: 1, records: 0, bytes: 0, bytesTotal: 100, recordsPerSecond: 0, errors: 0 },
    ...over,
  };
}

const isIso = (s: string): boolean => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString() === s;

// Values Firestore alone would mangle (nested arrays, undefined, dotted keys) and numbers past 2^53 as text.
const awkwardJson = {
  nested: { a: { b: { c: [1, 'two', { three: 3 }] } } },
  matrix: [
    [1, 2],
    [3, [4, 5]],
  ],
  big: '123456789012345678901234567890',
  maxSafe: Number.MAX_SAFE_INTEGER,
  negative: -1.5,
  flags: [true, false, null],
  'dotted.key': 'v',
  'slash/key': 'w',
  unicode: 'naïve ☃ 🚀',
  empty: {},
  emptyList: [],
};

describe.each(cases)('ConnectorStore contract: $name', (c) => {
  describe.skipIf(c.skip !== undefined)(c.skip ? `skipped: ${c.skip}` : 'adapter', () => {
    let store: ConnectorStore;
    beforeEach(async () => {
      store = await c.open();
    });
    afterEach(async () => {
      // Leave the shared emulator as found.
      for (const r of await store.listConnectors()) await store.deleteConnector(r.name);
      await store.close();
    });

    describe('connectors', () => {
      it('creates several, then gets and lists them (spec round-trips, timestamps set)', async () => {
        await store.createConnectors([record('b'), record('a', { desired: 'PAUSED', epoch: 3 })]);
        const a = await store.getConnector('a');
        expect(a).toMatchObject({ name: 'a', kind: 'file', desired: 'PAUSED', epoch: 3 });
        expect(a!.spec).toEqual(spec('a'));
        expect(a!.createdAt).toBe('2025-01-02T03:04:05.000Z');
        expect(isIso(a!.updatedAt)).toBe(true);
        expect((await store.listConnectors()).map((r) => r.name)).toEqual(['a', 'b']);
      });

      it('an unknown name gets undefined; an empty create writes nothing', async () => {
        await store.createConnectors([]);
        expect(await store.getConnector('nope')).toBeUndefined();
        expect(await store.listConnectors()).toEqual([]);
      });

      it('create is all-or-nothing: one existing name → StoreConflictError naming it, nothing else created', async () => {
        await store.createConnectors([record('taken', { epoch: 7 })]);
        const err = await store
          .createConnectors([record('fresh1'), record('taken', { epoch: 99 }), record('fresh2')])
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreConflictError);
        expect((err as StoreConflictError).names).toEqual(['taken']);
        expect((err as Error).message).toContain('taken');
        expect(await store.getConnector('fresh1')).toBeUndefined();
        expect(await store.getConnector('fresh2')).toBeUndefined();
        expect((await store.getConnector('taken'))!.epoch).toBe(7);
        expect((await store.listConnectors()).map((r) => r.name)).toEqual(['taken']);
      });

      it('names every existing connector in the conflict', async () => {
        await store.createConnectors([record('x'), record('y')]);
        const err = (await store
          .createConnectors([record('y'), record('z'), record('x')])
          .catch((e) => e)) as StoreConflictError;
        expect([...err.names].sort()).toEqual(['x', 'y']);
        expect(await store.getConnector('z')).toBeUndefined();
      });

      it('updateConnector patches desired, epoch and restartEpoch, bumps updatedAt; unknown → undefined', async () => {
        await store.createConnectors([record('c')]);
        const before = (await store.getConnector('c'))!;
        const paused = await store.updateConnector('c', { desired: 'PAUSED' });
        expect(paused).toMatchObject({ name: 'c', desired: 'PAUSED', epoch: 1 });
        expect(paused!.spec).toEqual(spec('c'));
        expect(paused!.updatedAt >= before.updatedAt).toBe(true);
        const resumed = await store.updateConnector('c', { desired: 'RUNNING', epoch: 2 });
        expect(resumed).toMatchObject({ desired: 'RUNNING', epoch: 2, createdAt: before.createdAt });
        expect(await store.getConnector('c')).toEqual(resumed);
        const epochOnly = await store.updateConnector('c', { epoch: 3 });
        expect(epochOnly).toMatchObject({ desired: 'RUNNING', epoch: 3 });
        // A mirror's restart epoch (restart.ts): absent until set, then kept by later patches that do not name it.
        expect(epochOnly).not.toHaveProperty('restartEpoch');
        const restarted = await store.updateConnector('c', { epoch: 4, restartEpoch: 4 });
        expect(restarted).toMatchObject({ desired: 'RUNNING', epoch: 4, restartEpoch: 4 });
        expect(await store.getConnector('c')).toEqual(restarted);
        expect(await store.updateConnector('c', { desired: 'PAUSED', epoch: 5 })).toMatchObject({ restartEpoch: 4 });
        expect((await store.listConnectors()).find((r) => r.name === 'c')).toMatchObject({ epoch: 5, restartEpoch: 4 });

        expect(await store.updateConnector('ghost', { desired: 'PAUSED' })).toBeUndefined();
        expect(await store.getConnector('ghost')).toBeUndefined();
      });

      it('deleteConnector removes it with its tasks and offsets; a re-created connector starts empty', async () => {
        await store.createConnectors([record('d'), record('keep')]);
        expect(await store.putTasks('d', [task(0), task(1)])).toBe(true);
        expect(await store.putOffset('d', 'gs://bucket/a.csv', { offset: 10 })).toBe(true);
        expect(await store.putTasks('keep', [task(0)])).toBe(true);
        expect(await store.putOffset('keep', 'gs://bucket/a.csv', { offset: 5 })).toBe(true);

        expect(await store.deleteConnector('d')).toBe(true);
        expect(await store.getConnector('d')).toBeUndefined();
        expect(await store.listTasks('d')).toEqual([]);
        expect(await store.getTask('d', 0)).toBeUndefined();
        expect(await store.listOffsets('d')).toEqual([]);
        expect(await store.getOffset('d', 'gs://bucket/a.csv')).toBeUndefined();
        expect(await store.deleteConnector('d')).toBe(false);

        // The other connector is untouched.
        expect(await store.listTasks('keep')).toHaveLength(1);
        expect((await store.getOffset('keep', 'gs://bucket/a.csv'))!.value).toEqual({ offset: 5 });

        await store.createConnectors([record('d')]);
        expect(await store.listTasks('d')).toEqual([]);
        expect(await store.listOffsets('d')).toEqual([]);
      });
    });

    describe('tasks', () => {
      it('putTasks stores the set (version ≥ 1, timestamps set) and lists it by taskId', async () => {
        await store.createConnectors([record('t')]);
        expect(await store.putTasks('t', [task(2), task(0), task(1, { checkpoint: { at: 5 }, lastError: 'x' })])).toBe(
          true,
        );
        const tasks = await store.listTasks('t');
        expect(tasks.map((t) => t.taskId)).toEqual([0, 1, 2]);
        for (const t of tasks) {
          expect(t.connector).toBe('t');
          expect(t.version).toBeGreaterThanOrEqual(1);
          expect(isIso(t.updatedAt)).toBe(true);
        }
        expect(tasks[1]).toMatchObject({ state: 'UNASSIGNED', epoch: 1, checkpoint: { at: 5 }, lastError: 'x' });
        expect(tasks[0].assignment).toEqual(task(0).assignment);
        expect(tasks[0]).not.toHaveProperty('checkpoint');
        expect(tasks[0]).not.toHaveProperty('lease');
        expect(await store.getTask('t', 2)).toEqual(tasks[2]);
        expect(await store.getTask('t', 9)).toBeUndefined();
      });

      it('putTasks replaces the whole set; a replaced task never reuses an old version', async () => {
        await store.createConnectors([record('r')]);
        await store.putTasks('r', [task(0), task(1), task(2)]);
        const old0 = (await store.getTask('r', 0))!;
        expect(
          await store.putTasks('r', [task(0, { epoch: 2, assignment: { files: [] } }), task(1, { epoch: 2 })]),
        ).toBe(true);
        const tasks = await store.listTasks('r');
        expect(tasks.map((t) => t.taskId)).toEqual([0, 1]);
        expect(tasks[0]).toMatchObject({ epoch: 2, assignment: { files: [] } });
        expect(tasks[0].version).toBeGreaterThan(old0.version);
        // A worker still holding the replaced task's version cannot overwrite the new one.
        expect(await store.updateTask('r', 0, old0.version, { state: 'FAILED' })).toBeUndefined();
        expect((await store.getTask('r', 0))!.state).toBe('UNASSIGNED');
        expect(await store.getTask('r', 2)).toBeUndefined();
        expect(await store.putTasks('r', [])).toBe(true);
        expect(await store.listTasks('r')).toEqual([]);
      });

      it('putTasks for a missing or deleted connector writes nothing and returns false', async () => {
        expect(await store.putTasks('ghost', [task(0)])).toBe(false);
        expect(await store.listTasks('ghost')).toEqual([]);
        await store.createConnectors([record('gone')]);
        await store.deleteConnector('gone');
        expect(await store.putTasks('gone', [task(0)])).toBe(false);
        expect(await store.listTasks('gone')).toEqual([]);
      });

      it('updateTask is a compare-and-set on version (sequential: the emulator cannot race transactions)', async () => {
        await store.createConnectors([record('u')]);
        await store.putTasks('u', [task(0, { lastError: 'old failure' }), task(1)]);
        const t0 = (await store.getTask('u', 0))!;
        const lease = { owner: 'worker-1', expiresAt: 1_900_000_000_000 };
        const progress = { ...t0.progress, filesDone: 1, records: 42, bytes: 100 };

        const next = await store.updateTask('u', 0, t0.version, {
          state: 'RUNNING',
          lease,
          progress,
          checkpoint: { file: 'gs://bucket/dir/f0.csv', offset: 100 },
          detail: { lag: { 'topic-0': 3 } },
          lastError: undefined,
        });
        expect(next).toBeDefined();
        expect(next!.version).toBe(t0.version + 1);
        expect(next).toMatchObject({ connector: 'u', taskId: 0, state: 'RUNNING', lease, progress, epoch: 1 });
        expect(next!.checkpoint).toEqual({ file: 'gs://bucket/dir/f0.csv', offset: 100 });
        expect(next!.detail).toEqual({ lag: { 'topic-0': 3 } });
        expect(next!.assignment).toEqual(t0.assignment);
        // An explicit undefined in the patch clears the field.
        expect(next).not.toHaveProperty('lastError');
        expect(next!.updatedAt >= t0.updatedAt).toBe(true);
        expect(await store.getTask('u', 0)).toEqual(next);

        // Stale version: nothing written.
        expect(await store.updateTask('u', 0, t0.version, { state: 'FAILED', lastError: 'late' })).toBeUndefined();
        expect(await store.getTask('u', 0)).toEqual(next);

        // The current version works again.
        const third = await store.updateTask('u', 0, next!.version, { state: 'FINISHED' });
        expect(third).toMatchObject({ state: 'FINISHED', version: next!.version + 1, lease });

        // The other task is untouched.
        expect((await store.getTask('u', 1))!.state).toBe('UNASSIGNED');
      });

      it('updateTask of an unknown task or connector, or after delete, returns undefined', async () => {
        await store.createConnectors([record('v')]);
        await store.putTasks('v', [task(0)]);
        const t0 = (await store.getTask('v', 0))!;
        expect(await store.updateTask('v', 5, 1, { state: 'RUNNING' })).toBeUndefined();
        expect(await store.getTask('v', 5)).toBeUndefined();
        expect(await store.updateTask('ghost', 0, 1, { state: 'RUNNING' })).toBeUndefined();
        await store.deleteConnector('v');
        expect(await store.updateTask('v', 0, t0.version, { state: 'RUNNING' })).toBeUndefined();
        expect(await store.getTask('v', 0)).toBeUndefined();
      });

      it('createTask: concurrent creates of one task id (a duplicated storage event) → exactly one wins', async () => {
        await store.createConnectors([record('w')]);
        const wins = await Promise.all([0, 1, 2].map(() => store.createTask('w', { ...task(7), connector: 'w' })));
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect(await store.createTask('w', { ...task(7), connector: 'w' })).toBe(false);
        expect((await store.listTasks('w')).map((t) => t.taskId)).toEqual([7]);
      });

      it('kind-owned JSON (assignment, checkpoint, detail) round-trips exactly', async () => {
        await store.createConnectors([record('j')]);
        await store.putTasks('j', [task(0, { assignment: awkwardJson, checkpoint: awkwardJson, detail: awkwardJson })]);
        const t = (await store.getTask('j', 0))!;
        expect(t.assignment).toEqual(awkwardJson);
        expect(t.checkpoint).toEqual(awkwardJson);
        expect(t.detail).toEqual(awkwardJson);
        const u = await store.updateTask('j', 0, t.version, {
          checkpoint: { ...awkwardJson, big: '99999999999999999999' },
        });
        expect((await store.getTask('j', 0))!.checkpoint).toEqual({ ...awkwardJson, big: '99999999999999999999' });
        expect(u!.checkpoint).toEqual({ ...awkwardJson, big: '99999999999999999999' });
      });
    });

    describe('offsets', () => {
      const keys = [
        'gs://bucket/dir/plain.csv',
        'gs://bucket/dir with spaces/file name.csv',
        'gs://bucket/a#fragment?query=1&x=%2F',
        'file:///tmp/données/日本語/🚀.csv',
        'gs://bucket/./../__hidden__/.',
        '.',
        '..',
        '__x__',
        `gs://bucket/${'deep/'.repeat(400)}file.csv`, // past Firestore's 1500-byte id limit once encoded
      ];

      it('URI keys with /, #, spaces, unicode and dots round-trip; listOffsets returns each once', async () => {
        await store.createConnectors([record('o')]);
        for (const [i, key] of keys.entries()) {
          expect(await store.putOffset('o', key, { offset: i, 'file-size': 1000 + i, eof: i % 2 === 0 })).toBe(true);
        }
        for (const [i, key] of keys.entries()) {
          const o = await store.getOffset('o', key);
          expect(o, key).toBeDefined();
          expect(o!.key).toBe(key);
          expect(o!.value).toEqual({ offset: i, 'file-size': 1000 + i, eof: i % 2 === 0 });
          expect(isIso(o!.updatedAt)).toBe(true);
        }
        const listed = await store.listOffsets('o');
        expect(listed.map((o) => o.key).sort()).toEqual([...keys].sort());
        expect(await store.getOffset('o', 'gs://bucket/dir/other.csv')).toBeUndefined();
      });

      it('putOffset overwrites the value of the same key', async () => {
        await store.createConnectors([record('w')]);
        await store.putOffset('w', keys[1], { offset: 1 });
        const first = (await store.getOffset('w', keys[1]))!;
        await store.putOffset('w', keys[1], { offset: 2, eof: true });
        const second = (await store.getOffset('w', keys[1]))!;
        expect(second.value).toEqual({ offset: 2, eof: true });
        expect(second.updatedAt >= first.updatedAt).toBe(true);
        expect(await store.listOffsets('w')).toHaveLength(1);
      });

      it('offsets belong to their connector', async () => {
        await store.createConnectors([record('p'), record('q')]);
        await store.putOffset('p', keys[0], { offset: 1 });
        await store.putOffset('q', keys[0], { offset: 2 });
        expect((await store.getOffset('p', keys[0]))!.value).toEqual({ offset: 1 });
        expect((await store.getOffset('q', keys[0]))!.value).toEqual({ offset: 2 });
        expect(await store.listOffsets('p')).toHaveLength(1);
      });

      it('JSON offset values (nested objects, big numbers as strings) round-trip', async () => {
        await store.createConnectors([record('n')]);
        await store.putOffset('n', keys[3], awkwardJson);
        expect((await store.getOffset('n', keys[3]))!.value).toEqual(awkwardJson);
        expect((await store.listOffsets('n'))[0].value).toEqual(awkwardJson);
      });

      it('putOffset for a missing or deleted connector returns false and resurrects nothing', async () => {
        expect(await store.putOffset('ghost', keys[0], { offset: 1 })).toBe(false);
        expect(await store.listOffsets('ghost')).toEqual([]);
        expect(await store.getConnector('ghost')).toBeUndefined();

        await store.createConnectors([record('late')]);
        await store.putOffset('late', keys[0], { offset: 1 });
        await store.deleteConnector('late');
        // A task that had not heard of the delete yet.
        expect(await store.putOffset('late', keys[0], { offset: 2 })).toBe(false);
        expect(await store.getOffset('late', keys[0])).toBeUndefined();
        expect(await store.getConnector('late')).toBeUndefined();
        expect(await store.listConnectors()).toEqual([]);

        await store.createConnectors([record('late')]);
        expect(await store.listOffsets('late')).toEqual([]);
      });
    });
  });
});
