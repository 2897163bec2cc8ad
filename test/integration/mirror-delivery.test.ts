// Delivery across process ends, on the real clusters with the container entry as a child process, counted by content
// on the target: exactly once (the default), kill -9 and SIGTERM lose and repeat nothing; at least once
// (exactly.once.source.support=disabled), kill -9 loses nothing and repeats at most the produce requests in flight,
// SIGTERM repeats nothing. A connector whose positions were a consumer group's offsets (before the store held them)
// resumes exactly there, not at auto.offset.reset.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { legacyGroupId } from '../../shared/mirror/mirror-positions.js';
import { MAX_IN_FLIGHT } from '../../shared/mirror/mirror-transport.js';
import { consumeAll } from './file-helpers.js';
import { buildMirrorEntry, exited, startMirrorChild, tempStateDir } from './mirror-child.js';
import {
  consume,
  createConnector,
  createTopic,
  mirrorSpec,
  positionsAtSourceEnd,
  produce,
  sourceKafka,
  sourceProducer,
  startWorker,
  targetKafka,
  tempStore,
  unique,
} from './mirror-helpers.js';
import { waitFor } from '../wait-for.js';

async function endOffsetsSum(topic: string): Promise<number> {
  const admin = targetKafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(p.high), 0);
  } catch {
    return 0;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every record of the target topic as a read_committed consumer sees it, by value → how many times it arrived.
 * (Offsets are no count: transaction markers take offsets too.)
 */
async function contentCounts(topic: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if ((await endOffsetsSum(topic)) === 0) return counts;
  for (const g of await consumeAll(topic)) counts.set(g.value, (counts.get(g.value) ?? 0) + 1);
  return counts;
}

const PARTITIONS = 3;
/** Records per source batch: the test producer sends this many per partition per request (one batch each). */
const BATCH = 200;
/**
 * What a kill -9 may repeat at least once. A task saves a partition's position only after the target acknowledged
 * the request carrying it and every earlier one (mirror-source-task.ts sendInOrder), and keeps at most MAX_IN_FLIGHT
 * requests whose positions are not saved yet (its `slot()` waits on them). A produce request carries at most one
 * batch per target partition (produce-requests.ts), and the byte path forwards each source batch as it is, so at
 * most BATCH records per partition per request. Each partition belongs to one task, so over all tasks:
 * MAX_IN_FLIGHT requests × PARTITIONS × BATCH records (8 × 3 × 200 = 4,800).
 */
const AT_LEAST_ONCE_REPEAT_BOUND = MAX_IN_FLIGHT * PARTITIONS * BATCH;
const AT_LEAST_ONCE = { 'exactly.once.source.support': 'disabled' } as const;

/** A 3-partition source topic of `total` records `i:payload`, in batches of BATCH records per partition. */
async function sourceTopic(total: number): Promise<string> {
  const topic = unique('deliver');
  const src = sourceKafka();
  await createTopic(src, topic, PARTITIONS);
  const payload = 'x'.repeat(80);
  const messages = Array.from({ length: total }, (_, i) => ({
    key: String(i),
    value: `${i}:${payload}`,
    partition: i % PARTITIONS,
  }));
  const producer = sourceProducer(src);
  await producer.connect();
  try {
    for (let i = 0; i < total; i += BATCH * PARTITIONS)
      await producer.send({ topic, messages: messages.slice(i, i + BATCH * PARTITIONS) });
  } finally {
    await producer.disconnect();
  }
  return topic;
}

/**
 * Re-runs the container (each stops itself after a few seconds, exit 0) until the target holds `distinct` values,
 * for as long as each run adds some: a loaded machine needs more runs, a stuck mirror is reported at once.
 */
async function runUntilComplete(
  stateDir: string,
  topic: string,
  distinct: number,
  env: Record<string, string> = {},
): Promise<void> {
  // Not read before the first run: after a kill -9 the killed transaction holds read_committed readers until the
  // next run fences it.
  let held = 0;
  for (let idle = 0; held < distinct;) {
    const child = startMirrorChild(stateDir, { DSC_MIRROR_RUN_SECONDS: '12', ...env });
    expect(await exited(child)).toBe(0);
    const now = (await contentCounts(topic)).size;
    idle = now > held ? 0 : idle + 1;
    if (idle === 3) throw new Error(`three mirror runs added nothing to ${topic} (${now} of ${distinct} values)`);
    held = now;
  }
}

describe('mirror delivery across process ends', () => {
  let child: ChildProcess | undefined;
  beforeAll(() => buildMirrorEntry(), 600_000);
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  async function startMidStream(
    total: number,
    stateDir: string,
    settings: Record<string, string> = {},
    env: Record<string, string> = {},
  ): Promise<{ topic: string; at: number }> {
    const topic = await sourceTopic(total);
    const connector = unique('m-deliver');
    const store = await SqliteConnectorStore.openStateDir(stateDir);
    // One source batch (200 records, ~18 KB) per partition per fetch: ~700 fetch rounds instead of ~12, so the copy
    // lasts long enough for the kill to land mid-stream even when this test process is slow to poll.
    const fetch = { 'consumer.max.partition.fetch.bytes': 16_384 };
    await createConnector(
      store,
      mirrorSpec(connector, { topics: topic, 'tasks.max': PARTITIONS, ...fetch, ...settings }),
    );
    await store.close();
    child = startMirrorChild(stateDir, env);
    // One admin connection polled every 5 ms: the mirror copies ~1 M records/s, so the kill must follow the first
    // records closely to land mid-stream.
    const admin = targetKafka().admin();
    await admin.connect();
    try {
      const at = await waitFor(
        async () => {
          const offsets = await admin.fetchTopicOffsets(`src.${topic}`).catch(() => []);
          const n = offsets.reduce((a, p) => a + Number(p.high), 0);
          return n >= total / 20 ? n : undefined;
        },
        { what: `a twentieth of ${total} records on src.${topic}`, everyMs: 5 },
      );
      return { topic, at };
    } finally {
      await admin.disconnect();
    }
  }

  it('kill -9 then restarts: nothing lost, nothing repeated (exactly once)', async () => {
    const total = 400_000; // the mirror copies ~1 M records/s: enough to kill it mid-stream
    const stateDir = tempStateDir();
    const { topic, at } = await startMidStream(total, stateDir);
    child!.kill('SIGKILL');
    await exited(child!);
    expect(at).toBeLessThan(total); // it really was mid-stream

    await runUntilComplete(stateDir, `src.${topic}`, total);
    const counts = await contentCounts(`src.${topic}`);
    expect(counts.size).toBe(total);
    const repeated = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    // Exactly once (the default): the killed process's open transaction is aborted when the next one starts.
    expect(repeated).toBe(0);
    console.log(`kill -9 at ${at} of ${total}: ${repeated} records repeated`);
  }, 300_000);

  it('kafkajs adapter (DSC_KAFKA_ADAPTER=kafkajs), kill -9 then restarts: nothing lost, nothing repeated', async () => {
    // Fewer records: the kafkajs adapter handles one object per record, so it copies far slower than the wire one.
    const total = 100_000;
    const kafkajs = { DSC_KAFKA_ADAPTER: 'kafkajs' };
    const stateDir = tempStateDir();
    const { topic, at } = await startMidStream(total, stateDir, {}, kafkajs);
    child!.kill('SIGKILL');
    await exited(child!);
    expect(at).toBeLessThan(total);

    await runUntilComplete(stateDir, `src.${topic}`, total, kafkajs);
    const counts = await contentCounts(`src.${topic}`);
    expect(counts.size).toBe(total);
    const repeated = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    expect(repeated).toBe(0);
    console.log(`kafkajs adapter, kill -9 at ${at} of ${total}: ${repeated} records repeated`);
  }, 300_000);

  it.each([
    ['exactly once', undefined],
    ['at least once', AT_LEAST_ONCE],
  ])(
    'SIGTERM then restarts (%s): nothing lost, nothing repeated',
    async (_delivery, settings) => {
      const total = 400_000; // the mirror copies ~1 M records/s: enough to kill it mid-stream
      const stateDir = tempStateDir();
      const { topic, at } = await startMidStream(total, stateDir, settings);
      child!.kill('SIGTERM');
      expect(await exited(child!)).toBe(0);
      expect(at).toBeLessThan(total);

      await runUntilComplete(stateDir, `src.${topic}`, total);
      const counts = await contentCounts(`src.${topic}`);
      expect(counts.size).toBe(total);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    },
    300_000,
  );

  it('at least once, kill -9 then restarts: nothing lost, at most the requests in flight repeated', async () => {
    const total = 400_000;
    const stateDir = tempStateDir();
    const { topic, at } = await startMidStream(total, stateDir, AT_LEAST_ONCE);
    child!.kill('SIGKILL');
    await exited(child!);
    expect(at).toBeLessThan(total);

    await runUntilComplete(stateDir, `src.${topic}`, total);
    const counts = await contentCounts(`src.${topic}`);
    expect(counts.size).toBe(total);
    const repeated = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    expect(repeated).toBeLessThanOrEqual(AT_LEAST_ONCE_REPEAT_BOUND);
    console.log(`at least once, kill -9 at ${at} of ${total}: ${repeated} records repeated`);
  }, 300_000);

  it('a connector that kept its offsets in a consumer group resumes from them after the upgrade', async () => {
    const topic = unique('upgrade');
    const src = sourceKafka();
    await createTopic(src, topic, PARTITIONS);
    await produce(
      src,
      topic,
      Array.from({ length: 300 }, (_, i) => ({
        value: `${i % PARTITIONS}:${Math.floor(i / PARTITIONS)}`,
        partition: i % PARTITIONS,
      })),
    );
    const name = unique('m-upgrade');
    // Partition 1 has no committed offset: it starts at auto.offset.reset (latest here), so nothing of it is copied.
    const committed: (number | undefined)[] = [40, undefined, 77];
    const admin = src.admin();
    await admin.connect();
    try {
      await admin.setOffsets({
        groupId: legacyGroupId(name),
        topic,
        partitions: committed.flatMap((offset, partition) =>
          offset === undefined ? [] : [{ partition, offset: String(offset) }],
        ),
      });
    } finally {
      await admin.disconnect();
    }
    // The connector as the previous version left it: its record and a task document; no positions in the store.
    const store = await tempStore();
    const spec = mirrorSpec(name, { topics: topic, 'consumer.auto.offset.reset': 'latest' });
    await createConnector(store, spec);
    await store.putTasks(name, [
      {
        connector: name,
        taskId: 0,
        epoch: 1,
        state: 'RUNNING',
        assignment: { topics: [topic], partitionCount: PARTITIONS },
        progress: { filesDone: 0, filesTotal: 0, records: 0, bytes: 0, bytesTotal: 0, recordsPerSecond: 0, errors: 0 },
      },
    ]);
    const worker = startWorker(store);
    try {
      const expected = committed.flatMap((from, p) =>
        from === undefined ? [] : Array.from({ length: 100 - from }, (_, i) => `${p}:${from + i}`),
      );
      const got = await consume(targetKafka(), `src.${topic}`, expected.length, 60_000);
      // Nothing more arrives: counted once the positions of the partitions it copies reached the source's end.
      await positionsAtSourceEnd(name, topic, [0, 2]);
      expect([...(await contentCounts(`src.${topic}`)).values()].reduce((a, n) => a + n, 0)).toBe(expected.length);
      expect(got.map((g) => g.value).sort()).toEqual(expected.sort());
    } finally {
      await worker.stop();
      await store.close();
    }
  }, 300_000);
});
