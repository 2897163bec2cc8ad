// The periodic scan of streaming file connectors on the embedded default (SQLite state, in-process dispatch, the
// scan loop `dsc run` starts): a file added to a local directory is loaded within two scan intervals; a file being
// appended to is loaded once, whole, after it stops growing; a new gs:// object is loaded once, also when a
// notification reports it too; a new generation loads again. Each test reads the topic back record by record.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileConnectorSpec } from '../../shared/config/spec.js';
import { scanFileConnector } from '../../shared/file/file-scanner.js';
import { OBJECT_TASK_BASE } from '../../shared/file/object-claims.js';
import { notifyObjectFinalized } from '../../shared/file/object-notification.js';
import { readScanStatus } from '../../shared/lifecycle/scan-status.js';
import { connectorState } from '../../shared/lifecycle/status.js';
import { openEmbeddedRuntime, type EmbeddedRuntime } from '../../shared/app/wiring.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { waitFor } from '../wait-for.js';
import {
  BROKERS,
  consumeAll,
  fileSpec,
  gcsBucket,
  gcsPut,
  sleep,
  tally,
  tempDir,
  unique,
  values,
} from './file-helpers.js';

interface Running {
  rt: EmbeddedRuntime;
  stop: AbortController;
  dir: string;
}

let running: Running | undefined;
afterEach(async () => {
  if (!running) return;
  running.stop.abort();
  await running.rt.close();
  rmSync(running.dir, { recursive: true, force: true });
  running = undefined;
});

/**
 * The embedded runtime as `dsc run` opens it, the connector created and planned, and its scans started (unless the
 * test runs them itself: `scanLoop` false).
 */
async function run(spec: FileConnectorSpec, scanLoop = true): Promise<EmbeddedRuntime> {
  const dir = mkdtempSync(join(tmpdir(), 'dsc-scan-state-'));
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
  if (scanLoop) rt.startScans([spec.name]);
  return rt;
}

/** Polls the topic until it holds `count` records or `ms` passed; returns what it holds then. */
async function topicWithin(topic: string, count: number, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = values(await consumeAll(topic).catch(() => []));
    if (now.length >= count || Date.now() > deadline) return now;
    await sleep(100);
  }
}

/**
 * Waits until `count` more scans have run, each one started after the previous (the first after the call): the
 * positive barrier for "later scans find nothing new", instead of a pause that a loaded machine can outlast.
 */
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

async function waitPlanned(rt: EmbeddedRuntime, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const tasks = await rt.store.listTasks(name);
    const record = await rt.store.getConnector(name);
    if (tasks.length > 0 && tasks.every((t) => t.state === 'FINISHED')) {
      expect(connectorState(record!, tasks)).toBe('RUNNING'); // streaming: stays RUNNING with its files done
      return;
    }
    await sleep(50);
  }
  throw new Error(`${name} never finished its planned files`);
}

const streaming = (topic: string, uris: string, intervalMs: number) =>
  fileSpec(topic, {
    topic,
    mode: '',
    'file.uris': uris,
    'file.regexp': '.*\\.csv',
    'file.scan.interval.ms': intervalMs,
    // the tests tell generations apart by the dsc.generation header
    'file.reader.provenance.headers': true,
  });

describe('scan of a local directory', () => {
  it('a file added under a running streaming connector is loaded within two scan intervals, once', async () => {
    const interval = 1_000;
    const topic = unique('scan-local');
    const dir = tempDir({ 'one.csv': 'one-1\none-2\n' });
    const rt = await run(streaming(topic, dir, interval));
    await waitPlanned(rt, topic);
    expect(values(await consumeAll(topic))).toEqual(['one-1', 'one-2']);

    writeFileSync(join(dir, 'two.csv'), 'two-1\ntwo-2\ntwo-3\n');
    writeFileSync(join(dir, 'skip.txt'), 'not selected by file.regexp\n');
    const added = Date.now();
    // Claimed at the second scan after it appeared (seen once, then seen unchanged); the load itself follows.
    // Counted in scans, not milliseconds, so a loaded machine that runs the scans late does not fail it.
    const scansBefore = new Set<string>();
    await waitFor(
      async () => {
        const at = (await readScanStatus(rt.store, topic))?.at;
        if (at && Date.parse(at) > added) scansBefore.add(at);
        return (await rt.store.listTasks(topic)).some((t) => t.taskId >= OBJECT_TASK_BASE);
      },
      { timeoutMs: 60_000, what: 'the new file to be claimed', everyMs: 20 },
    );
    expect(scansBefore.size).toBeLessThanOrEqual(2);
    const loaded = await topicWithin(topic, 5, 120_000);
    expect(loaded).toEqual(['one-1', 'one-2', 'two-1', 'two-2', 'two-3']);

    // Later scans find nothing new: the file is not loaded again.
    await laterScans(rt, topic, 2);
    await rt.idle();
    expect(values(await consumeAll(topic))).toEqual(loaded);
    const scan = await readScanStatus(rt.store, topic);
    expect(scan).toMatchObject({ listed: 2, claimed: 0, waiting: 0 });
  });

  it('a file appended to between scans is loaded once, whole, after it stops growing', async () => {
    const topic = unique('scan-append');
    const dir = tempDir({ 'first.csv': 'first\n' });
    // No scan loop: the test runs the scans itself, one after each append, so every scan sees another size (appends
    // on a timer raced the scan loop: a machine that stalled a second between two appends would let two scans see
    // the same size and load half the file).
    const rt = await run(streaming(topic, dir, 1_000), false);
    await waitPlanned(rt, topic);
    const scan = () => scanFileConnector(topic, rt.context);

    const path = join(dir, 'slow.csv');
    const lines = Array.from({ length: 30 }, (_, i) => `slow-${i}`);
    writeFileSync(path, `${lines[0]}\n`);
    for (const line of lines.slice(1)) {
      // Seen with another size than at the scan before: still changing, not claimed; status shows it waiting.
      expect(await scan()).toMatchObject({ listed: 2, claimed: 0, waiting: 1 });
      appendFileSync(path, `${line}\n`);
    }
    expect(await scan()).toMatchObject({ listed: 2, claimed: 0, waiting: 1 }); // the last append
    await rt.idle();
    expect(values(await consumeAll(topic))).toEqual(['first']); // nothing of the growing file went out

    // Unchanged since the scan before: claimed, and loaded whole.
    expect(await scan()).toMatchObject({ listed: 2, claimed: 1, waiting: 0 });
    await rt.idle();
    const got = values(await consumeAll(topic));
    expect(got).toEqual(['first', ...lines]);
    // Later scans find nothing new: the file is not loaded again.
    expect(await scan()).toMatchObject({ listed: 2, claimed: 0, waiting: 0 });
    expect(await scan()).toMatchObject({ listed: 2, claimed: 0, waiting: 0 });
    await rt.idle();
    const all = values(await consumeAll(topic));
    expect(all).toEqual(got);
    expect([...tally(all).values()].every((n) => n === 1)).toBe(true);
  });
});

describe('scan of a gs:// prefix', () => {
  it('a new object is loaded once', async () => {
    const interval = 1_000;
    const topic = unique('scan-gcs');
    const bucket = await gcsBucket({ 'in/first.csv': 'first\n', 'other/x.csv': 'elsewhere\n' });
    const rt = await run(streaming(topic, `gs://${bucket}/in/`, interval));
    await waitPlanned(rt, topic);
    const meta = await gcsPut(bucket, 'in/second.csv', 'second-1\nsecond-2\n');
    await gcsPut(bucket, 'in/readme.txt', 'not selected\n');
    const got = await topicWithin(topic, 3, 120_000);
    await laterScans(rt, topic, 2);
    await rt.idle();
    const records = await consumeAll(topic);
    expect(values(records)).toEqual(['first', 'second-1', 'second-2']);
    expect(values(records)).toEqual(got);
    expect(records[1].headers['dsc.generation']).toBe(meta.generation);
    expect(await rt.store.listTasks(topic)).toHaveLength(2);
  });

  it('an object reported by both a scan and a notification is loaded once, whichever comes first', async () => {
    const topic = unique('scan-notify');
    const bucket = await gcsBucket({ 'in/first.csv': 'first\n' });
    // A long interval: the test drives the scans itself, racing the notification deterministically both ways.
    const rt = await run(streaming(topic, `gs://${bucket}/in/`, 600_000));
    await waitPlanned(rt, topic);
    const deps = { store: rt.store, dispatcher: rt.dispatcher, log: silentLogger };
    const event = (m: { name: string; size: string; generation: string }) => ({ bucket, ...m });

    // Notification first, then the scan.
    const a = await gcsPut(bucket, 'in/a.csv', 'a-1\na-2\n');
    expect(await notifyObjectFinalized(event(a), deps)).toEqual([topic]);
    await rt.idle();
    expect(await scanFileConnector(topic, rt.context)).toMatchObject({ listed: 2, claimed: 0 });
    // Scan first, then the notification (and both at once).
    const b = await gcsPut(bucket, 'in/b.csv', 'b-1\n');
    expect(await scanFileConnector(topic, rt.context)).toMatchObject({ listed: 3, claimed: 1 });
    await notifyObjectFinalized(event(b), deps);
    // b's load ends before c is put: c's load could otherwise overtake it and the topic's order would vary.
    await rt.idle();
    const c = await gcsPut(bucket, 'in/c.csv', 'c-1\n');
    const [scanned] = await Promise.all([scanFileConnector(topic, rt.context), notifyObjectFinalized(event(c), deps)]);
    expect(scanned?.listed).toBe(4);
    await rt.idle();
    // The deployment's path: a scan PlanMessage (what the scheduled tick fans out) through the planner.
    await gcsPut(bucket, 'in/d.csv', 'd-1\n');
    await rt.dispatcher.plan({ connector: topic, epoch: 1, scan: true });
    await rt.idle();

    expect(values(await consumeAll(topic))).toEqual(['first', 'a-1', 'a-2', 'b-1', 'c-1', 'd-1']);
    expect(await rt.store.listTasks(topic)).toHaveLength(5);
    expect(await readScanStatus(rt.store, topic)).toMatchObject({ listed: 5, claimed: 1 });
  });

  it('a new generation of an object is loaded again', async () => {
    const interval = 1_000;
    const topic = unique('scan-gen');
    const bucket = await gcsBucket({ 'a.csv': 'v1-1\nv1-2\n' });
    const rt = await run(streaming(topic, `gs://${bucket}/`, interval));
    await waitPlanned(rt, topic);
    const v2 = await gcsPut(bucket, 'a.csv', 'v2-1\n');
    await topicWithin(topic, 3, 120_000);
    await laterScans(rt, topic, 2);
    await rt.idle();
    const records = await consumeAll(topic);
    expect(values(records)).toEqual(['v1-1', 'v1-2', 'v2-1']);
    expect(records[2].headers['dsc.generation']).toBe(v2.generation);
    expect(records[0].headers['dsc.generation']).not.toBe(v2.generation);
  });
});

describe('connectors that do not scan', () => {
  it('mode=eof never scans, and neither does file.scan.interval.ms=0', async () => {
    const topic = unique('scan-eof');
    const dir = tempDir({ 'one.csv': 'one\n' });
    const rt = await run(fileSpec(topic, { topic, 'file.uris': dir, 'file.scan.interval.ms': 200 }));
    const offTopic = unique('scan-off');
    const off = streaming(offTopic, dir, 0);
    const now = new Date().toISOString();
    await rt.store.createConnectors([
      { name: off.name, kind: 'file', spec: off, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
    ]);
    await rt.dispatcher.plan({ connector: off.name, epoch: 1 });
    await rt.idle();
    writeFileSync(join(dir, 'two.csv'), 'two\n');
    // Asserting that no scan happens: there is no later event to wait for. Five of the 200 ms intervals would have
    // passed, so a scan that should not run gets its chance; a loaded machine only makes this pass more easily.
    await sleep(1_000);
    expect(await scanFileConnector(topic, rt.context)).toBeUndefined();
    expect(await scanFileConnector(off.name, rt.context)).toBeUndefined();
    await rt.idle();
    expect(await readScanStatus(rt.store, topic)).toBeUndefined();
    expect(values(await consumeAll(topic))).toEqual(['one']);
    expect(values(await consumeAll(offTopic))).toEqual(['one']);
  });
});
