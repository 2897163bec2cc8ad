// Restart on real Kafka through the management API: a task FAILED on bad data; the user fixes the file and restarts
// only the failed task, which continues from its checkpoint (nothing lost, nothing repeated) while the finished task
// is left alone. A connector whose planning failed is planned again by a restart. A running connector restarted
// mid-file continues from its checkpoint.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noAuth } from '../../shared/lifecycle/auth.js';
import { createManagementHandler } from '../../shared/lifecycle/management-api.js';
import { silentLogger } from '../../shared/runtime/log.js';
import {
  consumeAll,
  csvLines,
  fileSpec,
  gcsBucket,
  gcsPut,
  harnessPerTest,
  sleep,
  tally,
  tempDir,
  unique,
  values,
  type Harness,
} from './file-helpers.js';

const newHarness = harnessPerTest();
let h: Harness | undefined;

async function restart(h: Harness, name: string, onlyFailed = false) {
  const handler = createManagementHandler({
    store: h.store,
    dispatcher: h.dispatcher,
    auth: noAuth(),
    log: silentLogger,
  });
  const res = { statusCode: 0, text: '', setHeader: () => undefined, end: (b?: string) => void (res.text = b ?? '') };
  const url = `/connectors/${name}/restart${onlyFailed ? '?onlyFailed=true' : ''}`;
  await handler({ method: 'POST', url, headers: {} }, res);
  // The planner runs on a later turn; until it has reset them the tasks still read FAILED.
  await h.dispatcher.idle();
  return { status: res.statusCode, body: JSON.parse(res.text) as { epoch: number; restarted: number[] } };
}

const GOOD = Array.from({ length: 50 }, (_, i) => `{"a":${i}}`);
const BAD = ['{"id":1}', '{"id":2}', '{"id":3,}', '{"id":4}'];
const FIXED = ['{"id":1}', '{"id":2}', '{"id":33}', '{"id":4}'];

describe('restart', () => {
  it('--failed-only: the fixed file continues from its checkpoint; the finished task is not run again', async () => {
    const topic = unique('restart-failed');
    const dir = tempDir({ 'a.json': GOOD.join('\n') + '\n', 'b.json': BAD.join('\n') + '\n' });
    h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': dir, 'tasks.max': 2, 'file.reader.batch.size': 1 });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FAILED');
    await h.dispatcher.idle(); // the good task finishes too
    const before = await h.tasks(spec.name);
    const failed = before.find((t) => t.state === 'FAILED')!;
    const finished = before.find((t) => t.state === 'FINISHED')!;
    expect(failed.lastError).toMatch(/b\.json line 3: invalid JSON/);

    // The user repairs line 3 in place (same length, so the planned size still holds) and restarts the failed task.
    writeFileSync(join(dir, 'b.json'), FIXED.join('\n') + '\n');
    const r = await restart(h, spec.name, true);
    expect(r).toEqual({
      status: 202,
      body: { name: spec.name, desired: 'RUNNING', epoch: 1, restarted: [failed.taskId] },
    });
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');

    const after = await h.tasks(spec.name);
    expect(after.find((t) => t.taskId === finished.taskId)!.version).toBe(finished.version);
    const again = after.find((t) => t.taskId === failed.taskId)!;
    expect(again.progress).toMatchObject({ records: 4, errors: 0 });
    expect(again.lastError).toMatch(/b\.json line 3: invalid JSON/); // history keeps the last error
    const got = values(await consumeAll(topic));
    expect(got.filter((v) => v.startsWith('{"a"'))).toEqual(GOOD);
    expect(got.filter((v) => v.startsWith('{"id"'))).toEqual(FIXED);
  });

  it('a connector whose planning failed is planned again by restart once the file exists', async () => {
    const topic = unique('restart-plan');
    const bucket = await gcsBucket();
    h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': `gs://${bucket}/late.csv` });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FAILED');
    const lines = csvLines(500, 'late');
    await gcsPut(bucket, 'late.csv', lines.join('\n') + '\n');
    const r = await restart(h, spec.name);
    expect(r.status).toBe(202);
    expect(r.body.epoch).toBe(2);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');
    expect(values(await consumeAll(topic))).toEqual(lines);
  });

  it('a RUNNING connector restarted mid-file continues from its checkpoint: every record arrives', async () => {
    const topic = unique('restart-running');
    const lines = csvLines(60_000, 'run', 30);
    const bucket = await gcsBucket({ 'big.csv': lines.join('\n') + '\n' });
    h = await newHarness();
    // A transaction (and store checkpoint) per small batch: progress shows early and the load outlasts the restart.
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `gs://${bucket}/big.csv`,
      'file.reader.batch.size': 50,
      'transaction.boundary.interval.ms': 1,
    });
    await h.create(spec);
    while ((await h.tasks(spec.name)).reduce((n, t) => n + t.progress.records, 0) < 200) await sleep(20);
    const r = await restart(h, spec.name);
    expect(r).toMatchObject({ status: 202, body: { epoch: 2, restarted: [0] } });
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 60_000)).toBe('FINISHED');
    const got = values(await consumeAll(topic));
    // At least once: every line arrived; a batch in flight at the restart may arrive twice.
    expect(new Set(got)).toEqual(new Set(lines));
    const repeated = [...tally(got).values()].filter((n) => n > 1).length;
    expect(repeated).toBeLessThanOrEqual(50);
    expect((await h.tasks(spec.name))[0].epoch).toBe(2);
  });
});
