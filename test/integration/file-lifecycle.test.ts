// Lifecycle of a file connector on real Kafka: pause mid-file (within 5 s, nothing lost), resume, delete (state
// gone; re-create loads again), a worker killed mid-file (lease expires, the next one resumes: nothing lost,
// duplicates ≤ one batch), and the time budget (checkpoint, re-enqueue, continue).
import { describe, expect, it, vi } from 'vitest';
import type { FileCheckpoint } from '../../shared/file/file-assignment.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { runFileSourceTask, type TaskOutcome } from '../../shared/file/file-source-task.js';
import {
  consumeAll,
  checkpointPastTotal,
  csvLines,
  fileSpec,
  gcsBucket,
  harnessPerTest,
  holdingStore,
  sleep,
  stateCheckedSince,
  tally,
  tempDir,
  unique,
  values,
} from './file-helpers.js';
import { waitFor } from '../wait-for.js';

const newHarness = harnessPerTest();

const LINES = csvLines(40_000, 'life', 30);
const BIG = LINES.join('\n') + '\n';

describe('file connector lifecycle', () => {
  it('pause stops the task within 5 s at a batch boundary; resume continues; nothing lost or repeated', async () => {
    const topic = unique('pause');
    const bucket = await gcsBucket({ 'big.csv': BIG });
    // The task waits on its first checkpoint past 100 records while the test pauses it: the pause lands mid-file
    // however fast the machine loads (exactly once loads these 40k lines in about a second).
    const gate = holdingStore(await SqliteConnectorStore.open(':memory:'), checkpointPastTotal([], 100));
    // The desired state read every 100 ms (default 1 s).
    const h = await newHarness({ store: gate.store, taskOptions: { stateCheckMs: 100 } });
    // Commits (and so store progress) every 20 ms.
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `gs://${bucket}/big.csv`,
      'file.reader.batch.size': 20,
      'transaction.boundary.interval.ms': 20,
    });
    await h.create(spec);
    const held = await gate.held();
    await h.pause(spec.name);
    await stateCheckedSince(gate, gate.connectorReads());
    gate.release();
    await h.waitFor(spec.name, ['PAUSED'], 60_000);
    // The task itself has stopped (not just the desired state): its document says PAUSED, its lease is released.
    const task = await waitFor(
      async () => {
        const t = (await h.tasks(spec.name))[0];
        return t.state === 'PAUSED' ? t : undefined;
      },
      { timeoutMs: 60_000, what: 'the task to stop at PAUSED' },
    );
    const atPause = task.progress.records;
    expect(atPause).toBeGreaterThanOrEqual(held.patch.progress!.records);
    expect(atPause).toBeLessThan(LINES.length);
    // Nothing moves while paused: once no task runs in the dispatcher (the positive barrier), none can move it.
    await h.dispatcher.idle();
    expect((await h.tasks(spec.name))[0].progress.records).toBe(atPause);
    expect((await consumeAll(topic)).length).toBe(atPause);
    expect((task.checkpoint as FileCheckpoint).offset).toBeGreaterThan(0);

    await h.resume(spec.name);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 60_000)).toBe('FINISHED');
    const got = values(await consumeAll(topic));
    expect(got).toHaveLength(LINES.length);
    expect(got).toEqual(LINES);
  });

  it('delete stops the tasks and removes state; creating it again loads again', async () => {
    const topic = unique('del');
    const dir = tempDir({ 'big.csv': BIG });
    // The task waits on its first checkpoint past 100 records while the test deletes the connector: the delete lands
    // mid-file however fast the machine loads (a state check every 1 s can come after the file's end on a fast machine).
    const gate = holdingStore(await SqliteConnectorStore.open(':memory:'), checkpointPastTotal([], 100));
    const h = await newHarness({ store: gate.store });
    // Commits (and so store progress) every 20 ms.
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `${dir}/big.csv`,
      'file.reader.batch.size': 20,
      'transaction.boundary.interval.ms': 20,
    });
    await h.create(spec);
    const held = await gate.held();
    await h.store.deleteConnector(spec.name);
    gate.release(); // the held write finds the task gone: the task stops there

    await h.dispatcher.idle();
    expect(await h.store.getConnector(spec.name)).toBeUndefined();
    expect(await h.store.listTasks(spec.name)).toEqual([]);
    expect(await h.store.listOffsets(spec.name)).toEqual([]);
    // Stopped where it was deleted: the held checkpoint was of the last commit (the transaction open after it is
    // aborted), so the topic holds exactly the records committed before the delete, short of the file.
    const partial = (await consumeAll(topic)).length;
    expect(partial).toBe(held.patch.progress!.records);
    expect(partial).toBeLessThan(LINES.length);

    const small = fileSpec(topic, { topic, 'file.uris': `${dir}/big.csv` });
    await h.create(small);
    expect(await h.waitFor(small.name, ['FINISHED'], 60_000)).toBe('FINISHED');
    const all = values(await consumeAll(topic));
    expect(all.slice(partial)).toEqual(LINES);
  });

  it('at least once: a worker killed mid-file: a second copy is refused while the lease lives, then resumes; duplicates ≤ one batch', async () => {
    const topic = unique('kill');
    const dir = tempDir({ 'big.csv': BIG });
    const batch = 500;
    const kill = new AbortController();
    const leaseMs = 2_000;
    // The task waits on its fifth batch's checkpoint while the test kills it: the crash lands mid-file however fast
    // the machine loads.
    const gate = holdingStore(await SqliteConnectorStore.open(':memory:'), checkpointPastTotal([], 5 * batch));
    const h = await newHarness({ store: gate.store, taskOptions: { kill: kill.signal, leaseMs } });
    // The at-least-once checkpoints (exactly once has its own crash tests: file-exactly-once.test.ts).
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `${dir}/big.csv`,
      'file.reader.batch.size': batch,
      'exactly.once.source.support': 'disabled',
    });
    await h.create(spec);
    const held = await gate.held();
    kill.abort(); // the "crash": no more writes (the held one was under way), the lease is not released
    gate.release();
    await h.dispatcher.idle();
    const crashed = (await h.tasks(spec.name))[0];
    expect(crashed.state).toBe('RUNNING');
    // The lease the last write before the crash took, still held by the dead invocation.
    expect(crashed.lease).toEqual(held.patch.lease);
    expect(crashed.lease!.owner).not.toBe('');
    const acked = crashed.progress.records;
    expect(acked).toBe(held.patch.progress!.records);
    expect(acked).toBeLessThan(LINES.length);

    const message = { connector: spec.name, taskId: 0, epoch: 1 };
    // A second copy while the lease lives: its clock reads the last moment of the lease (on a loaded machine the
    // real 2 s can be over before the copy has read the task).
    const clock = vi.spyOn(Date, 'now').mockReturnValue(crashed.lease!.expiresAt - 1);
    let second: TaskOutcome;
    try {
      second = await runFileSourceTask(message, h.ctx, { leaseMs });
    } finally {
      clock.mockRestore();
    }
    expect(second).toBe<TaskOutcome>('busy');

    // Not a guess: the lease's own expiry time, after which another copy may take the task.
    await sleep(Math.max(0, crashed.lease!.expiresAt - Date.now()) + 50);
    const third = await runFileSourceTask(message, h.ctx, { leaseMs });
    expect(third).toBe<TaskOutcome>('finished');
    const got = values(await consumeAll(topic));
    const counts = tally(got);
    for (const l of LINES) expect(counts.get(l) ?? 0).toBeGreaterThanOrEqual(1);
    const duplicates = got.length - LINES.length;
    expect(duplicates).toBeLessThanOrEqual(batch);
    expect((await h.tasks(spec.name))[0].progress.records).toBe(LINES.length);
  });

  it('the time budget: the task checkpoints, re-enqueues itself and continues until done', async () => {
    const topic = unique('budget');
    // A zero budget is spent as soon as an invocation has sent one batch, so every invocation sends (at least) one
    // batch of 20 and re-enqueues itself: the count no longer depends on how fast the machine is (a 100 ms budget
    // finished in two invocations on a quiet machine and flaked CI).
    const lines = LINES.slice(0, 200);
    const dir = tempDir({ 'big.csv': lines.join('\n') + '\n' });
    const h = await newHarness();
    let invocations = 0;
    const outcomes: TaskOutcome[] = [];
    h.dispatcher.setHandlers({
      plan: async (m) => {
        const { planFileConnector } = await import('../../shared/file/file-source-connector.js');
        await planFileConnector(m, h.ctx);
      },
      task: async (m) => {
        invocations++;
        outcomes.push(await runFileSourceTask(m, h.ctx, { budgetMs: 0, leaseMs: 5_000 }));
      },
    });
    // At least once: the budget mechanism alone (file-exactly-once.test.ts runs it with transactions).
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `${dir}/big.csv`,
      'file.reader.batch.size': 20,
      'exactly.once.source.support': 'disabled',
    });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 300_000)).toBe('FINISHED');
    // 200 lines in batches of 20: 10 batches, so at least 3 invocations however the reader groups them.
    expect(invocations).toBeGreaterThan(2);
    expect(outcomes.slice(0, -1).every((o) => o === 'requeued')).toBe(true);
    expect(outcomes.at(-1)).toBe('finished');
    expect(values(await consumeAll(topic))).toEqual(lines);
  }, 600_000);
});
