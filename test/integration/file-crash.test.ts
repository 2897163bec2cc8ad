// The crash guarantee with a real process: a `file` connector's worker is killed with SIGKILL mid-load (no
// graceful anything: sockets cut, requests in flight lost), then the task runs again from its checkpoint once the
// lease expired. Every line must be on the topic, and no more than one batch twice.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InProcessDispatcher } from '../../shared/dispatch/in-process-dispatcher.js';
import type { FileConnectorContext } from '../../shared/file/file-connector-context.js';
import { runFileSourceTask } from '../../shared/file/file-source-task.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../../shared/runtime/log.js';
import {
  BROKERS,
  consumeAll,
  csvLines,
  fileSpec,
  kafka,
  sleep,
  tally,
  tempDir,
  unique,
  values,
} from './file-helpers.js';
import { createTopic } from './mirror-helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('file task killed with SIGKILL mid-load', () => {
  it('at least once (exactly.once.source.support=disabled): loses nothing and repeats at most one batch', async () => {
    const lines = csvLines(400_000, 'crash', 60);
    const dir = tempDir({ 'big.csv': lines.join('\n') + '\n' });
    const topic = unique('crash');
    // Small batches (an ack and a checkpoint each) keep the load running well past the kill, however fast the engine.
    const batch = 200;
    const leaseMs = 2_000;
    const stateDir = mkdtempSync(join(tmpdir(), 'dsc-file-crash-'));
    // The at-least-once checkpoints (exactly once has its own crash tests: file-exactly-once.test.ts).
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `${dir}/big.csv`,
      'file.reader.batch.size': batch,
      'exactly.once.source.support': 'disabled',
    });
    const store = await SqliteConnectorStore.openStateDir(stateDir);
    const now = new Date().toISOString();
    await store.createConnectors([
      { name: spec.name, kind: 'file', spec, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
    ]);

    // One admin connection polled every 5 ms: the load is fast, the kill must follow the first batches closely. The
    // topic is made first: an admin that looked it up before it existed may keep failing to find its offsets.
    await createTopic(kafka(), topic, 1); // waits for the leader itself (kafkajs' waitForLeaders may give up)
    const admin = kafka().admin();
    await admin.connect();
    const child = spawn(
      join(ROOT, 'node_modules/.bin/node'),
      [
        join(ROOT, 'node_modules/.bin/vite-node'),
        'test/fixtures/file-task/run-connector.ts',
        stateDir,
        spec.name,
        String(leaseMs),
      ],
      { cwd: ROOT, env: process.env, stdio: ['ignore', 'ignore', openSync(join(stateDir, 'child.log'), 'a')] },
    );
    const exited = new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 180_000; // the child's start (vite-node compiles) takes long on a loaded machine
    let atKill = 0;
    const end = async (): Promise<number> =>
      (await admin.fetchTopicOffsets(topic).catch(() => [])).reduce((s, p) => s + Number(p.high), 0);
    while (Date.now() < deadline && (atKill = await end()) < 10 * batch) await sleep(5);
    child.kill('SIGKILL');
    await admin.disconnect();
    await exited;
    expect(atKill).toBeGreaterThanOrEqual(10 * batch);
    const [crashed] = await store.listTasks(spec.name);
    expect(crashed.state).toBe('RUNNING'); // really mid-load
    expect(crashed.progress.records).toBeLessThan(lines.length);

    await sleep(Math.max(0, crashed.lease!.expiresAt - Date.now()) + 50);
    const ctx: FileConnectorContext = {
      store,
      dispatcher: new InProcessDispatcher(undefined, silentLogger),
      log: silentLogger,
      target: { brokers: BROKERS().split(','), security: { protocol: 'PLAINTEXT' } },
    };
    expect(await runFileSourceTask({ connector: spec.name, taskId: 0, epoch: 1 }, ctx, { leaseMs })).toBe('finished');
    const got = values(await consumeAll(topic));
    const counts = tally(got);
    const lost = lines.filter((l) => !counts.has(l));
    expect(lost).toEqual([]);
    const repeated = got.length - lines.length;
    expect(repeated).toBeGreaterThanOrEqual(0);
    expect(repeated).toBeLessThanOrEqual(batch);
    expect((await store.listTasks(spec.name))[0].progress.records).toBe(lines.length);
    await store.close();
  }, 300_000);
});
