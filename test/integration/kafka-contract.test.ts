// One contract, every Kafka adapter (shared/kafka/port/kafka-port.ts): the same cases run against the wire adapter and
// the kafkajs adapter on the real broker (KAFKA_BROKERS, started by test/services/up.sh). What a producer sent is
// read back record by record through the consumer of the same adapter AND through the other adapter's consumer.
// Forwarded batches (a source log's bytes, the mirror's path) and consumer-group offsets are part of the contract.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { KafkaEndpoint } from '../../shared/config/spec.js';
import { createKafkaClient } from '../../shared/kafka/port/kafka-client.js';
import type {
  CompressionType,
  FetchedPartition,
  KafkaAdapterName,
  KafkaClient,
} from '../../shared/kafka/port/kafka-port.js';
import { committedRecords, decodeRecordBatches } from '../../shared/kafka/batch/record-batch-reader.js';
import { Kafka, logLevel } from 'kafkajs';
import { encodeHeaders, RecordBatchBuilder } from '../../shared/kafka/batch/record-batch.js';
import { encodeBatch, type OutgoingRecord } from '../../shared/kafka/batch/forwarded-batch.js';
import { readBatchHeader } from '../../shared/kafka/batch/batch-layout.js';

const endpoint: KafkaEndpoint = {
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  security: { protocol: 'PLAINTEXT' },
};
const runId = `kc-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let seq = 0;
const adapters: KafkaAdapterName[] = ['wire', 'kafkajs'];
const toClose: { close(): Promise<void> }[] = [];

afterAll(async () => {
  for (const c of toClose) await c.close().catch(() => {});
});

async function newTopic(client: KafkaClient, partitions = 1): Promise<string> {
  const topic = `${runId}-${client.adapter}-${++seq}`;
  const admin = client.admin();
  await admin.connect();
  try {
    expect(await admin.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }])).toEqual([topic]);
  } finally {
    await admin.close();
  }
  return topic;
}

function batchOf(values: string[], line0 = 1): ReturnType<RecordBatchBuilder['finish']> {
  const b = new RecordBatchBuilder(1024);
  const fixed = encodeHeaders([['dsc.source', 'a.csv']]);
  const lineKey = Buffer.from([16, ...Buffer.from('dsc.line')]); // varint(8) + key
  values.forEach((v, i) => {
    const bytes = Buffer.from(v, 'utf8');
    b.append(bytes, 0, bytes.length, fixed, lineKey, line0 + i);
  });
  return b.finish();
}

async function readAll(
  client: KafkaClient,
  topic: string,
  partition: number,
  until: bigint,
): Promise<FetchedPartition[]> {
  const consumer = client.consumer({ maxWaitMs: 200 });
  await consumer.connect();
  try {
    consumer.assign([{ topic, partition, offset: 0n }]);
    const out: FetchedPartition[] = [];
    for (let i = 0; i < 50 && (consumer.positions()[0]?.offset ?? 0n) < until; i++)
      out.push(...(await consumer.fetch()));
    return out;
  } finally {
    await consumer.close();
  }
}

const values = (fetched: FetchedPartition[]): string[] =>
  fetched.flatMap((f) =>
    decodeRecordBatches(f.records).flatMap((b) => b.records.map((r) => r.value!.toString('utf8'))),
  );

describe.each(adapters)('Kafka port contract: %s adapter', (adapter) => {
  const client = createKafkaClient(endpoint, 'dsc-contract', adapter);

  it('admin: creates, lists, describes topics, adds partitions, reads configs and offsets', async () => {
    const topic = await newTopic(client, 2);
    const admin = client.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }])).toEqual([]);
      expect(await admin.listTopics()).toContain(topic);
      const [d] = await admin.describeTopics([topic, `${topic}-missing`]);
      expect(d.topic).toBe(topic);
      expect(d.partitions.map((p) => p.partition)).toEqual([0, 1]);
      await admin.createPartitions([{ topic, count: 3 }]);
      expect((await admin.describeTopics([topic]))[0].partitions).toHaveLength(3);
      expect(await admin.earliestOffsets(topic)).toEqual([0, 1, 2].map((partition) => ({ partition, offset: 0n })));
      expect(Number((await admin.topicConfig(topic))['max.message.bytes'])).toBeGreaterThan(1000);
      expect(await admin.brokerMaxMessageBytes()).toBeGreaterThan(1000);
    } finally {
      await admin.close();
    }
  });

  it('producer: batches arrive in order, with headers; offsets and acks agree; both consumers read them', async () => {
    const topic = await newTopic(client);
    const producer = client.producer();
    toClose.push(producer);
    await producer.connect();
    expect(await producer.partitionCount(topic)).toBe(1);
    expect(await producer.maxBatchBytes(topic)).toBeGreaterThan(1000);
    const sent: string[] = [];
    const sends = [];
    for (let n = 0; n < 20; n++) {
      const vals = Array.from({ length: 50 }, (_, i) => `b${n}-r${i},caf\u00e9,"x"`);
      sent.push(...vals);
      sends.push(producer.send([{ topic, partition: 0, batch: batchOf(vals, n * 50 + 1)! }]));
    }
    const acks = (await Promise.all(sends)).flat();
    if (adapter === 'wire') expect(acks.map((a) => a.baseOffset)).toEqual(acks.map((_, i) => BigInt(i * 50)));
    expect(acks.every((a) => a.recordCount === 50)).toBe(true);
    await producer.flush();
    const admin = client.admin();
    await admin.connect();
    expect(await admin.latestOffsets(topic)).toEqual([{ partition: 0, offset: 1000n }]);
    await admin.close();
    for (const reader of adapters) {
      const fetched = await readAll(createKafkaClient(endpoint, 'dsc-contract-read', reader), topic, 0, 1000n);
      expect(values(fetched)).toEqual(sent);
      expect(fetched.at(-1)!.highWatermark).toBe(1000n);
      const first = decodeRecordBatches(fetched[0].records)[0].records[0];
      expect(first.offset).toBe(0n);
      expect(first.headers).toEqual([
        ['dsc.source', Buffer.from('a.csv')],
        ['dsc.line', Buffer.from('1')],
      ]);
    }
  });

  it('invalid UTF-8 bytes pass unchanged', async () => {
    const topic = await newTopic(client);
    const producer = client.producer();
    toClose.push(producer);
    await producer.connect();
    const raw = Buffer.from([0x61, 0xff, 0xfe, 0x2c, 0xc3, 0x28]);
    const b = new RecordBatchBuilder();
    b.append(raw, 0, raw.length);
    await producer.send([{ topic, partition: 0, batch: b.finish()! }]);
    const fetched = await readAll(client, topic, 0, 1n);
    expect(decodeRecordBatches(fetched[0].records)[0].records[0].value).toEqual(raw);
  });

  it('consumer: seek moves the position; a fetch past the end returns nothing', async () => {
    const topic = await newTopic(client);
    const producer = client.producer();
    toClose.push(producer);
    await producer.connect();
    await producer.send([{ topic, partition: 0, batch: batchOf(['a', 'b', 'c'])! }]);
    await producer.send([{ topic, partition: 0, batch: batchOf(['d', 'e'])! }]);
    const consumer = client.consumer({ maxWaitMs: 100 });
    await consumer.connect();
    try {
      consumer.assign([{ topic, partition: 0, offset: 5n }]);
      expect(await consumer.fetch()).toEqual([]);
      consumer.seek({ topic, partition: 0, offset: 3n });
      const got = await consumer.fetch();
      const records = got.flatMap((f) => decodeRecordBatches(f.records).flatMap((x) => x.records));
      expect(records.map((r) => [r.offset, r.value!.toString()])).toEqual([
        [3n, 'd'],
        [4n, 'e'],
      ]);
      expect(consumer.positions()).toEqual([{ topic, partition: 0, offset: 5n }]);
    } finally {
      await consumer.close();
    }
  });

  it('consumer: a position the log does not hold is OFFSET_OUT_OF_RANGE on that partition alone', async () => {
    const topic = await newTopic(client, 2);
    const producer = client.producer();
    toClose.push(producer);
    await producer.connect();
    await producer.send([
      { topic, partition: 0, batch: batchOf(['a', 'b', 'c'])! },
      { topic, partition: 1, batch: batchOf(['x', 'y'])! },
    ]);
    const consumer = client.consumer({ maxWaitMs: 100 });
    await consumer.connect();
    try {
      // Past the end of partition 0 (3 records); partition 1 from its start.
      consumer.assign([
        { topic, partition: 0, offset: 9n },
        { topic, partition: 1, offset: 0n },
      ]);
      // Records of partition 1 may come in the same fetch as partition 0's error (wire) or in later ones (kafkajs).
      const errors: FetchedPartition[] = [];
      const got = new Map<number, string[]>();
      const take = (fetched: FetchedPartition[]) => {
        for (const f of fetched) {
          if (f.error) errors.push(f);
          const vals = decodeRecordBatches(f.records).flatMap((b) => b.records.map((r) => r.value!.toString()));
          if (vals.length > 0) got.set(f.partition, [...(got.get(f.partition) ?? []), ...vals]);
        }
      };
      for (let i = 0; i < 20 && errors.length === 0; i++) take(await consumer.fetch());
      expect(errors.map((f) => [f.topic, f.partition, f.error])).toEqual([[topic, 0, 'OFFSET_OUT_OF_RANGE']]);
      // The position stays where it was until the caller moves it; then both partitions read on.
      expect(consumer.positions().find((p) => p.partition === 0)?.offset).toBe(9n);
      consumer.seek({ topic, partition: 0, offset: 0n });
      errors.length = 0;
      for (let i = 0; i < 20 && consumer.positions().some((p) => p.offset < (p.partition === 0 ? 3n : 2n)); i++)
        take(await consumer.fetch());
      expect(errors).toEqual([]);
      expect(Object.fromEntries(got)).toEqual({ 0: ['a', 'b', 'c'], 1: ['x', 'y'] });
    } finally {
      await consumer.close();
    }
  });

  const codecs: CompressionType[] = ['gzip', 'snappy', 'lz4', 'zstd'];
  it.each(codecs)(
    'producer.compression.type=%s: the broker takes the batches, consumers read them back',
    async (codec) => {
      const topic = await newTopic(client);
      const producer = client.producer({ compression: codec });
      toClose.push(producer);
      await producer.connect();
      const vals = Array.from({ length: 300 }, (_, i) => `row ${i},${'abc'.repeat(i % 7)}`);
      await producer.send([{ topic, partition: 0, batch: batchOf(vals.slice(0, 150))! }]);
      await producer.send([{ topic, partition: 0, batch: batchOf(vals.slice(150))! }]);
      for (const reader of adapters) {
        expect(values(await readAll(createKafkaClient(endpoint, 'dsc-contract-read', reader), topic, 0, 300n))).toEqual(
          vals,
        );
      }
    },
  );

  it('read_committed: aborted transactions and markers are left out (committedRecords)', async () => {
    const topic = await newTopic(client);
    const kjs = new Kafka({ brokers: endpoint.brokers, clientId: 'dsc-contract-txn', logLevel: logLevel.NOTHING });
    const txProducer = kjs.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
    await txProducer.connect();
    try {
      const committed = await txProducer.transaction();
      await committed.send({ topic, messages: [{ value: 'a1' }, { value: 'a2' }] });
      await committed.commit();
      const aborted = await txProducer.transaction();
      await aborted.send({ topic, messages: [{ value: 'b1' }] });
      await aborted.abort();
      const last = await txProducer.transaction();
      await last.send({ topic, messages: [{ value: 'c1' }] });
      await last.commit();
    } finally {
      await txProducer.disconnect();
    }
    const consumer = client.consumer({ maxWaitMs: 100 });
    await consumer.connect();
    try {
      consumer.assign([{ topic, partition: 0, offset: 0n }]);
      const got: string[] = [];
      for (let i = 0; i < 20 && got.length < 3; i++) {
        for (const f of await consumer.fetch()) got.push(...committedRecords(f).map((r) => r.value!.toString()));
      }
      expect(got).toEqual(['a1', 'a2', 'c1']);
    } finally {
      await consumer.close();
    }
  });

  /** A source log's batch in its own compression (Kafka's codec ids), with headers, keys and old timestamps. */
  const sourceBatch = (tag: string, n: number, compression: number): Buffer => {
    const records: OutgoingRecord[] = Array.from({ length: n }, (_, i) => ({
      timestamp: 1_600_000_000_000 + i,
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`${tag}-${i},${'xyz'.repeat(i % 5)}`),
      headers: [[Buffer.from('h'), Buffer.from(tag)]],
    }));
    return encodeBatch(records, compression);
  };
  const forwarded = (bytes: Buffer) => ({ bytes, recordCount: readBatchHeader(bytes).recordCount, forwarded: true });

  it('forwarded batches (a source log, compressed) go out in their own codec, records unchanged; with built ones', async () => {
    const topic = await newTopic(client, 2);
    // Transactional, as the mirror writes exactly once: the forwarded bytes get the transactional bit too.
    const producer = client.producer({ transactionalId: `${topic}-tx` });
    toClose.push(producer);
    await producer.connect();
    const gzip = sourceBatch('g', 40, 1);
    const lz4 = sourceBatch('l', 30, 3);
    const plain = sourceBatch('p', 5, 0);
    // One call mixing codecs and a built batch (the mirror's offsets record rides like this), then another.
    await producer.send([
      { topic, partition: 0, batch: forwarded(gzip) },
      { topic, partition: 1, batch: forwarded(lz4) },
    ]);
    await producer.send([
      { topic, partition: 0, batch: forwarded(plain) },
      { topic, partition: 1, batch: batchOf(['built'])! },
    ]);
    await producer.commitTransaction();
    const wire = createKafkaClient(endpoint, 'dsc-contract-read', 'wire');
    const expected = (b: Buffer): (string | bigint | undefined)[][] =>
      decodeRecordBatches(b)[0].records.map((r) => [r.key!.toString(), r.value!.toString(), r.timestamp]);
    for (const [partition, until, sources, codecs] of [
      [0, 45n, [gzip, plain], ['gzip', 'none']],
      [1, 31n, [lz4], ['lz4', 'none']],
    ] as const) {
      const fetched = (await readAll(wire, topic, partition, until)).flatMap((f) => committedRecords(f));
      const got: (string | bigint | undefined)[][] = fetched.map((r) => [
        r.key?.toString(),
        r.value!.toString(),
        r.timestamp,
      ]);
      const want = sources.flatMap((b) => expected(b));
      if (partition === 1) want.push([undefined, 'built', got.at(-1)![2]]);
      expect(got).toEqual(want);
      expect(fetched[0].headers).toEqual([['h', Buffer.from(partition === 0 ? 'g' : 'l')]]);
      // The target holds each source batch in the source's codec (the wire adapter sends the bytes as they are).
      const batches = (await readAll(wire, topic, partition, until)).flatMap((f) => decodeRecordBatches(f.records));
      expect(batches.filter((b) => !b.control).map((b) => b.compression)).toEqual(codecs);
      expect(batches.filter((b) => !b.control).every((b) => b.transactional && b.crcValid)).toBe(true);
    }
  });

  it("admin: a consumer group's committed offsets; deleting the group (a missing one is fine)", async () => {
    const topic = await newTopic(client, 2);
    const groupId = `${topic}-group`;
    const admin = client.admin();
    await admin.connect();
    const kjs = new Kafka({ brokers: endpoint.brokers, clientId: 'dsc-contract-group', logLevel: logLevel.NOTHING });
    const kadmin = kjs.admin();
    await kadmin.connect();
    try {
      expect(await admin.groupOffsets(groupId, [topic])).toEqual([]);
      await kadmin.setOffsets({ groupId, topic, partitions: [{ partition: 1, offset: '7' }] });
      expect(await admin.groupOffsets(groupId, [topic, `${topic}-other`])).toEqual([
        { topic, partition: 1, offset: 7n },
      ]);
      expect(await admin.groupOffsets(groupId, [`${topic}-other`])).toEqual([]);
      await admin.deleteGroup(groupId);
      expect(await admin.groupOffsets(groupId, [topic])).toEqual([]);
      await admin.deleteGroup(groupId); // gone already
    } finally {
      await kadmin.disconnect();
      await admin.close();
    }
  });

  it('a send to a missing partition fails with a message naming it', async () => {
    const topic = await newTopic(client);
    const producer = client.producer({ retries: 1 });
    toClose.push(producer);
    await producer.connect();
    await expect(producer.send([{ topic, partition: 7, batch: batchOf(['x'])! }])).rejects.toThrow(topic);
  });
});
