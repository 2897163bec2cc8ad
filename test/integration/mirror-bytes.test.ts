// ByteArrayConverter mirroring on the two real clusters: partitions, keys, headers, timestamps; naming; topic filters.
import { describe, expect, it } from 'vitest';
import {
  consume,
  createConnector,
  createTopic,
  mirrorSpec,
  partitionCount,
  produce,
  sourceKafka,
  targetKafka,
  topicExists,
  unique,
  waitFor,
  mirrorWorkerForSuite,
} from './mirror-helpers.js';

describe('mirror connector, ByteArrayConverter', () => {
  const worker = mirrorWorkerForSuite();
  const src = sourceKafka();
  const tgt = targetKafka();

  it('copies records to the same partition with key, headers and timestamp, under <alias>.<topic>', async () => {
    const topic = unique('bytes');
    await createTopic(src, topic, 3);
    const base = Date.now() - 3_600_000;
    const messages = Array.from({ length: 300 }, (_, i) => ({
      key: `k${i}`,
      value: `value-${i}`,
      partition: i % 3,
      timestamp: String(base + i),
      headers: { h: `hv${i}`, other: 'x' },
    }));
    await produce(src, topic, messages);
    const name = unique('m-bytes');
    await createConnector(worker.store, mirrorSpec(name, { topics: topic, 'tasks.max': 2 }));

    const got = await consume(tgt, `src.${topic}`, 300);
    expect(got).toHaveLength(300);
    expect(await partitionCount(tgt, `src.${topic}`)).toBe(3);
    const byValue = new Map(got.map((g) => [g.value, g]));
    for (const [i, m] of messages.entries()) {
      const g = byValue.get(m.value)!;
      expect(g, m.value).toBeDefined();
      expect(g.partition).toBe(i % 3);
      expect(g.key).toBe(m.key);
      expect(g.timestamp).toBe(m.timestamp);
      expect(g.headers).toEqual({ h: `hv${i}`, other: 'x' });
    }
    // Status rows: two tasks share the three partitions; lag drops to zero.
    const tasks = await waitFor(async () => {
      const t = await worker.store.listTasks(name);
      const parts = t.flatMap((x) => (x.detail?.partitions as string[]) ?? []);
      const lag = t.reduce(
        (a, x) => a + Object.values((x.detail?.lag as Record<string, number>) ?? {}).reduce((p, q) => p + q, 0),
        0,
      );
      const records = t.reduce((a, x) => a + x.progress.records, 0);
      return parts.length === 3 && lag === 0 && records >= 300 ? t : undefined;
    });
    expect(tasks).toHaveLength(2);
    expect(tasks.every((t) => t.state === 'RUNNING')).toBe(true);
  });

  it('identity naming, a regex with an exclude, and a topic created after start', async () => {
    const stem = unique('idreg');
    const a = `${stem}-a`;
    const skip = `${stem}-skip`;
    await createTopic(src, a, 1);
    await createTopic(src, skip, 1);
    await produce(src, a, [{ value: 'a1' }]);
    await produce(src, skip, [{ value: 's1' }]);
    const name = unique('m-id');
    await createConnector(
      worker.store,
      mirrorSpec(name, {
        topics: `${stem}-.*`,
        'topics.exclude': skip,
        'replication.policy.class': 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
        'tasks.max': 4,
      }),
    );
    // The identity policy mirrors the source topic under its own name into the other cluster.
    const gotA = await consume(tgt, a, 1);
    expect(gotA.map((g) => g.value)).toEqual(['a1']);

    const later = `${stem}-later`;
    await createTopic(src, later, 2);
    await produce(src, later, [
      { value: 'l0', partition: 0 },
      { value: 'l1', partition: 1 },
    ]);
    const gotLater = await consume(tgt, later, 2);
    expect(gotLater.map((g) => `${g.partition}:${g.value}`).sort()).toEqual(['0:l0', '1:l1']);
    expect(await topicExists(tgt, skip)).toBe(false);

    // tasks.max=4 over 1 partition first: capped, with the warning in status.
    const tasks = await worker.store.listTasks(name);
    expect(tasks.length).toBeLessThanOrEqual(3);
    expect(JSON.stringify(tasks.map((t) => t.detail?.warnings))).toMatch(/tasks\.max=4 exceeds/);
  });
});
