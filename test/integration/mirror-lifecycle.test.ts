// Lifecycle and delivery on the real clusters: SASL_SSL + SCRAM on the source, pause/resume/delete, and a worker
// killed with SIGKILL mid-stream then restarted (child process): every source record ends up on the target.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { mirrorGroupId } from '../../shared/mirror/mirror-source-task.js';
import {
  consume,
  createConnector,
  createTopic,
  mirrorSpec,
  produce,
  sourceKafka,
  targetKafka,
  unique,
  waitFor,
  mirrorWorkerForSuite,
} from './mirror-helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function endOffsetsSum(topic: string): Promise<number> {
  const admin = targetKafka().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((a, p) => a + Number(p.high), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

describe('mirror connector lifecycle', () => {
  const worker = mirrorWorkerForSuite();
  const src = sourceKafka();
  const tgt = targetKafka();

  it('reads the source over SASL_SSL with SCRAM-SHA-512 and a PEM trust worker.store', async () => {
    const topic = unique('sasl');
    await createTopic(src, topic, 1);
    await produce(src, topic, [{ value: 'secure-1' }, { value: 'secure-2' }]);
    const jaas =
      'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
      `username="${process.env.SOURCE_KAFKA_SCRAM_USER ?? 'dsc'}" password="${process.env.SOURCE_KAFKA_SCRAM_PASSWORD ?? 'dsc-secret'}";`;
    const security: Record<string, string> = {};
    for (const prefix of ['consumer', 'source.admin']) {
      security[`${prefix}.security.protocol`] = 'SASL_SSL';
      security[`${prefix}.sasl.mechanism`] = 'SCRAM-SHA-512';
      security[`${prefix}.sasl.jaas.config`] = jaas;
      security[`${prefix}.ssl.truststore.location`] = process.env.SOURCE_KAFKA_CA_PEM ?? '';
    }
    const name = unique('m-sasl');
    await createConnector(
      worker.store,
      mirrorSpec(name, {
        'source.cluster.bootstrap.servers': process.env.SOURCE_KAFKA_SASL_SSL_BROKERS ?? '127.0.0.1:19094',
        topics: topic,
        ...security,
      }),
    );
    const got = await consume(tgt, `src.${topic}`, 2);
    expect(got.map((g) => g.value)).toEqual(['secure-1', 'secure-2']);
  });

  it('pause stops consuming, resume continues from the committed offsets, delete removes the state', async () => {
    const topic = unique('pause');
    await createTopic(src, topic, 1);
    await produce(src, topic, [{ value: 'p1' }]);
    const name = unique('m-pause');
    await createConnector(worker.store, mirrorSpec(name, { topics: topic }));
    expect((await consume(tgt, `src.${topic}`, 1)).map((g) => g.value)).toEqual(['p1']);

    await worker.store.updateConnector(name, { desired: 'PAUSED' });
    await waitFor(async () => (await worker.store.listTasks(name)).every((t) => t.state === 'PAUSED') || undefined);
    await produce(src, topic, [{ value: 'p2' }]);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await endOffsetsSum(`src.${topic}`)).toBe(1);

    await worker.store.updateConnector(name, { desired: 'RUNNING', epoch: 2 });
    const after = await consume(tgt, `src.${topic}`, 2);
    expect(after.map((g) => g.value)).toEqual(['p1', 'p2']); // resumed, no re-copy of p1

    expect(await worker.store.deleteConnector(name)).toBe(true);
    const admin = src.admin();
    await admin.connect();
    try {
      // The connector's consumer group (its source offsets) is gone once the worker noticed the delete.
      await waitFor(
        async () => !(await admin.listGroups()).groups.some((g) => g.groupId === `dsc-mirror.${name}`) || undefined,
      );
    } finally {
      await admin.disconnect();
    }
    // Re-created under the same name, it starts afresh: both records copied again.
    await createConnector(worker.store, mirrorSpec(name, { topics: topic }));
    await waitFor(async () => ((await endOffsetsSum(`src.${topic}`)) === 4 ? true : undefined));
  });
});

describe('mirror worker killed with SIGKILL mid-stream', () => {
  const build = join(ROOT, 'node_modules/.cache/dsc-mirror-test');
  const node = join(ROOT, 'node_modules/.bin/node');
  let stateDir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    // Compile just the container entry (and what it imports) so the child runs as in the container.
    // tsc emits even when files of other modules have type errors; the entry file's existence is what counts.
    try {
      execFileSync(
        join(ROOT, 'node_modules/.bin/tsc'),
        [
          '--strict',
          '--outDir',
          build,
          '--rootDir',
          ROOT,
          '--module',
          'NodeNext',
          '--moduleResolution',
          'NodeNext',
          '--target',
          'ES2023',
          '--skipLibCheck',
          '--esModuleInterop',
          '--resolveJsonModule',
          '--types',
          'node',
          join(ROOT, 'functions/mirror.ts'),
        ],
        { cwd: ROOT, stdio: 'pipe' },
      );
    } catch {
      if (!existsSync(join(build, 'functions/mirror.js'))) throw new Error('cannot compile functions/mirror.ts');
    }
    stateDir = mkdtempSync(join(tmpdir(), 'dsc-mirror-kill-'));
  }, 120_000);
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  const startChild = (extraEnv: Record<string, string> = {}) =>
    spawn(node, [join(build, 'functions/mirror.js')], {
      env: { ...process.env, DSC_STORE: 'sqlite', DSC_STATE_DIR: stateDir, DSC_LOG_LEVEL: 'INFO', ...extraEnv },
      stdio: ['ignore', 'ignore', openSync(join(stateDir, 'mirror.log'), 'a')],
    });

  it('loses nothing: every source record is on the target after a restart (duplicates allowed)', async () => {
    const topic = unique('kill');
    const total = 300_000;
    const src = sourceKafka();
    await createTopic(src, topic, 3);
    const payload = 'x'.repeat(80);
    const messages = Array.from({ length: total }, (_, i) => ({
      key: String(i),
      value: `${i}:${payload}`,
      partition: i % 3,
    }));
    await produce(src, topic, messages);

    const connector = unique('m-kill');
    const store = await SqliteConnectorStore.openStateDir(stateDir);
    await createConnector(store, mirrorSpec(connector, { topics: topic, 'tasks.max': 3 }));
    await store.close();

    child = startChild();
    const atKill = await waitFor(
      async () => {
        const n = await endOffsetsSum(`src.${topic}`);
        return n > 0 ? n : undefined;
      },
      60_000,
      50,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    expect(atKill).toBeLessThan(total); // it really was mid-stream

    // More records while it is down, then re-runs that each stop themselves cleanly after a few seconds: the Cloud
    // Run job mode, re-run by the scheduler. Each run must exit 0; they go on until the group has no lag, however
    // slow the machine is.
    await produce(src, topic, [{ key: 'late', value: 'late-record', partition: 0 }]);
    const sourceAdmin = src.admin();
    await sourceAdmin.connect();
    const lag = async () => {
      const ends = await sourceAdmin.fetchTopicOffsets(topic);
      const [committed] = await sourceAdmin.fetchOffsets({ groupId: mirrorGroupId(connector), topics: [topic] });
      return ends.reduce((sum, e) => {
        const c = committed.partitions.find((p) => p.partition === e.partition);
        return sum + Number(e.high) - Math.max(0, Number(c?.offset ?? 0));
      }, 0);
    };
    let runs = 0;
    try {
      do {
        runs++;
        child = startChild({ DSC_MIRROR_RUN_SECONDS: '20' });
        const code = await new Promise<number | null>((r) => child!.once('exit', (c) => r(c)));
        expect(code).toBe(0);
      } while ((await lag()) > 0 && runs < 8);
      expect(await lag()).toBe(0);
    } finally {
      await sourceAdmin.disconnect();
    }
    const values = new Set<string | null>();
    const got = await consume(
      targetKafka(),
      `src.${topic}`,
      total + 1,
      90_000,
      (r) => values.add(r.value).size > total,
    );
    expect(values.size).toBe(total + 1);
    for (let i = 0; i < total; i += 997) expect(values.has(`${i}:${payload}`)).toBe(true);
    expect(values.has('late-record')).toBe(true);
    // Partition kept for each record.
    expect(got.filter((g) => g.key !== 'late').every((g) => Number(g.key) % 3 === g.partition)).toBe(true);
  }, 300_000);
});
