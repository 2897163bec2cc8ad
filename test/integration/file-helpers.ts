// Shared by the file connector integration tests: specs from config text (the real parser), an embedded runtime
// per test (in-memory SQLite store, in-process dispatch into the real planner and tasks), files on local disk and
// on fake-gcs-server, and a consumer that reads a topic from the beginning to its end offsets.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Kafka, logLevel } from 'kafkajs';
import tar from 'tar-stream';
import { afterEach } from 'vitest';
import yazl from 'yazl';
import { parseConnectorConfig } from '../../shared/config/index.js';
import { hasErrors, type FileConnectorSpec } from '../../shared/config/spec.js';
import { InProcessDispatcher } from '../../shared/dispatch/in-process-dispatcher.js';
import type { FileConnectorContext } from '../../shared/file/file-connector-context.js';
import { fileHandlers } from '../../shared/file/file-handlers.js';
import { createKafkaClient } from '../../shared/kafka/port/kafka-client.js';
import type { FetchPosition } from '../../shared/kafka/port/kafka-port.js';
import { committedRecords, type DecodedRecord } from '../../shared/kafka/batch/record-batch-reader.js';
import type { FileTaskOptions } from '../../shared/file/file-source-task.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { connectorState } from '../../shared/lifecycle/status.js';
import type { ConnectorState, ConnectorStore, TaskPatch, TaskRecord } from '../../shared/lifecycle/store.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { waitFor } from '../wait-for.js';

/** Service addresses: the global setup loads them; running a file alone falls back to up.sh's env file. */
export function loadServiceEnv(): void {
  if (process.env.STORAGE_EMULATOR_HOST && process.env.KAFKA_BROKERS) return;
  const file = join(homedir(), '.cache/dsc/run/services.env');
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m && process.env[m[1]] === undefined) process.env[m[1]] = m[2];
  }
}
loadServiceEnv();

export const BROKERS = () => process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const GCS = () => process.env.STORAGE_EMULATOR_HOST ?? 'http://127.0.0.1:4443';
export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
export const kafka = () =>
  new Kafka({ brokers: BROKERS().split(','), clientId: 'dsc-file-test', logLevel: logLevel.NOTHING });

const FILE_CLASS = 'com.tigergraph.kafka.connect.filesystem.FsSourceConnector';

/** A file connector spec as a user writes it: the given keys, with topic/uris required. */
export function fileSpec(name: string, keys: Record<string, string | number | boolean>): FileConnectorSpec {
  // mode '' leaves the key out: a streaming connector.
  const all = { 'connector.class': FILE_CLASS, mode: 'eof', ...keys };
  const lines = Object.entries(all)
    .filter(([k, v]) => !(k === 'mode' && v === ''))
    .map(([k, v]) => `${k}=${v}`);
  const text = `${lines.join('\n')}\n[${name}]\nname=${name}\n`;
  const parsed = parseConnectorConfig(text, { fileName: `${name}.conf` });
  if (hasErrors(parsed.issues)) throw new Error(JSON.stringify(parsed.issues));
  return parsed.specs[0] as FileConnectorSpec;
}

export interface Harness {
  store: ConnectorStore;
  dispatcher: InProcessDispatcher;
  ctx: FileConnectorContext;
  create(spec: FileConnectorSpec): Promise<void>;
  state(name: string): Promise<ConnectorState>;
  tasks(name: string): Promise<TaskRecord[]>;
  /** Polls until the connector reaches one of `states` (or throws after timeoutMs with what it saw). */
  waitFor(name: string, states: ConnectorState[], timeoutMs?: number): Promise<ConnectorState>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function harness(
  options: { splitBytes?: number; taskOptions?: FileTaskOptions; store?: ConnectorStore } = {},
): Promise<Harness> {
  const store = options.store ?? (await SqliteConnectorStore.open(':memory:'));
  const dispatcher = new InProcessDispatcher(undefined, silentLogger);
  const ctx: FileConnectorContext = {
    store,
    dispatcher,
    log: silentLogger,
    target: { brokers: BROKERS().split(','), security: { protocol: 'PLAINTEXT' } },
    ...(options.splitBytes !== undefined && { splitBytes: options.splitBytes }),
  };
  dispatcher.setHandlers(fileHandlers(ctx, { leaseMs: 5_000, ...options.taskOptions }));
  const state = async (name: string): Promise<ConnectorState> => {
    const r = await store.getConnector(name);
    if (!r) throw new Error(`connector ${name} is gone`);
    return connectorState(r, await store.listTasks(name));
  };
  return {
    store,
    dispatcher,
    ctx,
    async create(spec) {
      const now = new Date().toISOString();
      await store.createConnectors([
        { name: spec.name, kind: 'file', spec, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
      ]);
      await dispatcher.plan({ connector: spec.name, epoch: 1 });
    },
    state,
    tasks: (name) => store.listTasks(name),
    async waitFor(name, states, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last: ConnectorState | undefined;
      while (Date.now() < deadline) {
        last = await state(name);
        if (states.includes(last)) return last;
        await sleep(50);
      }
      const tasks = await store.listTasks(name);
      throw new Error(
        `${name} is ${last}, not ${states.join('/')}: ${JSON.stringify(tasks.map((t) => [t.state, t.lastError]))}`,
      );
    },
    async pause(name) {
      await store.updateConnector(name, { desired: 'PAUSED' });
    },
    async resume(name) {
      const r = await store.getConnector(name);
      const updated = await store.updateConnector(name, { desired: 'RUNNING', epoch: r!.epoch + 1 });
      await dispatcher.plan({ connector: name, epoch: updated!.epoch });
    },
    async close() {
      await dispatcher.idle();
      await store.close();
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A task write the holding store held: whose, and what it writes. */
export interface HeldWrite {
  connector: string;
  taskId: number;
  patch: TaskPatch;
}

export interface HoldingStore {
  /** Use this store: it is `store` with the hold in its updateTask. */
  store: ConnectorStore;
  /** The held write, once a task makes one (the task is waiting on it). */
  held(timeoutMs?: number): Promise<HeldWrite>;
  /** Lets the held write go through (and every later one). */
  release(): void;
  /** getConnector calls answered so far (a task's desired-state checks, among others). */
  connectorReads(): number;
}

/**
 * `store` with a hold: the first task write `when` accepts waits until `release()`, and the task with it (a task
 * waits for its checkpoint's write before it sends more). A test pauses, deletes or kills a task while it is held,
 * so where the task is at that moment is the test's choice, not a race with how fast the machine loads.
 */
export function holdingStore(
  store: ConnectorStore,
  when: (patch: TaskPatch, connector: string, taskId: number) => boolean,
): HoldingStore {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let holding: HeldWrite | undefined;
  let reads = 0;
  const wrapped = new Proxy(store, {
    get(target, prop) {
      if (prop === 'updateTask') {
        return async (connector: string, taskId: number, version: number, patch: TaskPatch) => {
          if (!holding && when(patch, connector, taskId)) {
            holding = { connector, taskId, patch };
            await released;
          }
          return target.updateTask(connector, taskId, version, patch);
        };
      }
      if (prop === 'getConnector') {
        return async (name: string) => {
          const r = await target.getConnector(name);
          reads++;
          return r;
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    store: wrapped,
    held: (timeoutMs = 120_000) => waitFor(() => holding, { timeoutMs, what: 'a task write to hold', everyMs: 10 }),
    release,
    connectorReads: () => reads,
  };
}

/**
 * For holdingStore: a checkpoint (a write that changes no state) that brings the tasks' records `more` past what
 * `from` (the tasks as they were) held, counting each task's latest checkpoint.
 */
export function checkpointPastTotal(
  from: TaskRecord[],
  more: number,
): (patch: TaskPatch, connector: string, taskId: number) => boolean {
  const latest = new Map(from.map((t) => [t.taskId, t.progress.records]));
  const sum = () => [...latest.values()].reduce((a, b) => a + b, 0);
  const target = sum() + more;
  return (patch, _connector, taskId) => {
    if (patch.state !== undefined || !patch.progress) return false;
    latest.set(taskId, patch.progress.records);
    return sum() >= target;
  };
}

/**
 * Waits until a task's desired-state check has read the connector since the caller's change to it (pause, delete): two
 * more reads, since the first may have started before the change. Only while nothing else reads the connector.
 */
export async function stateCheckedSince(gate: HoldingStore, readsAtChange: number): Promise<void> {
  await waitFor(() => gate.connectorReads() >= readsAtChange + 2, {
    what: "the task's desired-state check to read the connector twice",
    timeoutMs: 120_000,
  });
}

/** Opens a harness as `harness` does; `handOver(h)`: h's store lives on in a later harness, so h is not closed. */
export interface HarnessOpener {
  (...args: Parameters<typeof harness>): Promise<Harness>;
  handOver(h: Harness): void;
}

/**
 * Call once at the top of a test file (or describe block): every harness the returned opener opened is closed after
 * each test, whatever the test did.
 */
export function harnessPerTest(): HarnessOpener {
  const open: Harness[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
  });
  const opener = async (...args: Parameters<typeof harness>): Promise<Harness> => {
    const h = await harness(...args);
    open.push(h);
    return h;
  };
  return Object.assign(opener, { handOver: (h: Harness) => void open.splice(open.indexOf(h), 1) });
}

/**
 * Waits until the connector's tasks have acknowledged at least `n` records and returns the total; with
 * `orFinished`, also returns once every task is FINISHED (a load that ended short of `n`).
 */
export async function recordsAtLeast(
  h: Harness,
  name: string,
  n: number,
  options: { timeoutMs?: number; orFinished?: boolean } = {},
): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const tasks = await h.tasks(name);
    const total = tasks.reduce((s, t) => s + t.progress.records, 0);
    if (total >= n) return total;
    if (options.orFinished && tasks.length > 0 && tasks.every((t) => t.state === 'FINISHED')) return total;
    await sleep(10);
  }
  throw new Error(`${name} did not reach ${n} records`);
}

/**
 * Waits until no task of the connector holds a live lease (a crashed copy's lease ran out): by the lease's own expiry
 * time in the store, not a guessed pause.
 */
export async function leasesExpired(h: Pick<Harness, 'tasks'>, name: string): Promise<void> {
  await waitFor(
    async () => (await h.tasks(name)).every((t) => !t.lease || t.lease.expiresAt < Date.now()) || undefined,
    { what: `the leases of ${name}'s tasks to expire` },
  );
}

export interface Consumed {
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: number;
}

/**
 * Every record on `topic` now (beginning to the current end offsets), in partition then offset order, as a
 * read_committed consumer sees it: committed transactions only, no control records (commit markers take offsets,
 * so the end offset is reached through them, not through the last record).
 */
export async function committedLog(
  topic: string,
  brokers = BROKERS(),
): Promise<{ partition: number; record: DecodedRecord }[]> {
  const client = createKafkaClient(
    { brokers: brokers.split(','), security: { protocol: 'PLAINTEXT' } },
    'dsc-test-reader',
    'wire',
  );
  const admin = client.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  const starts: FetchPosition[] = [];
  try {
    const low = new Map((await admin.earliestOffsets(topic)).map((p) => [p.partition, p.offset]));
    for (const p of await admin.latestOffsets(topic)) {
      const from = low.get(p.partition) ?? 0n;
      if (p.offset > from) {
        ends.set(p.partition, p.offset);
        starts.push({ topic, partition: p.partition, offset: from });
      }
    }
  } finally {
    await admin.close();
  }
  const out: { partition: number; record: DecodedRecord }[] = [];
  if (starts.length === 0) return out;
  const consumer = client.consumer({ isolationLevel: 'read_committed', maxWaitMs: 100 });
  await consumer.connect();
  try {
    consumer.assign(starts);
    await waitFor(
      async () => {
        for (const f of await consumer.fetch()) {
          for (const r of committedRecords(f)) {
            // A fetch returns whole batches: a log start inside one (records deleted) leaves records before it.
            if (r.offset < starts.find((s) => s.partition === f.partition)!.offset) continue;
            if (r.offset >= ends.get(f.partition)!) continue;
            out.push({ partition: f.partition, record: r });
          }
        }
        return consumer.positions().every((p) => p.offset >= ends.get(p.partition)!) || undefined;
      },
      { what: `every record of ${topic} up to its end offsets`, everyMs: 0 },
    );
  } finally {
    await consumer.close();
  }
  const offset = (a: { record: DecodedRecord }, b: { record: DecodedRecord }) =>
    a.record.offset < b.record.offset ? -1 : a.record.offset > b.record.offset ? 1 : 0;
  return out.sort((a, b) => a.partition - b.partition || offset(a, b));
}

/** `committedLog` as text: each record's value and headers as UTF-8. */
export async function consumeAll(topic: string, brokers = BROKERS()): Promise<Consumed[]> {
  return (await committedLog(topic, brokers)).map(({ partition, record: r }) => ({
    value: r.value?.toString('utf8') ?? '',
    headers: Object.fromEntries(r.headers.map(([k, v]) => [k, v?.toString('utf8') ?? ''])),
    partition,
    offset: Number(r.offset),
  }));
}

export const values = (records: Consumed[]): string[] => records.map((r) => r.value);

/** Count of each value: for "every line exactly once" and "duplicates ≤ one batch" checks. */
export function tally(list: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of list) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

// ---- files ----

export function tempDir(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'dsc-file-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

async function gcsFetch(path: string, init: RequestInit): Promise<Response> {
  return fetch(`${GCS()}${path}`, init);
}

/** A new bucket on fake-gcs-server holding `files`; returns its name. */
export async function gcsBucket(files: Record<string, string | Buffer> = {}): Promise<string> {
  const bucket = unique('b').toLowerCase();
  const res = await gcsFetch('/storage/v1/b', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: bucket }),
  });
  if (!res.ok) throw new Error(`cannot create bucket ${bucket}: ${res.status} ${await res.text()}`);
  for (const [name, content] of Object.entries(files)) await gcsPut(bucket, name, content);
  return bucket;
}

/** Uploads one object; returns its metadata (generation and size as strings, as GCS sends them). */
export async function gcsPut(
  bucket: string,
  name: string,
  content: string | Buffer,
): Promise<{ bucket: string; name: string; size: string; generation: string }> {
  const res = await gcsFetch(`/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: typeof content === 'string' ? content : new Uint8Array(content),
  });
  if (!res.ok) throw new Error(`cannot upload gs://${bucket}/${name}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { bucket: string; name: string; size: string; generation: string };
}

// ---- archives ----

export const gzip = (content: string | Buffer): Buffer => gzipSync(content);

/**
 * The entries' mtime: fixed, so an archive's bytes are the same every run. tar-stream's default (now) changes the
 * headers every second, and with them the garbage a damaged gzip decodes (file-archives.test.ts, corrupt tar entry).
 */
const TAR_MTIME = new Date('2024-01-01T00:00:00Z');

export async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mtime: TAR_MTIME }, content);
  pack.finalize();
  return collect(pack as unknown as Readable);
}

export async function zipOf(files: Record<string, string | Buffer>, compress = true): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name, { compress });
  zip.end();
  return collect(zip.outputStream as unknown as Readable);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `n` CSV lines `prefix-i,i,...` padded to about `width` bytes. */
export function csvLines(n: number, prefix = 'row', width = 40): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i},${i},`.padEnd(width, 'x'));
}
