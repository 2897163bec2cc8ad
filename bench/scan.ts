// The cost of a periodic scan (issue 13) over a gs:// prefix of 100,000 objects on fake-gcs-server, beside its peer:
// a bare listing of the same prefix with @google-cloud/storage (what any scan must pay). Figures: wall time and the
// heap/RSS the scan adds at its peak. Checks: a scan over objects already planned (A) or already claimed one by one
// (B) claims nothing; after 10 new objects arrive it claims exactly those 10.
// fake-gcs-server answers a listing without maxResults as one page (GCS pages at 1,000 objects), so on it the
// listing's response is held whole: the peer shows that share.
// The bench starts its own fake-gcs-server (filesystem backend, on a free port; the shared test instance is left
// alone) and seeds the objects on disk with bench/scan-seed.py: through the API, 100,000 uploads take many minutes
// and the memory backend slows down with every object it holds.
// Run: flock /tmp/dsc-bench.lock ./node_modules/.bin/node --expose-gc node_modules/.bin/vite-node bench/scan.ts [N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { parseConnectorConfig } from '../shared/config/index.js';
import type { FileConnectorSpec } from '../shared/config/spec.js';
import { NoopDispatcher } from '../shared/dispatch/noop-dispatcher.js';
import { readAssignment } from '../shared/file/file-assignment.js';
import type { FileConnectorContext } from '../shared/file/file-connector-context.js';
import { scanFileConnector, type ScanReport } from '../shared/file/file-scanner.js';
import { planFileConnector } from '../shared/file/file-source-connector.js';
import { SqliteConnectorStore } from '../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../shared/runtime/log.js';
import { loadServiceEnv } from '../test/integration/file-helpers.js';

loadServiceEnv(); // the test services' Kafka: the plan creates the connector's topic there
const N = Number(process.argv[2] ?? 100_000);
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const bucket = `scan-bench-${Date.now()}`;
const root = mkdtempSync(join(tmpdir(), 'dsc-scan-bench-'));
let GCS = '';

function fakeGcsBinary(): string {
  if (process.env.FAKE_GCS_SERVER) return process.env.FAKE_GCS_SERVER;
  const dir = join(homedir(), '.cache/dsc/bin');
  const found = readdirSync(dir).find((f) => f.startsWith('fake-gcs-server'));
  if (!found) throw new Error(`no fake-gcs-server in ${dir} (npm run services:up installs it) or FAKE_GCS_SERVER`);
  return join(dir, found);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function startFakeGcs(): Promise<() => void> {
  const port = await freePort();
  const args = ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'filesystem'];
  args.push('-filesystem-root', join(root, 'gcs'), '-public-host', `127.0.0.1:${port}`, '-log-level', 'error');
  const child = spawn(fakeGcsBinary(), args, { stdio: 'ignore' });
  GCS = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${GCS}/storage/v1/b`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return () => child.kill();
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('fake-gcs-server did not start');
}
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const MB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function request(method: string, path: string, body?: string): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`${GCS}${path}`, {
        method,
        ...(body !== undefined && { body, headers: { 'Content-Type': 'application/octet-stream' } }),
      });
      if (res.ok || res.status === 404 || attempt >= 3) return res;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
    await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
  }
}

const objectName = (i: number) => `in/f-${String(i).padStart(7, '0')}.csv`;

async function put(name: string, content: string): Promise<void> {
  const res = await request(
    'POST',
    `/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(name)}`,
    content,
  );
  if (!res.ok) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`);
}

/** Runs fn, sampling heap and RSS every 5 ms; returns its result with the time and the peak above the baseline. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; heap: number; rss: number }> {
  gc();
  const base = process.memoryUsage();
  let heap = 0;
  let rss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed - base.heapUsed);
    rss = Math.max(rss, m.rss - base.rss);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  sample();
  clearInterval(timer);
  return { value, ms, heap, rss };
}

function spec(name: string): FileConnectorSpec {
  const text = [
    'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    `topic=${name}`,
    `file.uris=gs://${bucket}/in/`,
    'file.regexp=.*\\.csv',
    'tasks.max=4',
    `[${name}]`,
    `name=${name}`,
  ].join('\n');
  return parseConnectorConfig(text, { fileName: 'bench.conf' }).specs[0] as FileConnectorSpec;
}

function row(label: string, r: { ms: number; heap: number; rss: number }, report?: ScanReport): void {
  const found = report ? `  listed ${report.listed}, claimed ${report.claimed}` : '';
  console.log(
    `${label.padEnd(52)} ${(r.ms / 1000).toFixed(2).padStart(6)} s  heap +${MB(r.heap).padStart(9)}  rss +${MB(r.rss).padStart(9)}${found}`,
  );
}

function check(ok: boolean, what: string): void {
  if (!ok) {
    console.error(`FAILED: ${what}`);
    process.exitCode = 1;
  }
}

async function main(): Promise<void> {
  const stopGcs = await startFakeGcs();
  process.env.STORAGE_EMULATOR_HOST = GCS; // dsc's GCS adapter reads it
  const created = await fetch(`${GCS}/storage/v1/b`, { method: 'POST', body: JSON.stringify({ name: bucket }) });
  if (!created.ok) throw new Error(`create bucket: ${created.status}`);
  const store = await SqliteConnectorStore.open(':memory:');
  const dispatcher = new NoopDispatcher(); // tasks are not run: the scan's cost is what is measured
  const ctx: FileConnectorContext = {
    store,
    dispatcher,
    log: silentLogger,
    target: { brokers: BROKERS, security: { protocol: 'PLAINTEXT' } },
  };
  const now = new Date().toISOString();
  const create = async (s: FileConnectorSpec) => {
    await store.createConnectors([
      { name: s.name, kind: 'file', spec: s, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
    ]);
    return planFileConnector({ connector: s.name, epoch: 1 }, ctx);
  };
  const claimedUris = async (name: string) =>
    (await store.listTasks(name))
      .filter((t) => t.taskId >= 2 ** 32)
      .flatMap((t) => readAssignment(t.assignment).files.map((f) => f.uri))
      .sort();

  try {
    // B is planned while the prefix is empty: every object reaches it by scans, one claimed task each.
    const b = spec('scan-bench-b');
    await create(b);
    const seed = await measured(async () => {
      const r = spawnSync('python3', [
        join(import.meta.dirname, 'scan-seed.py'),
        join(root, 'gcs'),
        bucket,
        'in',
        String(N),
      ]);
      if (r.status !== 0) throw new Error(`scan-seed.py: ${r.stderr}`);
    });
    console.log(`seeded ${N} objects in gs://${bucket}/in/ in ${(seed.ms / 1000).toFixed(1)} s\n`);
    const a = spec('scan-bench-a');
    const planned = await measured(() => create(a));
    const plannedFiles = (await store.listTasks(a.name)).reduce(
      (n, t) => n + readAssignment(t.assignment).files.length,
      0,
    );
    check(plannedFiles === N, `A planned ${plannedFiles} files, expected ${N}`);

    const storage = new Storage({ apiEndpoint: GCS, projectId: 'bench' });
    storage.baseUrl = `${GCS}/storage/v1`;
    const bareListing = () =>
      measured(async () => {
        let n = 0;
        for await (const _ of storage.bucket(bucket).getFilesStream({ prefix: 'in/', autoPaginate: true })) n++;
        return n;
      });

    console.log(`${N} objects; tasks.max=4; SQLite store in memory; fake-gcs-server (filesystem backend) at ${GCS}`);
    row('dsc plan of A (listing + taskConfigs + 4 task documents)', planned);
    const firstB = await measured(() => scanFileConnector(b.name, ctx));
    row(`dsc scan of B, all ${N} new (claims one task each)`, firstB, firstB.value);
    check(firstB.value?.claimed === N, `first scan of B claimed ${firstB.value?.claimed}`);
    // Three rounds, interleaved, so a busy moment of the machine does not land on one contender only.
    for (let round = 1; round <= 3; round++) {
      const peer = await bareListing();
      row(`peer: bare listing (getFilesStream), round ${round}`, peer);
      check(peer.value === N, `peer listed ${peer.value}`);
      const scanA = await measured(() => scanFileConnector(a.name, ctx));
      row(`dsc scan of A, everything planned, round ${round}`, scanA, scanA.value);
      check(scanA.value?.claimed === 0 && scanA.value.listed === N, 'scan of A claimed something');
      const againB = await measured(() => scanFileConnector(b.name, ctx));
      row(`dsc scan of B, all already claimed, round ${round}`, againB, againB.value);
      check(againB.value?.claimed === 0, `a later scan of B claimed ${againB.value?.claimed}`);
    }

    const fresh = Array.from({ length: 10 }, (_, i) => objectName(N + i));
    for (const name of fresh) await put(name, 'new\n');
    const expected = fresh.map((n) => `gs://${bucket}/${n}`).sort();
    const before = dispatcher.tasks.length;
    const newA = await measured(() => scanFileConnector(a.name, ctx));
    row('dsc scan of A after 10 new objects', newA, newA.value);
    check(JSON.stringify(await claimedUris(a.name)) === JSON.stringify(expected), 'A claimed other objects');
    const newB = await measured(() => scanFileConnector(b.name, ctx));
    row('dsc scan of B after 10 new objects', newB, newB.value);
    const everything = Array.from({ length: N + 10 }, (_, i) => `gs://${bucket}/${objectName(i)}`).sort();
    check(
      JSON.stringify(await claimedUris(b.name)) === JSON.stringify(everything),
      'B claimed an object twice or missed one',
    );
    check(dispatcher.tasks.length - before === 20, `dispatched ${dispatcher.tasks.length - before} tasks, expected 20`);
    console.log(
      process.exitCode
        ? '\nchecks FAILED'
        : '\nchecks passed: no object planned or claimed twice; exactly the 10 new ones claimed',
    );
  } finally {
    await store.close();
    stopGcs();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
