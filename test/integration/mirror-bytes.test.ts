// ByteArrayConverter mirroring on the two real clusters: partitions, keys, headers, timestamps; naming; topic filters;
// the byte path (gzip batches stay gzip, aborted transactions never arrive, every field equal).
import { describe, expect, it } from 'vitest';
import { CompressionTypes } from 'kafkajs';
import { batchesIn } from '../../shared/kafka/batch/record-batch-reader.js';
import { createKafkaClient } from '../../shared/kafka/port/kafka-client.js';
import {
  SOURCE,
  TARGET,
  consume,
  type Consumed,
  createConnector,
  createTopic,
  mirrorSpec,
  partitionCount,
  produce,
  sourceKafka,
  sourceProducer,
  targetKafka,
  topicExists,
  transactionalSource,
  unique,
  mirrorWorkerForSuite,
  positionsAtSourceEnd,
} from './mirror-helpers.js';
import { consumeAll, values } from './file-helpers.js';
import { waitFor } from '../wait-for.js';

/** The fields a mirror must keep, as the consumer saw them (bytes, not text). */
const fields = (r: Consumed) => ({
  partition: r.partition,
  key: r.raw.key,
  value: r.raw.value,
  timestamp: r.timestamp,
  headers: r.raw.headers,
});
/** Records in partition then offset order, as their fields: equal lists mean equal partitions, record by record. */
const ordered = (rs: Consumed[]) =>
  [...rs].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset))).map(fields);

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

  it('byte path: gzip stays gzip, aborted transactions are skipped, every field equals the source', async () => {
    const stem = unique('raw');
    const gz = `${stem}-gz`;
    const tx = `${stem}-tx`;
    await createTopic(src, gz, 2);
    await createTopic(src, tx, 1);
    const base = Date.now() - 86_400_000;
    const producer = sourceProducer(src);
    await producer.connect();
    await producer.send({
      topic: gz,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 400 }, (_, i) => ({
        key: i % 7 === 0 ? null : `k${i}`,
        value: i % 50 === 49 ? null : `gz-${i}-${'y'.repeat(i % 30)}`,
        partition: i % 2,
        timestamp: String(base + i * 7),
        headers: { a: `a${i}`, b: Buffer.from([0, i % 256, 255]) },
      })),
    });
    await producer.disconnect();
    const committed = await transactionalSource(src, tx, base);

    // The source as a read_committed consumer sees it: what the target must hold, field by field.
    const sourceGz = await consume(src, gz, 400);
    const sourceTx = await consume(src, tx, 7);
    expect(sourceTx.map((r) => r.value)).toEqual(committed);

    const name = unique('m-raw');
    await createConnector(worker.store, mirrorSpec(name, { topics: `${stem}-.*`, 'tasks.max': 2 }));
    const targetGz = await consume(tgt, `src.${gz}`, 400);
    const targetTx = await consume(tgt, `src.${tx}`, 7);
    // Nothing more (no aborted record) arrives after: read once the positions passed the source's last marker.
    await positionsAtSourceEnd(name, tx);
    expect(values(await consumeAll(`src.${tx}`))).toEqual(sourceTx.map((r) => r.value));

    expect(ordered(targetGz)).toEqual(ordered(sourceGz));
    expect(ordered(targetTx)).toEqual(ordered(sourceTx));

    // The target's batches are still gzip (attributes' codec bits): forwarded, not re-encoded.
    const target = { brokers: [TARGET()], security: { protocol: 'PLAINTEXT' as const } };
    const consumer = createKafkaClient(target, 'test-raw', 'wire').consumer();
    try {
      await consumer.connect();
      consumer.assign([0, 1].map((partition) => ({ topic: `src.${gz}`, partition, offset: 0n })));
      const fetched = await consumer.fetch();
      // Commit markers (control batches of the mirror's own transactions) are no forwarded data.
      const codecs = fetched.flatMap((f) =>
        [...batchesIn(f.records)].filter((b) => !b.header.control).map((b) => b.header.compression),
      );
      expect(codecs.length).toBeGreaterThan(0);
      expect(codecs.every((c) => c === 1)).toBe(true);
    } finally {
      await consumer.close();
    }
  });

  it('a partition added to a source topic after start: the target grows and gets its records on the same number', async () => {
    const topic = unique('grow');
    await createTopic(src, topic, 2);
    const base = Date.now() - 7_200_000;
    const batch = (from: number, partitions: number) =>
      Array.from({ length: 60 }, (_, j) => {
        const i = from + j;
        return {
          key: `k${i}`,
          value: `grow-${i}`,
          partition: i % partitions,
          timestamp: String(base + i),
          headers: { n: `${i}`, raw: Buffer.from([i % 256, 0, 255]) },
        };
      });
    await produce(src, topic, batch(0, 2));
    const name = unique('m-grow');
    await createConnector(
      worker.store,
      mirrorSpec(name, { topics: topic, 'tasks.max': 2, 'refresh.topics.interval.seconds': 1 }),
    );
    expect(await consume(tgt, `src.${topic}`, 60)).toHaveLength(60);
    expect(await partitionCount(tgt, `src.${topic}`)).toBe(2);

    const admin = src.admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    } finally {
      await admin.disconnect();
    }
    // Records on all four partitions, the new ones included, once the source's metadata has them (a producer that
    // still saw two partitions would not place the records on the new ones).
    await waitFor(async () => (await partitionCount(src, topic)) === 4 || undefined, {
      what: 'four source partitions in the metadata',
    });
    await produce(src, topic, batch(60, 4));
    // The source holds each record once: a repeat there is its producer's (the target would copy it faithfully).
    const sourceLog = await consumeAll(topic, SOURCE());
    expect(values(sourceLog).sort()).toEqual(Array.from({ length: 120 }, (_, i) => `grow-${i}`).sort());

    await waitFor(async () => (await partitionCount(tgt, `src.${topic}`)) === 4 || undefined, {
      what: 'four target partitions',
    });
    const source = await consume(src, topic, 120);
    expect(source).toHaveLength(120);
    expect(new Set(source.map((r) => r.partition))).toEqual(new Set([0, 1, 2, 3]));
    const target = await consume(tgt, `src.${topic}`, 120);
    // Nothing more (no repeat after the re-plan) arrives after: read once the positions reached the source's end.
    await positionsAtSourceEnd(name, topic);
    const where = (r: { partition: number; value: string }) => `${r.partition}:${r.value}`;
    expect((await consumeAll(`src.${topic}`)).map(where)).toEqual(sourceLog.map(where));
    expect(ordered(target)).toEqual(ordered(source));
  });
});
