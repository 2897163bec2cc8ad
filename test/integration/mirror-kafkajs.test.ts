// The mirror end to end on the optional kafkajs adapter (DSC_KAFKA_ADAPTER=kafkajs: source consumer and admin, target
// producer and the offsets topic all through kafkajs), on the two real clusters. Source records are written and both
// sides are read with the wire adapter, which keeps every field exactly as the log holds it (null keys, values and
// header values, a header key repeated between others), so the comparison does not depend on the adapter under test.
// Byte path: every field of every record, partition by partition in offset order; aborted transactions never arrive;
// a worker stopped and started again resumes from its committed positions (nothing repeated, nothing lost).
// Avro → JSON (registry): the converted values, with keys, headers, partitions and order kept.
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTER_ENV, createKafkaClient } from '../../shared/kafka/port/kafka-client.js';
import type { CompressionType } from '../../shared/kafka/port/kafka-port.js';
import { encodeRecordBatch, type RecordToEncode } from '../../shared/kafka/batch/record-batch.js';
import { batchesIn } from '../../shared/kafka/batch/record-batch-reader.js';
import type { ConnectorStore } from '../../shared/lifecycle/store.js';
import {
  SOURCE,
  TARGET,
  createConnector,
  createTopic,
  mirrorSpec,
  positionsAtSourceEnd,
  register,
  REGISTRY,
  sourceKafka,
  startWorker,
  tempStore,
  transactionalSource,
  unique,
  wire,
} from './mirror-helpers.js';
import { committedLog } from './file-helpers.js';
import { waitFor } from '../wait-for.js';

const endpoint = (brokers: string) => ({ brokers: brokers.split(','), security: { protocol: 'PLAINTEXT' as const } });

/** One record as the log holds it: bytes as hex (null stays null), headers in their order. */
interface LogRecord {
  partition: number;
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
  timestamp: string;
}

const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'));

/** Every committed record of `topic` (read_committed, beginning to the current end), partition then offset order. */
async function logRecords(brokers: string, topic: string): Promise<LogRecord[]> {
  return (await committedLog(topic, brokers)).map(({ partition, record: r }) => ({
    partition,
    key: hex(r.key),
    value: hex(r.value),
    headers: r.headers.map(([k, v]) => [k, hex(v)]),
    timestamp: String(r.timestamp),
  }));
}

/** Writes records to the source through the wire adapter (one batch per partition per call), optionally compressed. */
async function produceRaw(
  topic: string,
  byPartition: Map<number, RecordToEncode[]>,
  compression: CompressionType = 'none',
): Promise<void> {
  const producer = createKafkaClient(endpoint(SOURCE()), 'dsc-kafkajs-mirror-src', 'wire').producer({ compression });
  await producer.connect();
  try {
    await producer.send(
      [...byPartition].map(([partition, records]) => ({ topic, partition, batch: encodeRecordBatch(records) })),
    );
  } finally {
    await producer.close();
  }
}

/** Records with every shape a log can hold: null and empty keys and values, binary and null header values, a header key repeated around another. */
function awkwardRecords(from: number, count: number, partitions: number, base: number): Map<number, RecordToEncode[]> {
  const out = new Map<number, RecordToEncode[]>();
  for (let i = from; i < from + count; i++) {
    const list = out.get(i % partitions) ?? [];
    list.push({
      key: i % 11 === 0 ? null : i % 19 === 0 ? Buffer.alloc(0) : Buffer.from(`k${i}`),
      value: i % 13 === 0 ? null : i % 17 === 0 ? Buffer.alloc(0) : Buffer.from(`v-${i}-${'x'.repeat(i % 40)}`),
      headers: [
        ['h', Buffer.from(`first-${i}`)],
        ['bin', Buffer.from([0, i % 256, 255])],
        ['h', Buffer.from(`second-${i}`)],
        ['empty', i % 3 === 0 ? null : Buffer.alloc(0)],
      ],
      timestamp: BigInt(base + i * 3),
    });
    out.set(i % partitions, list);
  }
  return out;
}

describe('mirror connector on the kafkajs adapter (DSC_KAFKA_ADAPTER=kafkajs)', () => {
  const previous = process.env[ADAPTER_ENV];
  let store: ConnectorStore;
  let worker: { stop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    // The worker's task sessions build their clients through createKafkaClient, which reads the variable then.
    process.env[ADAPTER_ENV] = 'kafkajs';
    store = await tempStore();
    worker = startWorker(store);
  });
  afterAll(async () => {
    await worker?.stop();
    await store?.close();
    if (previous === undefined) delete process.env[ADAPTER_ENV];
    else process.env[ADAPTER_ENV] = previous;
  });

  it('byte path: every field of every record, aborted transactions skipped; a restarted worker resumes, nothing repeated or lost', async () => {
    const stem = unique('kjs');
    const plain = `${stem}-plain`;
    const gz = `${stem}-gz`;
    const tx = `${stem}-tx`;
    const src = sourceKafka();
    await createTopic(src, plain, 3);
    await createTopic(src, gz, 2);
    await createTopic(src, tx, 1);
    const base = Date.now() - 86_400_000;
    // Several batches per partition.
    for (let round = 0; round < 3; round++) await produceRaw(plain, awkwardRecords(round * 100, 100, 3, base));
    await produceRaw(gz, awkwardRecords(0, 200, 2, base), 'gzip');
    const committed = await transactionalSource(src, tx, base);

    const name = unique('m-kjs');
    await createConnector(store, mirrorSpec(name, { topics: `${stem}-.*`, 'tasks.max': 2 }));
    const arrived = async (topic: string, n: number) =>
      waitFor(
        async () => {
          const got = await logRecords(TARGET(), `src.${topic}`).catch(() => []);
          return got.length >= n ? got : undefined;
        },
        { what: `${n} committed records on src.${topic}`, timeoutMs: 120_000, everyMs: 250 },
      );
    for (const [topic, n] of [
      [plain, 300],
      [gz, 200],
      [tx, 7],
    ] as const)
      await arrived(topic, n);
    // Read once the committed positions passed each source's end (the last marker included): nothing more to come.
    for (const topic of [plain, gz, tx]) await positionsAtSourceEnd(name, topic);
    for (const topic of [plain, gz, tx]) {
      const source = await logRecords(SOURCE(), topic);
      expect(await logRecords(TARGET(), `src.${topic}`), topic).toEqual(source);
    }
    expect((await logRecords(TARGET(), `src.${tx}`)).map((r) => Buffer.from(r.value!, 'hex').toString())).toEqual(
      committed,
    );

    // The sessions ran on kafkajs: its consumer hands the records on re-encoded, so the gzip source batches arrive
    // uncompressed (the wire adapter forwards them as gzip; mirror-bytes.test.ts checks that).
    const reader = createKafkaClient(endpoint(TARGET()), 'dsc-kafkajs-mirror-codec', 'wire').consumer();
    try {
      await reader.connect();
      reader.assign([0, 1].map((partition) => ({ topic: `src.${gz}`, partition, offset: 0n })));
      const codecs = (await reader.fetch()).flatMap((f) =>
        [...batchesIn(f.records)].filter((b) => !b.header.control).map((b) => b.header.compression),
      );
      expect(codecs.length).toBeGreaterThan(0);
      expect(codecs.every((c) => c === 0)).toBe(true);
    } finally {
      await reader.close();
    }

    // Stop the worker; more records meanwhile; a new worker on the same store resumes from the committed positions.
    await worker!.stop();
    worker = undefined;
    await produceRaw(plain, awkwardRecords(300, 150, 3, base));
    await produceRaw(gz, awkwardRecords(200, 100, 2, base), 'gzip');
    worker = startWorker(store);
    await arrived(plain, 450);
    await arrived(gz, 300);
    for (const topic of [plain, gz]) await positionsAtSourceEnd(name, topic);
    for (const topic of [plain, gz]) {
      const source = await logRecords(SOURCE(), topic);
      expect(source.length).toBe(topic === plain ? 450 : 300);
      expect(await logRecords(TARGET(), `src.${topic}`), topic).toEqual(source);
    }
  });

  it('a position the source no longer holds (records deleted): the task resets to the earliest offset and goes on', async () => {
    const topic = unique('kjs-gone');
    const src = sourceKafka();
    await createTopic(src, topic, 2);
    const base = Date.now() - 3_600_000;
    await produceRaw(topic, awkwardRecords(0, 40, 2, base)); // offsets 0-19 on each partition
    const name = unique('m-kjs-gone');
    await createConnector(store, mirrorSpec(name, { topics: topic }));
    await positionsAtSourceEnd(name, topic);
    const before = await logRecords(SOURCE(), topic);

    // Stopped at position 20 on both partitions; 20 more each; partition 0 loses its records below offset 30, so
    // position 20 is out of range there (Kafka answers OFFSET_OUT_OF_RANGE), while partition 1 is untouched.
    await worker!.stop();
    worker = undefined;
    await produceRaw(topic, awkwardRecords(40, 40, 2, base)); // offsets 20-39
    const admin = src.admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs's admin deletes only with the metadata loaded
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '30' }] });
    } finally {
      await admin.disconnect();
    }
    worker = startWorker(store);
    await positionsAtSourceEnd(name, topic);
    const after = await logRecords(SOURCE(), topic);
    // Partition 0: what was copied before, then from the earliest offset still held (30); partition 1: all 40.
    const expected = [...before.filter((r) => r.partition === 0), ...after];
    expected.sort((a, b) => a.partition - b.partition);
    expect(after.filter((r) => r.partition === 0)).toHaveLength(10);
    expect(await logRecords(TARGET(), `src.${topic}`)).toEqual(expected);
  });

  it('Avro → JSON (registry): converted values, with keys, headers, partitions and order kept', async () => {
    const schema = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'n', type: 'int' },
        { name: 's', type: 'string' },
      ],
    };
    const type = avro.Type.forSchema(schema as avro.Schema);
    const id = await register(unique('kjs-avro-value'), schema);
    const topic = unique('kjs-avro');
    await createTopic(sourceKafka(), topic, 2);
    const base = Date.now() - 3_600_000;
    const records = new Map<number, RecordToEncode[]>();
    for (let i = 0; i < 120; i++) {
      const list = records.get(i % 2) ?? [];
      list.push({
        key: i % 9 === 0 ? null : Buffer.from(`k${i}`),
        value: wire(id, type.toBuffer({ n: i, s: `s-${i}` })),
        headers: [
          ['h', Buffer.from(`hv${i}`)],
          ['bin', Buffer.from([i % 256, 0])],
        ],
        timestamp: BigInt(base + i),
      });
      records.set(i % 2, list);
    }
    await produceRaw(topic, records);
    const name = unique('m-kjs-avro');
    await createConnector(
      store,
      mirrorSpec(name, {
        topics: topic,
        'value.converter': 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
        'value.converter.schema.registry.url': REGISTRY(),
      }),
    );
    await positionsAtSourceEnd(name, topic);
    const source = await logRecords(SOURCE(), topic);
    const expected = source.map((r) => {
      const n = Number(BigInt(r.timestamp) - BigInt(base));
      return { ...r, value: Buffer.from(JSON.stringify({ n, s: `s-${n}` })).toString('hex') };
    });
    expect(await logRecords(TARGET(), `src.${topic}`)).toEqual(expected);
  });
});
