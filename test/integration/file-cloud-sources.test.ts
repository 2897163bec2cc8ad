// s3a:// (moto) and abfss:// (Azurite) sources through the file connector, configured as TigerGraph 3.7 documents
// them: CSV and JSON lines under a prefix, archives, a file split into byte ranges over tasks, crashes under
// exactly-once, streaming pick-up and a new version, one connector mixing every store, and credential, bucket and
// endpoint errors that name the key and the cloud without showing a secret. Records are compared one by one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedRuntime, type EmbeddedRuntime } from '../../shared/app/wiring.js';
import { readScanStatus } from '../../shared/lifecycle/scan-status.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { waitFor } from '../wait-for.js';
import { delivery } from './eos-helpers.js';
import {
  abfss,
  azureContainer,
  azureEnv,
  azureKeys,
  azurePut,
  s3Bucket,
  s3Env,
  s3Keys,
  s3Put,
} from './cloud-helpers.js';
import {
  BROKERS,
  checkpointPastTotal,
  consumeAll,
  csvLines,
  fileSpec,
  gcsBucket,
  gzip,
  harnessPerTest,
  holdingStore,
  leasesExpired,
  tally,
  tarOf,
  tempDir,
  unique,
  values,
  zipOf,
  type Harness,
} from './file-helpers.js';

const newHarness = harnessPerTest();

const S3_CLASS = 'com.tigergraph.kafka.connect.filesystem.aws.S3SourceConnector';
const AZ_CLASS = 'com.tigergraph.kafka.connect.filesystem.azure.AzureBlobSourceConnector';

interface Cloud {
  class: string;
  keys(): Record<string, string>;
  /** A fresh bucket/container with these objects; its base URI (ending in `/`). */
  make(files: Record<string, string | Buffer>): Promise<string>;
  put(base: string, name: string, content: string | Buffer): Promise<void>;
}

const CLOUDS: Record<'s3' | 'azure', Cloud> = {
  s3: {
    class: S3_CLASS,
    keys: () => s3Keys(),
    make: async (files) => `s3a://${await s3Bucket(files)}/`,
    put: async (base, name, content) => void (await s3Put(new URL(base).host, name, content)),
  },
  azure: {
    class: AZ_CLASS,
    keys: () => azureKeys(),
    make: async (files) => abfss(await azureContainer(files)),
    put: async (base, name, content) => void (await azurePut(new URL(base).username, name, content)),
  },
};

async function load(
  cloud: Cloud,
  uris: string,
  keys: Record<string, string | number | boolean> = {},
  options: { splitBytes?: number; h?: Harness } = {},
) {
  const topic = unique('cloud');
  const h = options.h ?? (await newHarness({ ...(options.splitBytes && { splitBytes: options.splitBytes }) }));
  const spec = fileSpec(topic, { 'connector.class': cloud.class, topic, 'file.uris': uris, ...cloud.keys(), ...keys });
  await h.create(spec);
  const state = await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 90_000);
  const tasks = await h.tasks(spec.name);
  return { state, tasks, topic, h, name: spec.name, records: state === 'FINISHED' ? await consumeAll(topic) : [] };
}

const TREE = {
  'people/a.csv': 'name,age\nTom,40\nDan,31\n',
  'people/2024/b.csv': 'name,age\nAnn,22\n',
  'people/2024/deep/c.json': '{"n":1}\n{"n":2}\n',
  'people/skip.txt': 'not selected\n',
  'elsewhere/x.csv': 'name,age\nNot,0\n',
};

describe.each(['s3', 'azure'] as const)('%s source through the file connector', (which) => {
  const cloud = CLOUDS[which];

  it('CSV and JSON lines under a prefix, recursively, filtered by file.regexp: every record, in file order', async () => {
    const base = await cloud.make(TREE);
    const { state, records, tasks } = await load(cloud, `${base}people/`, {
      'file.regexp': '.*\\.(csv|json)',
      'file.reader.provenance.headers': true,
    });
    expect(state, JSON.stringify(tasks.map((t) => t.lastError))).toBe('FINISHED');
    // Each file's lines in order, every file once.
    const bySource = new Map<string, string[]>();
    for (const r of records)
      bySource.set(r.headers['dsc.source']!, [...(bySource.get(r.headers['dsc.source']!) ?? []), r.value]);
    expect(Object.fromEntries(bySource)).toEqual({
      [`${base}people/a.csv`]: ['name,age', 'Tom,40', 'Dan,31'],
      [`${base}people/2024/b.csv`]: ['name,age', 'Ann,22'],
      [`${base}people/2024/deep/c.json`]: ['{"n":1}', '{"n":2}'],
    });
    const tom = records.find((r) => r.value === 'Tom,40')!;
    expect(tom.headers['dsc.source']).toBe(`${base}people/a.csv`);
    expect(tom.headers['dsc.generation']).toBeTruthy();
    // The same prefix without recursion, and without its trailing slash.
    const top = await load(cloud, `${base}people`, { 'file.regexp': '.*\\.csv', 'file.recursive': false });
    expect(values(top.records)).toEqual(['name,age', 'Tom,40', 'Dan,31']);
  });

  it('gzip, tar and zip entries, filtered by file.regexp, with the header skipped per entry', async () => {
    const entries = { 'a.csv': 'name\na1\na2\n', 'dir/b.csv': 'name\nb1\n', 'notes.txt': 'no\n' };
    const base = await cloud.make({
      'x.csv.gz': gzip('name\ng1\ng2\n'),
      'y.tar': await tarOf(entries),
      'z.zip': await zipOf(entries),
    });
    const keys = { 'file.regexp': '.*\\.csv', 'file.reader.text.header': true };
    for (const [name, want] of [
      ['x.csv.gz', ['g1', 'g2']],
      ['y.tar', ['a1', 'a2', 'b1']],
      ['z.zip', ['a1', 'a2', 'b1']],
    ] as const) {
      const { state, records, tasks } = await load(cloud, `${base}${name}`, keys);
      expect(state, JSON.stringify(tasks.map((t) => t.lastError))).toBe('FINISHED');
      expect(values(records)).toEqual(want);
    }
  });

  it('a file larger than the split size, tasks.max=3: loaded as byte ranges, every line exactly once', async () => {
    const lines = csvLines(6_000, which, 30);
    const base = await cloud.make({ 'big.csv': lines.join('\n') + '\n' });
    const { state, records, tasks } = await load(cloud, `${base}big.csv`, { 'tasks.max': 3 }, { splitBytes: 40_000 });
    expect(state, JSON.stringify(tasks.map((t) => t.lastError))).toBe('FINISHED');
    expect(tasks).toHaveLength(3);
    expect(values(records)).toHaveLength(lines.length);
    expect(tally(values(records))).toEqual(tally(lines));
  });

  it('crashes mid-load under exactly-once (tasks.max=2), each resumed: 0 lost, 0 duplicated', async () => {
    const lines = csvLines(20_000, `eos-${which}`, 30);
    const half = lines.length / 2;
    const base = await cloud.make({
      'a.csv': lines.slice(0, half).join('\n') + '\n',
      'b.csv': lines.slice(half).join('\n') + '\n',
    });
    const topic = unique(`eos-${which}`);
    const spec = fileSpec(topic, {
      'connector.class': cloud.class,
      topic,
      'file.uris': base,
      'tasks.max': 2,
      'file.reader.batch.size': 20,
      'transaction.boundary.interval.ms': 50,
      ...cloud.keys(),
    });
    const store = await SqliteConnectorStore.open(':memory:');
    let h: Harness | undefined;
    let crashes = 0;
    for (let round = 0; round < 2; round++) {
      const kill = new AbortController();
      // Each round is killed while a task waits on its checkpoint 2,000 records past where the round began: mid-load,
      // however fast the machine loads.
      const gate = holdingStore(store, checkpointPastTotal(await store.listTasks(spec.name), 2_000));
      h = await newHarness({ taskOptions: { kill: kill.signal, leaseMs: 300 }, store: gate.store });
      if (round === 0) await h.create(spec);
      else await h.resume(spec.name);
      await gate.held();
      kill.abort();
      gate.release();
      await h.dispatcher.idle();
      if ((await h.state(spec.name)) !== 'FINISHED') crashes++;
      newHarness.handOver(h);
      await leasesExpired(h, spec.name);
    }
    h = await newHarness({ taskOptions: { leaseMs: 300 }, store });
    await h.resume(spec.name);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 120_000)).toBe('FINISHED');
    expect(crashes).toBe(2);
    expect(await delivery(topic, lines)).toEqual({ lost: 0, duplicated: 0 });
  });

  it('wrong keys: the connector fails with an error naming the key and the cloud, never the secret', async () => {
    const base = await cloud.make({ 'a.csv': 'x\n' });
    const secret = which === 's3' ? 'wrong-secret-0123456789' : Buffer.from('wrong-key-0123456789').toString('base64');
    const keys = which === 's3' ? s3Keys({ secretKey: secret }) : azureKeys({ key: secret });
    const topic = unique('badkey');
    const h = await newHarness();
    const spec = fileSpec(topic, { 'connector.class': cloud.class, topic, 'file.uris': base, ...keys });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 60_000)).toBe('FAILED');
    const text = JSON.stringify(await h.tasks(spec.name));
    expect(text).toMatch(which === 's3' ? /S3.*fs\.s3a\.(access|secret)\.key/ : /Azure.*fs\.azure\.account\.key\./);
    expect(text).not.toContain(secret);
  });

  it('a missing bucket or container, and an unreachable endpoint: errors naming them and the key', async () => {
    const missing = which === 's3' ? `s3a://${unique('nobucket')}/` : abfss(unique('nocontainer'));
    const a = await load(cloud, missing);
    expect(a.state).toBe('FAILED');
    expect(a.tasks[0]?.lastError).toMatch(which === 's3' ? /no such S3 bucket/ : /no such Azure container/);
    expect(a.tasks[0]?.lastError).toContain(missing);

    const base = which === 's3' ? `s3a://${unique('b').toLowerCase()}/` : abfss(unique('c').toLowerCase());
    const topic = unique('unreach');
    const h = await newHarness();
    const keys =
      which === 's3'
        ? { ...s3Keys({ endpoint: 'http://127.0.0.1:9' }) }
        : { ...azureKeys({ hostPort: '127.0.0.1:9' }) };
    const spec = fileSpec(topic, { 'connector.class': cloud.class, topic, 'file.uris': base, ...keys });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 90_000)).toBe('FAILED');
    const error = (await h.tasks(spec.name))[0]?.lastError ?? '';
    expect(error).toMatch(
      which === 's3'
        ? /unreachable \(file\.reader\.settings\.fs\.s3a\.endpoint\)/
        : /unreachable \(file\.reader\.settings\.fs\.azure\.abfs\.endpoint\)/,
    );
    expect(error).not.toContain(which === 's3' ? s3Env().secretKey : azureEnv().key);
  });
});

describe('one connector over every store', () => {
  it('gs://, s3a://, abfss:// and a local directory in one file.uris: every record once', async () => {
    const gs = `gs://${await gcsBucket({ 'g.csv': 'g1\ng2\n' })}/g.csv`;
    const s3 = `s3a://${await s3Bucket({ 'in/s.csv': 's1\ns2\n' })}/in/`;
    const az = abfss(await azureContainer({ 'in/a.csv': 'a1\na2\n' }), 'in/');
    const local = tempDir({ 'l.csv': 'l1\nl2\n' });
    const topic = unique('mixed');
    const h = await newHarness();
    const spec = fileSpec(topic, {
      'connector.class': S3_CLASS,
      topic,
      'file.uris': [gs, s3, az, local].join(','),
      'tasks.max': 2,
      ...s3Keys(),
      ...azureKeys(),
    });
    await h.create(spec);
    const state = await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 90_000);
    expect(state, JSON.stringify((await h.tasks(spec.name)).map((t) => t.lastError))).toBe('FINISHED');
    expect(values(await consumeAll(topic)).sort()).toEqual(['a1', 'a2', 'g1', 'g2', 'l1', 'l2', 's1', 's2']);
  });
});

// ---- streaming: the embedded runtime as `dsc run` opens it, with its scans ----

let running: { rt: EmbeddedRuntime; stop: AbortController; dir: string } | undefined;
afterEach(async () => {
  if (!running) return;
  running.stop.abort();
  await running.rt.close();
  rmSync(running.dir, { recursive: true, force: true });
  running = undefined;
});

async function streaming(cloud: Cloud, base: string): Promise<{ rt: EmbeddedRuntime; topic: string }> {
  const topic = unique('cloud-scan');
  const spec = fileSpec(topic, {
    'connector.class': cloud.class,
    topic,
    mode: '',
    'file.uris': base,
    'file.regexp': '.*\\.csv',
    'file.scan.interval.ms': 1_000,
    'file.reader.provenance.headers': true,
    ...cloud.keys(),
  });
  const dir = mkdtempSync(join(tmpdir(), 'dsc-cloud-scan-'));
  const stop = new AbortController();
  const rt = await openEmbeddedRuntime({
    env: { ...process.env, DSC_STATE_DIR: dir, KAFKA_BROKERS: BROKERS() },
    cwd: dir,
    log: silentLogger,
    stop: stop.signal,
    taskOptions: { leaseMs: 5_000 },
  });
  running = { rt, stop, dir };
  const now = new Date().toISOString();
  await rt.store.createConnectors([
    { name: spec.name, kind: 'file', spec, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
  ]);
  await rt.dispatcher.plan({ connector: spec.name, epoch: 1 });
  rt.startScans([spec.name]);
  await waitFor(
    async () => {
      const tasks = await rt.store.listTasks(topic);
      return tasks.length > 0 && tasks.every((t) => t.state === 'FINISHED') ? true : undefined;
    },
    { timeoutMs: 60_000, what: `${topic} loads its first files` },
  );
  return { rt, topic };
}

/** Waits for `count` scans that each started after the previous one: "later scans find nothing new". */
async function laterScans(rt: EmbeddedRuntime, name: string, count: number): Promise<void> {
  let mark = Date.now();
  for (let i = 1; i <= count; i++) {
    mark = await waitFor(
      async () => {
        const at = Date.parse((await readScanStatus(rt.store, name))?.at ?? '');
        return at > mark ? at : undefined;
      },
      { timeoutMs: 60_000, what: `scan ${i} of ${count} of ${name}` },
    );
  }
}

async function topicHolds(topic: string, count: number): Promise<void> {
  await waitFor(async () => ((await consumeAll(topic).catch(() => [])).length >= count ? true : undefined), {
    timeoutMs: 60_000,
    what: `${count} records in ${topic}`,
  });
}

describe.each(['s3', 'azure'] as const)('streaming %s connector', (which) => {
  const cloud = CLOUDS[which];

  it('an object added later is loaded once; an overwritten one again, as its new version', async () => {
    const base = await cloud.make({ 'in/first.csv': 'first\n' });
    const { rt, topic } = await streaming(cloud, `${base}in/`);
    await cloud.put(base, 'in/second.csv', 'second-1\nsecond-2\n');
    await cloud.put(base, 'in/readme.txt', 'not selected\n');
    await topicHolds(topic, 3);
    await cloud.put(base, 'in/first.csv', 'first-v2\n');
    await topicHolds(topic, 4);
    await laterScans(rt, topic, 2);
    await rt.idle();
    const records = await consumeAll(topic);
    expect(values(records)).toEqual(['first', 'second-1', 'second-2', 'first-v2']);
    const generations = records.map((r) => r.headers['dsc.generation']);
    expect(generations[3]).toBeTruthy();
    expect(generations[3]).not.toBe(generations[0]);
  });
});
