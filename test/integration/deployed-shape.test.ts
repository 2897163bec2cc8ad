// The deployed shape end to end on one machine (test/services/deployed): manage, plan, work and notify as separate
// functions-framework processes, Pub/Sub through its emulator with the push/retry/dead-letter wiring infra/ declares,
// Firestore through its emulator, files on fake-gcs-server, the mirror container entry beside them. Connectors are
// managed with the dsc CLI over HTTP; every test checks what arrived in Kafka line by line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeployedShape, type ConnectorStatus } from '../services/deployed/deployed-shape.js';
import { loadServicesEnv } from '../services/env.js';
import { consumeAll, gcsBucket, gcsPut, sleep, unique, values } from './file-helpers.js';
import { GcsValve } from './gcs-valve.js';
import { createTopic, produce, sourceKafka, SOURCE, targetKafka, TARGET, consume } from './mirror-helpers.js';

loadServicesEnv(); // PUBSUB_EMULATOR_HOST too, also when this file runs alone

const FILE_CLASS = 'com.tigergraph.kafka.connect.filesystem.FsSourceConnector';

/** `count` distinct lines named after `tag` (about 40 bytes each). */
const lines = (tag: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${tag},${String(i).padStart(8, '0')},payload-payload-payload`);

/** Writes a config file the way a user would, for `dsc create --c`. */
function configFile(shape: DeployedShape, name: string, keys: Record<string, string | number>): string {
  const all: Record<string, string | number> = { 'connector.class': FILE_CLASS, ...keys };
  const text = Object.entries(all).map(([k, v]) => `${k}=${v}`);
  const path = join(shape.dir, `${name}.conf`);
  writeFileSync(path, `${text.join('\n')}\n[connector_1]\nname=${name}\n`);
  return path;
}

/** Each expected line exactly once, nothing else: the first few differences when not. */
function differences(got: string[], expected: string[]): string[] {
  const want = new Map<string, number>();
  for (const l of expected) want.set(l, (want.get(l) ?? 0) + 1);
  const out: string[] = [];
  for (const l of got) {
    const n = want.get(l);
    if (n === undefined) out.push(`unexpected or duplicate: ${l}`);
    else if (n === 1) want.delete(l);
    else want.set(l, n - 1);
  }
  for (const l of want.keys()) out.push(`missing: ${l}`);
  return out.slice(0, 10);
}

const records = (s: ConnectorStatus) => s.totals?.records ?? 0;
const running = (s: ConnectorStatus) => s.state === 'RUNNING' && records(s) > 0;

describe('deployed shape: functions as processes, Pub/Sub push, Firestore, GCS', () => {
  let shape: DeployedShape;
  // The work function reads GCS through a valve (open unless a test holds it): a test that needs its loads mid-file
  // (several at once, killed, paused, deleted) holds them there, rather than racing them with a fast machine.
  const valve = new GcsValve();
  beforeAll(async () => {
    valve.openTo(Infinity);
    const storage = await valve.start();
    shape = await DeployedShape.start({ mirror: true, env: { work: { STORAGE_EMULATOR_HOST: storage } } });
  }, 300_000);
  afterAll(async () => {
    await shape?.stop();
    await valve.close();
  });
  /** The work invocations of `name` not ended yet. */
  const openWork = (name: string) =>
    shape.standIn.deliveriesTo('work').filter((d) => d.connector === name && d.endedAt === 0);
  /**
   * Lets the held loads through 64 KiB at a time (each stops at its next batch boundary once its state check saw the
   * pause or delete, and it is waiting for bytes) until `done`; they stop within a step or two, long before `end`
   * (the file's size), where the valve is left open for the assertions to find what went wrong.
   */
  async function trickle(from: number, end: number, done: () => Promise<boolean>): Promise<void> {
    for (let at = from; at < end && !(await done()); at += 64 * 1024) {
      valve.openTo(at);
      await sleep(1000);
    }
  }
  afterEach(() => valve.openTo(Infinity)); // a test that failed holding it does not hold the next one

  it('tasks.max=4 over a directory: four concurrent work invocations, every line arrives', async () => {
    const name = unique('dep-fanout');
    const files: Record<string, string> = {};
    const expected: string[] = [];
    for (let f = 0; f < 4; f++) {
      const l = lines(`f${f}`, 20_000);
      files[`dir/part-${f}.csv`] = l.join('\n') + '\n';
      expected.push(...l);
    }
    const bucket = await gcsBucket(files);
    const conf = configFile(shape, name, {
      mode: 'eof',
      topic: name,
      'tasks.max': 4,
      'file.uris': `gs://${bucket}/dir/`,
    });
    // Each load waits at its file's half until all four invocations are open at once (a fast machine could finish
    // one before the last is delivered).
    valve.openTo(Math.floor(files['dir/part-0.csv'].length / 2));
    await shape.dscOk('create', '--c', conf);
    await waitUntil(() => new Set(openWork(name).map((d) => d.messageId)).size >= 4, 180_000);
    valve.openTo(Infinity);
    const status = await shape.waitForState(name, 'FINISHED', 300_000);
    expect(status.tasks).toHaveLength(4);

    const work = shape.standIn.deliveriesTo('work').filter((d) => d.connector === name);
    const ids = [...new Set(work.map((d) => d.messageId))];
    expect(ids).toHaveLength(4);
    // Pub/Sub delivers at least once: a duplicate finds the task leased or done and is retried until acked.
    await waitUntil(() => ids.every((id) => shape.standIn.acked.has(id)), 180_000);
    expect(Math.max(...work.map((d) => d.concurrent))).toBeGreaterThanOrEqual(4);
    expect(differences(values(await consumeAll(name)), expected)).toEqual([]);
  }, 480_000);

  it('a work process killed mid-task is redelivered, resumes from its checkpoint and loses nothing', async () => {
    const name = unique('dep-kill');
    const expected = lines('k', 100_000);
    const bucket = await gcsBucket({ 'big.csv': expected.join('\n') + '\n' });
    const conf = configFile(shape, name, {
      mode: 'eof',
      topic: name,
      'tasks.max': 1,
      'file.uris': `gs://${bucket}/big.csv`,
      // A transaction (and store checkpoint) per batch: committed progress shows early. Deadlines below are for a
      // fully loaded machine (~1,500 lines/s with a commit per batch).
      'file.reader.batch.size': 500,
      'transaction.boundary.interval.ms': 1,
    });
    // The load waits at 40 % of the file until the kill: it cannot have finished before it, however fast.
    valve.openTo(Math.floor(0.4 * (expected.join('\n').length + 1)));
    await shape.dscOk('create', '--c', conf);
    // Killed once a fifth is checkpointed: a restart from the beginning would then repeat at least that much.
    const before = await shape.waitFor(name, (s) => records(s) >= 20_000, 180_000, 'a fifth loaded');
    const work = shape.instances.work;
    const starts = work.starts;
    work.kill();
    valve.openTo(Infinity);
    const after = await shape.waitForState(name, 'FINISHED', 480_000);
    expect(work.starts).toBeGreaterThan(starts);

    const deliveries = shape.standIn.deliveriesTo('work').filter((d) => d.connector === name);
    expect(deliveries[0].status).toBe(0); // the killed request: connection reset, not acked
    expect(new Set(deliveries.map((d) => d.messageId)).size).toBe(1); // the same message, redelivered
    expect(deliveries.at(-1)!.status).toBeLessThan(300);
    expect(after.state).toBe('FINISHED');

    const got = values(await consumeAll(name));
    const seen = new Set(got);
    expect(expected.filter((l) => !seen.has(l)).slice(0, 5)).toEqual([]); // nothing lost
    // At least once: only what the killed invocation sent after its last checkpoint comes twice, which is less than
    // what was checkpointed when it died (a restart from the beginning would repeat all of that).
    expect(got.length - expected.length).toBeLessThan(records(before));
  }, 720_000);

  it('a finalized event for a new object loads it once, even when delivered twice', async () => {
    const name = unique('dep-notify');
    const bucket = await gcsBucket({ 'in/first.csv': 'first\n' });
    const conf = configFile(shape, name, { topic: name, 'tasks.max': 2, 'file.uris': `gs://${bucket}/in/` });
    await shape.dscOk('create', '--c', conf);
    await shape.waitFor(name, (s) => s.state === 'RUNNING' && records(s) === 1, 180_000, 'first file loaded');

    await gcsPut(bucket, 'in/second.csv', 'second-1\nsecond-2\n');
    await shape.standIn.objectFinalized(bucket, 'in/second.csv', 2);
    await shape.waitFor(name, (s) => records(s) >= 3, 180_000, 'second file loaded');
    const notify = () => shape.standIn.deliveriesTo('notify').filter((d) => d.status > 0);
    await waitUntil(() => notify().length >= 2, 180_000);
    // Every load it started has ended (no work invocation open); a second load, if the repeated event caused one,
    // was enqueued before notify answered and would land within the pause below. Asserting an absence: a loaded
    // machine only makes this pass more easily, never fail.
    await waitUntil(() => openWork(name).length === 0, 180_000);
    await sleep(2000);
    expect(notify().every((d) => d.status < 300)).toBe(true);
    expect(values(await consumeAll(name)).sort()).toEqual(['first', 'second-1', 'second-2']);
    await shape.dscOk('delete', name);
  }, 600_000);

  it('pause, resume and delete over HTTP reach the running tasks', async () => {
    const name = unique('dep-pause');
    const expected = [...lines('p0', 100_000), ...lines('p1', 100_000)];
    const a = expected.slice(0, 100_000).join('\n') + '\n';
    const bucket = await gcsBucket({ 'a.csv': a, 'b.csv': expected.slice(100_000).join('\n') + '\n' });
    // Both loads wait at 30 % of their file until the pause (and the delete below) reached them.
    const held = Math.floor(0.3 * a.length);
    valve.openTo(held);
    const conf = configFile(shape, name, {
      mode: 'eof',
      topic: name,
      'tasks.max': 2,
      'file.uris': `gs://${bucket}/`,
      // Small batches, a transaction each: committed progress shows early.
      'file.reader.batch.size': 200,
      'transaction.boundary.interval.ms': 1,
    });
    await shape.dscOk('create', '--c', conf);
    await shape.waitFor(name, running, 180_000, 'records loading');
    await shape.dscOk('pause', name);
    const allPaused = (s: ConnectorStatus) => s.state === 'PAUSED' && s.tasks.every((t) => t.state === 'PAUSED');
    await trickle(held, a.length, async () => allPaused(await shape.waitFor(name, () => true)));
    const paused = await shape.waitFor(name, allPaused, 180_000, 'every task PAUSED');
    expect(records(paused)).toBeLessThan(expected.length);
    // Counted once no work invocation of it is open (its last transaction committed or aborted), then again after
    // a pause: asserting an absence, so a loaded machine only makes this pass more easily, never fail.
    await waitUntil(() => openWork(name).length === 0, 180_000);
    const atPause = (await consumeAll(name)).length;
    await sleep(3000);
    expect((await consumeAll(name)).length).toBe(atPause); // the tasks stopped sending

    valve.openTo(Infinity);
    await shape.dscOk('resume', name);
    await shape.waitForState(name, 'FINISHED', 600_000);
    expect(differences(values(await consumeAll(name)), expected)).toEqual([]);

    // Delete while running: the tasks stop and the connector is gone.
    const other = unique('dep-delete');
    const conf2 = configFile(shape, other, {
      mode: 'eof',
      topic: other,
      'tasks.max': 1,
      'file.uris': `gs://${bucket}/`,
      'file.reader.batch.size': 200,
      'transaction.boundary.interval.ms': 1,
    });
    valve.openTo(held);
    await shape.dscOk('create', '--c', conf2);
    await shape.waitFor(other, running, 180_000, 'records loading');
    await shape.dscOk('delete', other);
    const deletedAt = Date.now();
    expect((await shape.dsc('status', other)).code).toBe(3); // not found
    await trickle(held, a.length, async () => openWork(other).length === 0);
    valve.openTo(Infinity);
    const stoppedAfter = Math.max(
      ...shape.standIn
        .deliveriesTo('work')
        .filter((d) => d.connector === other)
        .map((d) => d.endedAt),
    );
    // Stopped at its next state check, not at the end of the load (that the load did not finish is checked below);
    // the bound leaves room for a fully loaded machine, where one state check round trip took several seconds.
    expect(stoppedAfter - deletedAt).toBeLessThan(60_000);
    // No work invocation of it is open (waited above): asserting an absence after a pause, as for the pause.
    const atDelete = (await consumeAll(other)).length;
    await sleep(2000);
    expect((await consumeAll(other)).length).toBe(atDelete);
    expect(atDelete).toBeLessThan(expected.length);
  }, 1_200_000);

  it('a mirror connector created over HTTP is picked up by the container entry', async () => {
    const name = unique('dep-mirror');
    const topic = unique('dep-mirror-src');
    const src = sourceKafka();
    await createTopic(src, topic, 2);
    const sent = Array.from({ length: 200 }, (_, i) => `m-${i}`);
    await produce(
      src,
      topic,
      sent.map((v, i) => ({ key: `k${i % 7}`, value: v })),
    );
    const path = join(shape.dir, `${name}.conf`);
    writeFileSync(
      path,
      [
        'connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector',
        'source.cluster.alias=src',
        'target.cluster.alias=tgt',
        `source.cluster.bootstrap.servers=${SOURCE()}`,
        `target.cluster.bootstrap.servers=${TARGET()}`,
        'source->target.enabled=true',
        'replication.factor=1',
        `topics=${topic}`,
        'tasks.max=2',
        'key.converter=org.apache.kafka.connect.converters.ByteArrayConverter',
        'value.converter=org.apache.kafka.connect.converters.ByteArrayConverter',
        'header.converter=org.apache.kafka.connect.converters.ByteArrayConverter',
        `[connector_1]`,
        `name=${name}`,
        '',
      ].join('\n'),
    );
    await shape.dscOk('create', '--c', path);
    const got = await consume(targetKafka(), `src.${topic}`, sent.length, 180_000);
    expect(got.map((r) => r.value).sort()).toEqual([...sent].sort());
    await shape.dscOk('delete', name);
  }, 300_000);
});

describe('deployed shape: a task whose time budget ends', () => {
  let shape: DeployedShape;
  beforeAll(async () => {
    shape = await DeployedShape.start({ env: { work: { DSC_TASK_BUDGET_SECONDS: '0.001' } } });
  }, 300_000);
  afterAll(async () => {
    await shape?.stop();
  });

  it('re-enqueues itself through Pub/Sub and finishes, every line once', async () => {
    const name = unique('dep-budget');
    const expected = lines('b', 1_000);
    const bucket = await gcsBucket({ 'big.csv': expected.join('\n') + '\n' });
    const conf = configFile(shape, name, {
      mode: 'eof',
      topic: name,
      'tasks.max': 1,
      'file.uris': `gs://${bucket}/big.csv`,
      // Small batches, each its own transaction and checkpoint (exactly once commits every 500 ms by default). A 1 ms
      // budget is spent by the time an invocation has sent its first batch, however fast the machine, so the 5
      // batches take several invocations (a 0.2 s budget was a guess about speed). Few lines: under full CPU load an
      // invocation's start took seconds.
      'file.reader.batch.size': 200,
      'transaction.boundary.interval.ms': 1,
    });
    await shape.dscOk('create', '--c', conf);
    await shape.waitForState(name, 'FINISHED', 480_000);
    const work = shape.standIn.deliveriesTo('work').filter((d) => d.connector === name);
    // Each re-enqueue is a new Pub/Sub message, pushed to work again.
    expect(new Set(work.map((d) => d.messageId)).size).toBeGreaterThan(1);
    await waitUntil(() => work.every((d) => shape.standIn.acked.has(d.messageId)), 180_000);
    expect(differences(values(await consumeAll(name)), expected)).toEqual([]);
  }, 720_000);
});

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await sleep(200);
  }
}
