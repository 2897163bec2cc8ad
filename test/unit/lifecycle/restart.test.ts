// Restart: which tasks start again (all unfinished ones, or only the FAILED ones), what the API answers, and what
// the planner writes (error counter zeroed, last error kept, running tasks left alone by --failed-only).
import { describe, expect, it } from 'vitest';
import { NoopDispatcher } from '../../../shared/dispatch/noop-dispatcher.js';
import { planFileConnector } from '../../../shared/file/file-source-connector.js';
import { noAuth } from '../../../shared/lifecycle/auth.js';
import { createManagementHandler } from '../../../shared/lifecycle/management-api.js';
import { carriedCounts, restartTransition } from '../../../shared/lifecycle/restart.js';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import type { TaskRecord } from '../../../shared/lifecycle/store.js';
import { silentLogger } from '../../../shared/runtime/log.js';
import { fileSpec, mirrorSpec, record, task } from './task-fixtures.js';

const file = { name: 'fs', epoch: 3, kind: 'file' as const };
const tasks = [task('fs', 0, 'RUNNING'), task('fs', 1, 'FAILED'), task('fs', 2, 'FINISHED')];

describe('restartTransition', () => {
  it('restarts every unfinished task of a FAILED or RUNNING connector under a new epoch', () => {
    for (const state of ['FAILED', 'RUNNING', 'UNASSIGNED'] as const) {
      expect(restartTransition(file, state, tasks, false)).toEqual({
        ok: true,
        patch: { desired: 'RUNNING', epoch: 4 },
        scope: 'all',
        tasks: [0, 1],
      });
    }
  });

  it('--failed-only keeps the epoch (running tasks go on) and names only the failed tasks', () => {
    expect(restartTransition(file, 'FAILED', tasks, true)).toEqual({
      ok: true,
      patch: { desired: 'RUNNING' },
      scope: 'failed',
      tasks: [1],
    });
    expect(restartTransition(file, 'RUNNING', [task('fs', 0, 'RUNNING')], true)).toEqual({
      ok: true,
      scope: 'failed',
      tasks: [],
    });
  });

  it('a mirror restarts as a whole when one of its tasks failed (they share one consumer group)', () => {
    const mirror = { name: 'm', epoch: 1, kind: 'mirror' as const };
    const d = restartTransition(mirror, 'FAILED', [task('m', 0, 'RUNNING'), task('m', 1, 'FAILED')], true);
    const patch = { desired: 'RUNNING', epoch: 2, restartEpoch: 2 };
    expect(d).toEqual({ ok: true, patch, scope: 'all', tasks: [0, 1] });
    // A mirror has no plan message: the new epoch is marked as a restart for the runtime that starts under it.
    expect(restartTransition(mirror, 'RUNNING', [task('m', 0, 'RUNNING')], false)).toMatchObject({ patch });
  });

  it('a mirror runtime zeroes the errors of rows written before the restart and keeps their last error', () => {
    const progress = { filesDone: 0, filesTotal: 0, records: 40, bytes: 400, bytesTotal: 0, recordsPerSecond: 9 };
    const row = (epoch: number) => ({ epoch, progress: { ...progress, errors: 3 }, lastError: 't-0@7: bad' });
    // Restarted under epoch 5: a row of epoch 4, even one the old runtime wrote late, is from before the restart.
    expect(carriedCounts(row(4), 5)).toEqual({ records: 40, bytes: 400, errors: 0, lastError: 't-0@7: bad' });
    // Written by the restarted run itself (a worker that started again under epoch 5, or a later resume).
    expect(carriedCounts(row(5), 5)).toEqual({ records: 40, bytes: 400, errors: 3 });
    expect(carriedCounts(row(6), 5)).toEqual({ records: 40, bytes: 400, errors: 3 });
    // Never restarted: the count carries on, as it does across a pause and resume.
    expect(carriedCounts(row(4))).toEqual({ records: 40, bytes: 400, errors: 3 });
  });

  it('refuses a PAUSED or FINISHED connector with 409 and what to do instead', () => {
    const paused = restartTransition(file, 'PAUSED', tasks, false);
    expect(paused.ok || paused.message).toBe('connector fs is paused; resume it to run its tasks again');
    const finished = restartTransition(file, 'FINISHED', tasks, false);
    expect(finished.ok || finished.message).toMatch(/FINISHED.*delete the connector and create it again/);
  });
});

async function setup() {
  const store = await SqliteConnectorStore.open(':memory:');
  const dispatcher = new NoopDispatcher();
  const handler = createManagementHandler({ store, dispatcher, auth: noAuth(), log: silentLogger });
  const spec = fileSpec('fs');
  await store.createConnectors([record(spec)]);
  const progress = { filesDone: 0, filesTotal: 1, records: 10, bytes: 100, bytesTotal: 1000, recordsPerSecond: 5 };
  await store.putTasks('fs', [
    { ...task('fs', 0, 'RUNNING'), progress: { ...progress, errors: 2 }, lastError: 'x.csv line 4: bad' },
    { ...task('fs', 1, 'FAILED'), progress: { ...progress, errors: 3 }, lastError: 'y.csv line 9: boom' },
    { ...task('fs', 2, 'FINISHED'), progress: { ...progress, errors: 1 } },
  ]);
  const call = async (method: string, url: string) => {
    const res = { statusCode: 0, text: '', setHeader: () => undefined, end: (b?: string) => (res.text = b ?? '') };
    await handler({ method, url, headers: {} }, res);
    return { status: res.statusCode, body: res.text ? (JSON.parse(res.text) as Record<string, unknown>) : undefined };
  };
  // The planner as the plan function runs it, on the message the API dispatched.
  const plan = async () => {
    const ctx = { store, dispatcher, log: silentLogger, target: { brokers: [], security: { protocol: 'PLAINTEXT' } } };
    await planFileConnector(dispatcher.plans.at(-1)!, ctx as never);
  };
  const byId = async (): Promise<TaskRecord[]> => store.listTasks('fs');
  return { store, dispatcher, call, plan, byId };
}

describe('POST /connectors/NAME/restart', () => {
  it('onlyFailed=true resets only the FAILED task: errors 0, last error kept, same epoch; the others untouched', async () => {
    const { dispatcher, call, plan, byId } = await setup();
    const r = await call('POST', '/connectors/fs/restart?onlyFailed=true');
    expect(r).toEqual({ status: 202, body: { name: 'fs', desired: 'RUNNING', epoch: 1, restarted: [1] } });
    expect(dispatcher.plans).toEqual([{ connector: 'fs', epoch: 1, restart: 'failed' }]);
    await plan();
    const [t0, t1, t2] = await byId();
    expect(t1).toMatchObject({ state: 'UNASSIGNED', epoch: 1, lastError: 'y.csv line 9: boom' });
    expect(t1.progress).toMatchObject({ errors: 0, records: 10, bytes: 100, recordsPerSecond: 0 });
    expect(t0).toMatchObject({ state: 'RUNNING', version: 1, progress: { errors: 2 } });
    expect(t2).toMatchObject({ state: 'FINISHED', version: 1, progress: { errors: 1 } });
    expect(dispatcher.tasks).toEqual([{ connector: 'fs', taskId: 1, epoch: 1 }]);
  });

  it('without onlyFailed every unfinished task starts again under a new epoch, keeping its position', async () => {
    const { dispatcher, call, plan, byId } = await setup();
    const r = await call('POST', '/connectors/fs/restart');
    expect(r).toEqual({ status: 202, body: { name: 'fs', desired: 'RUNNING', epoch: 2, restarted: [0, 1] } });
    await plan();
    const [t0, t1, t2] = await byId();
    for (const t of [t0, t1]) {
      expect(t).toMatchObject({ state: 'UNASSIGNED', epoch: 2, progress: { errors: 0, records: 10 } });
      expect(t.lastError).toMatch(/line \d: /);
    }
    expect(t2).toMatchObject({ state: 'FINISHED', epoch: 1, progress: { errors: 1 } });
    expect(dispatcher.tasks.map((t) => [t.taskId, t.epoch])).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('onlyFailed with no failed task changes nothing; PAUSED is 409; unknown is 404; GET is 405', async () => {
    const { store, dispatcher, call } = await setup();
    const failed = (await store.listTasks('fs'))[1];
    await store.updateTask('fs', 1, failed.version, { state: 'RUNNING' });
    expect(await call('POST', '/connectors/fs/restart?onlyFailed=true')).toMatchObject({
      status: 202,
      body: { epoch: 1, restarted: [] },
    });
    expect(dispatcher.plans).toEqual([]);
    expect((await call('GET', '/connectors/fs/restart')).status).toBe(405);
    expect((await call('POST', '/connectors/nope/restart')).status).toBe(404);
    await store.updateConnector('fs', { desired: 'PAUSED' });
    const paused = await call('POST', '/connectors/fs/restart');
    expect(paused).toMatchObject({ status: 409, body: { message: /resume it/ } });
  });

  it('a mirror restart bumps the epoch, stores it as the restart epoch and dispatches no plan', async () => {
    const { store, dispatcher, call } = await setup();
    await store.createConnectors([record(mirrorSpec('m'))]);
    await store.putTasks('m', [task('m', 0, 'FAILED')]);
    expect(await call('POST', '/connectors/m/restart?onlyFailed=true')).toMatchObject({
      status: 202,
      body: { epoch: 2, restarted: [0] },
    });
    expect(dispatcher.plans).toEqual([]);
    // The mirror worker follows the epoch; the runtime it starts zeroes the error counts of older rows.
    expect(await store.getConnector('m')).toMatchObject({ epoch: 2, restartEpoch: 2 });
    await store.updateConnector('m', { desired: 'PAUSED' });
    expect((await call('PUT', '/connectors/m/resume')).status).toBe(202);
    expect(await store.getConnector('m')).toMatchObject({ epoch: 3, restartEpoch: 2 }); // a resume is no restart
    // A file connector's restart goes through its plan message instead.
    expect((await call('POST', '/connectors/fs/restart')).body).toMatchObject({ epoch: 2 });
    expect((await store.getConnector('fs'))!.restartEpoch).toBeUndefined();
  });
});
