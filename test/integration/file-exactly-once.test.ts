// Exactly-once delivery of the file connector on the real broker, checked by content with a read_committed reader:
// crashes mid-load (in-process and a real SIGKILL of `dsc run`), SIGTERM, the same task message twice at once, a
// time budget ending mid-file, the upgrade from a checkpoint kept in the store, delete (tombstones) and re-create,
// and the at-least-once switch. Each case: every line arrived exactly once.
import type { KafkaEndpoint } from '../../shared/config/spec.js';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileCheckpoint } from '../../shared/file/file-assignment.js';
import { runFileSourceTask, type TaskOutcome } from '../../shared/file/file-source-task.js';
import { createKafkaClient } from '../../shared/kafka/port/kafka-client.js';
import { decodeRecordBatches } from '../../shared/kafka/batch/record-batch-reader.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { buildCli, exited, startDscRun } from './dsc-child.js';
import { committedRecords, delivery, fenceKilledRun, loadConf, storedOffsets, until } from './eos-helpers.js';
import {
  BROKERS,
  consumeAll,
  csvLines,
  fileSpec,
  checkpointPastTotal,
  harnessPerTest,
  holdingStore,
  leasesExpired,
  recordsAtLeast,
  tally,
  tempDir,
  unique,
  values,
  type Harness,
} from './file-helpers.js';

const newHarness = harnessPerTest();

const LINES = csvLines(40_000, 'eos', 30);
const BIG = LINES.join('\n') + '\n';
// A load paced by a commit per 20 or 200 lines: seconds on an idle machine, minutes with both cores busy.
const FINISHED_WITHIN = 300_000;
const endpoint: KafkaEndpoint = { brokers: BROKERS().split(','), security: { protocol: 'PLAINTEXT' } };

describe('file connector: exactly once', () => {
  it.each([1, 2])(
    'crashes mid-load (tasks.max %i), each resumed by a new invocation: every line once',
    async (tasks) => {
      const topic = unique('eos-crash');
      const half = LINES.length / 2;
      const dir = tempDir({
        'a.csv': LINES.slice(0, half).join('\n') + '\n',
        'b.csv': LINES.slice(half).join('\n') + '\n',
      });
      const spec = fileSpec(topic, {
        topic,
        'file.uris': dir,
        'tasks.max': tasks,
        'file.reader.batch.size': 20,
        'transaction.boundary.interval.ms': 50,
      });
      const store = await SqliteConnectorStore.open(':memory:');
      let crashes = 0;
      let h: Harness | undefined;
      for (let round = 0; round < 3; round++) {
        const kill = new AbortController();
        // Each round is killed while a task waits on its checkpoint 2,000 records past where the round began: mid-load,
        // however fast the machine loads.
        const gate = holdingStore(store, checkpointPastTotal(await store.listTasks(spec.name), 2_000));
        h = await newHarness({ taskOptions: { kill: kill.signal, leaseMs: 300 }, store: gate.store });
        if (round === 0) await h.create(spec);
        else await h.resume(spec.name);
        await gate.held();
        kill.abort(); // no more writes; the lease stays; the open transaction stays open on the broker
        gate.release();
        await h.dispatcher.idle();
        if ((await h.state(spec.name)) !== 'FINISHED') crashes++;
        newHarness.handOver(h);
        await leasesExpired(h, spec.name);
      }
      h = await newHarness({ taskOptions: { leaseMs: 300 }, store });
      await h.resume(spec.name);
      expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], FINISHED_WITHIN)).toBe('FINISHED');
      expect(crashes).toBe(3);
      expect(await delivery(topic, LINES)).toEqual({ lost: 0, duplicated: 0 });
      const progress = (await h.tasks(spec.name)).reduce((s, t) => s + t.progress.records, 0);
      expect(progress).toBe(LINES.length);
    },
    600_000,
  );

  it('kafkajs adapter (DSC_KAFKA_ADAPTER=kafkajs): a crash mid-load and a resume, every line once', async () => {
    const topic = unique('eos-kjs');
    const dir = tempDir({ 'big.csv': BIG });
    const spec = fileSpec(topic, { topic, 'file.uris': `${dir}/big.csv`, 'file.reader.batch.size': 500 });
    const kill = new AbortController();
    // Killed while the task waits on its checkpoint past 2,000 records: mid-load however fast the machine.
    const store = await SqliteConnectorStore.open(':memory:');
    const gate = holdingStore(store, checkpointPastTotal([], 2_000));
    let h = await newHarness({ taskOptions: { kill: kill.signal, leaseMs: 300 }, store: gate.store });
    const kafkajs = (e: typeof endpoint, id: string) => createKafkaClient(e, id, 'kafkajs');
    h.ctx.kafka = kafkajs;
    await h.create(spec);
    await gate.held();
    kill.abort();
    gate.release();
    await h.dispatcher.idle();
    expect(await h.state(spec.name)).not.toBe('FINISHED');
    newHarness.handOver(h);
    await leasesExpired(h, spec.name);
    h = await newHarness({ taskOptions: { leaseMs: 300 }, store });
    h.ctx.kafka = kafkajs;
    await h.resume(spec.name);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], FINISHED_WITHIN)).toBe('FINISHED');
    expect(await delivery(topic, LINES)).toEqual({ lost: 0, duplicated: 0 });
  }, 600_000);

  it('the same task message delivered twice at once: one commits, the other is fenced or refused', async () => {
    const topic = unique('eos-twice');
    const dir = tempDir({ 'big.csv': BIG });
    const h = await newHarness();
    h.dispatcher.setHandlers({ plan: async () => {}, task: async () => {} });
    const spec = fileSpec(topic, { topic, 'file.uris': `${dir}/big.csv`, 'file.reader.batch.size': 200 });
    await h.create(spec);
    const { planFileConnector } = await import('../../shared/file/file-source-connector.js');
    await planFileConnector({ connector: spec.name, epoch: 1 }, h.ctx);
    const message = { connector: spec.name, taskId: 0, epoch: 1 };
    // A lease shorter than the load: the second copy takes the first's lease over while the first still sends (it
    // starts once the first acknowledged records, not after a guessed pause; a first copy already done is allowed).
    const outcomes = await Promise.all([
      runFileSourceTask(message, h.ctx, { leaseMs: 40, stateCheckMs: 1_000 }),
      recordsAtLeast(h, spec.name, 1, { orFinished: true }).then(() =>
        runFileSourceTask(message, h.ctx, { leaseMs: 40, stateCheckMs: 1_000 }),
      ),
    ]);
    let more: TaskOutcome = 'finished';
    if (!outcomes.includes('finished')) more = await runFileSourceTask(message, h.ctx, { leaseMs: 5_000 });
    expect(more).toBe('finished');
    expect(outcomes.some((o) => o === 'stale' || o === 'busy' || o === 'gone' || o === 'done')).toBe(true);
    expect(await delivery(topic, LINES)).toEqual({ lost: 0, duplicated: 0 });
  });

  it('a time budget ending mid-file: commits, re-enqueues, continues: every line once', async () => {
    const topic = unique('eos-budget');
    // 5 batches of 200 and a zero budget, spent as soon as an invocation has sent a batch: it re-enqueues after each,
    // however fast the machine (a 30 ms budget is a guess about speed, and an invocation costs seconds under load).
    const lines = LINES.slice(0, 1_000);
    const dir = tempDir({ 'big.csv': lines.join('\n') + '\n' });
    const h = await newHarness();
    const outcomes: TaskOutcome[] = [];
    h.dispatcher.setHandlers({
      plan: async (m) => {
        const { planFileConnector } = await import('../../shared/file/file-source-connector.js');
        await planFileConnector(m, h.ctx);
      },
      task: async (m) => {
        outcomes.push(await runFileSourceTask(m, h.ctx, { budgetMs: 0, leaseMs: 5_000 }));
      },
    });
    const spec = fileSpec(topic, { topic, 'file.uris': `${dir}/big.csv`, 'file.reader.batch.size': 200 });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], FINISHED_WITHIN)).toBe('FINISHED');
    expect(outcomes.filter((o) => o === 'requeued').length).toBeGreaterThan(0);
    expect(values(await consumeAll(topic))).toEqual(lines);
  }, 600_000);

  it('upgrade: a task that checkpointed in the store before exactly-once resumes at that checkpoint', async () => {
    const topic = unique('eos-upgrade');
    const dir = tempDir({ 'big.csv': BIG });
    const h = await newHarness();
    h.dispatcher.setHandlers({ plan: async () => {}, task: async () => {} });
    const spec = fileSpec(topic, { topic, 'file.uris': `${dir}/big.csv` });
    // The spec as stored before this change: no delivery policy.
    delete (spec as { delivery?: unknown }).delivery;
    await h.create(spec);
    const { planFileConnector } = await import('../../shared/file/file-source-connector.js');
    await planFileConnector({ connector: spec.name, epoch: 1 }, h.ctx);
    const done = 12_345;
    const offset = Buffer.byteLength(LINES.slice(0, done).join('\n') + '\n');
    const checkpoint: FileCheckpoint = { fileIndex: 0, offset, line: done, entryIndex: 0, entryRecords: 0 };
    const task = (await h.tasks(spec.name))[0];
    const progress = { ...task.progress, records: done, bytes: offset };
    await h.store.updateTask(spec.name, 0, task.version, { checkpoint, progress, state: 'RUNNING' });
    expect(await runFileSourceTask({ connector: spec.name, taskId: 0, epoch: 1 }, h.ctx)).toBe('finished');
    expect(values(await consumeAll(topic))).toEqual(LINES.slice(done));
    expect((await h.tasks(spec.name))[0].progress.records).toBe(LINES.length);
  });

  it('delete tombstones the offsets; the connector created again loads afresh', async () => {
    const topic = unique('eos-delete');
    const dir = tempDir({ 'small.csv': LINES.slice(0, 500).join('\n') + '\n' });
    const h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': `${dir}/small.csv` });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');
    expect((await storedOffsets(spec.name)).size).toBe(1);
    const record = (await h.store.getConnector(spec.name))!;
    await h.store.deleteConnector(spec.name);
    const { kafkaOffsetsCleanup } = await import('../../shared/lifecycle/offsets-cleanup.js');
    const { silentLogger } = await import('../../shared/runtime/log.js');
    expect(await kafkaOffsetsCleanup(endpoint, silentLogger).deleteOffsets(record)).toBe(1);
    expect((await storedOffsets(spec.name)).size).toBe(0);
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');
    const counts = tally(values(await consumeAll(topic)));
    expect([...counts.values()].every((n) => n === 2)).toBe(true);
    expect(counts.size).toBe(500);
  });

  it('exactly.once.source.support=disabled: plain idempotent batches, no transactions', async () => {
    const topic = unique('eos-off');
    const dir = tempDir({ 'small.csv': LINES.slice(0, 300).join('\n') + '\n' });
    const h = await newHarness();
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `${dir}/small.csv`,
      'exactly.once.source.support': 'disabled',
    });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');
    expect(values(await consumeAll(topic))).toEqual(LINES.slice(0, 300));
    const consumer = createKafkaClient(endpoint, 'dsc-eos-test', 'wire').consumer({ maxWaitMs: 100 });
    await consumer.connect();
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    const batches = (await consumer.fetch()).flatMap((f) => decodeRecordBatches(f.records, false));
    await consumer.close();
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.some((b) => b.transactional || b.control)).toBe(false);
    expect((await storedOffsets(spec.name)).size).toBe(0);
  });
});

describe('dsc run as a process: exactly once across SIGKILL and SIGTERM', () => {
  beforeAll(() => buildCli(), 600_000);

  it('SIGKILL twice, then SIGTERM, each mid-load, then runs to the end: every line once', async () => {
    const topic = unique('eos-proc');
    // Batches of 20 lines (~40,000 lines/s here) committed every 100 ms. Each run is stopped (SIGSTOP) the moment its
    // first commit is seen and signalled then: it lands mid-load however fast the machine (a random 0-300 ms of
    // loading before the signal was a guess about speed); where it lands relative to the run's transactions varies
    // with how long the look took.
    const lines = csvLines(200_000, 'proc', 40);
    const dir = tempDir({ 'big.csv': lines.join('\n') + '\n' });
    const conf = loadConf(dir, topic, `${dir}/big.csv`, {
      'file.reader.batch.size': 20,
      'transaction.boundary.interval.ms': 100,
    });
    const state = join(dir, 'state');
    let fresh = true;
    for (const signal of ['SIGKILL', 'SIGKILL', 'SIGTERM'] as const) {
      const before = await committedRecords(topic);
      const child = startDscRun(state, conf, fresh);
      fresh = false;
      // This run committed (it resumed, and its signal handlers are set up): the signal lands mid-load.
      await until(`${topic} commits past ${before}`, async () => (await committedRecords(topic)) > before);
      child.kill('SIGSTOP');
      child.kill(signal);
      child.kill('SIGCONT'); // a stopped process takes its SIGTERM once continued (a SIGKILL at once)
      const code = await exited(child);
      if (signal === 'SIGKILL') await fenceKilledRun(topic, conf);
      const committed = await committedRecords(topic);
      expect(committed).toBeLessThan(lines.length);
      if (signal === 'SIGKILL') {
        expect(child.signalCode).toBe('SIGKILL');
        continue;
      }
      // SIGTERM: interrupted (130), after stopping at a batch boundary (between two batches, or at the end of a read
      // chunk) and committing what it sent: the topic holds the file's first lines, each once, up to the position
      // its offset names (the killed runs' records aborted).
      expect(code).toBe(130);
      const got = values(await consumeAll(topic));
      expect(got.length).toBe(committed);
      expect(got).toEqual(lines.slice(0, got.length));
      const [offset] = (await storedOffsets(topic)).values();
      expect(offset).toMatchObject({ records: got.length, offset: Buffer.byteLength(got.join('\n') + '\n') });
    }
    const last = startDscRun(state, conf, false);
    expect(await exited(last, 120_000)).toBe(0);
    expect(await delivery(topic, lines)).toEqual({ lost: 0, duplicated: 0 });
  });
});
