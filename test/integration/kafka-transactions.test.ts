// Transactions through the Kafka port, on the real broker, for both adapters: commit makes records visible to
// read_committed readers, abort never does, a second producer with the same transactional.id fences the first
// (whose open transaction vanishes and whose commit fails), and the offsets topic round-trips offsets written in the
// same transaction as the records they cover.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { KafkaEndpoint } from '../../shared/config/spec.js';
import { createKafkaClient } from '../../shared/kafka/port/kafka-client.js';
import {
  isProducerFenced,
  type IsolationLevel,
  type KafkaAdapterName,
  type KafkaClient,
} from '../../shared/kafka/port/kafka-port.js';
import {
  OffsetsTopic,
  offsetKey,
  offsetsTopicName,
  partitionForConnector,
  transactionalIdFor,
} from '../../shared/kafka/delivery/offsets-topic.js';
import { kafkaOffsetsCleanup } from '../../shared/lifecycle/offsets-cleanup.js';
import type { ConnectorRecord } from '../../shared/lifecycle/store.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { committedRecords, decodeRecordBatches } from '../../shared/kafka/batch/record-batch-reader.js';
import { RecordBatchBuilder } from '../../shared/kafka/batch/record-batch.js';

const endpoint: KafkaEndpoint = {
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  security: { protocol: 'PLAINTEXT' },
};
const runId = `tx-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
let seq = 0;
const toClose: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const c of toClose) await c.close().catch(() => {});
});

async function newTopic(client: KafkaClient): Promise<string> {
  const topic = `${runId}-${client.adapter}-${++seq}`;
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
  await admin.close();
  return topic;
}

function batchOf(values: string[]): ReturnType<RecordBatchBuilder['finish']> & object {
  const b = new RecordBatchBuilder(1024);
  for (const v of values) {
    const bytes = Buffer.from(v, 'utf8');
    b.append(bytes, 0, bytes.length);
  }
  return b.finish()!;
}

/** Every value of partition 0 up to the high watermark, as a reader with `isolation` sees them. */
async function read(_client: KafkaClient, topic: string, isolation: IsolationLevel): Promise<string[]> {
  // One reader for both adapters' producers: what is under test is what the broker holds.
  const client = createKafkaClient(endpoint, 'dsc-tx-read', 'wire');
  const admin = client.admin();
  await admin.connect();
  const end = (await admin.latestOffsets(topic))[0].offset;
  await admin.close();
  const consumer = client.consumer({ isolationLevel: isolation, maxWaitMs: 100 });
  await consumer.connect();
  const out: string[] = [];
  try {
    consumer.assign([{ topic, partition: 0, offset: 0n }]);
    for (let i = 0; i < 30 && consumer.positions()[0].offset < end; i++) {
      for (const f of await consumer.fetch()) {
        const records =
          isolation === 'read_committed'
            ? committedRecords(f)
            : decodeRecordBatches(f.records).flatMap((b) => (b.control ? [] : b.records));
        out.push(...records.map((r) => r.value!.toString('utf8')));
      }
    }
  } finally {
    await consumer.close();
  }
  return out;
}

describe.each(['wire', 'kafkajs'] as KafkaAdapterName[])('transactions: %s adapter', (adapter) => {
  const client = createKafkaClient(endpoint, 'dsc-tx-test', adapter);

  it('commit shows every batch to read_committed readers; abort shows none', async () => {
    const topic = await newTopic(client);
    const producer = client.producer({ transactionalId: `${runId}-${adapter}-a` });
    toClose.push(producer);
    await producer.connect();
    await producer.send([{ topic, partition: 0, batch: batchOf(['a1', 'a2']) }]);
    await producer.send([{ topic, partition: 0, batch: batchOf(['a3']) }]);
    await producer.commitTransaction();
    await producer.send([{ topic, partition: 0, batch: batchOf(['x1', 'x2']) }]);
    await producer.abortTransaction();
    await producer.send([{ topic, partition: 0, batch: batchOf(['b1']) }]);
    await producer.commitTransaction();
    expect(await read(client, topic, 'read_committed')).toEqual(['a1', 'a2', 'a3', 'b1']);
  });

  it('a second producer with the same transactional.id fences the first: its open transaction never shows', async () => {
    const topic = await newTopic(client);
    const id = `${runId}-${adapter}-fence`;
    const first = client.producer({ transactionalId: id });
    toClose.push(first);
    await first.connect();
    await first.send([{ topic, partition: 0, batch: batchOf(['old1']) }]);
    await first.commitTransaction();
    await first.send([{ topic, partition: 0, batch: batchOf(['zombie']) }]);
    const second = client.producer({ transactionalId: id });
    toClose.push(second);
    await second.connect(); // aborts first's open transaction
    await second.send([{ topic, partition: 0, batch: batchOf(['new1']) }]);
    await second.commitTransaction();
    const late = await first
      .send([{ topic, partition: 0, batch: batchOf(['zombie2']) }])
      .then(() => first.commitTransaction())
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(late).toBeDefined();
    if (adapter === 'wire') expect(isProducerFenced(late)).toBe(true);
    expect(await read(client, topic, 'read_committed')).toEqual(['old1', 'new1']);
    expect(await read(client, topic, 'read_uncommitted')).toContain('zombie');
  });
});

describe('offsets topic', () => {
  const client = createKafkaClient(endpoint, 'dsc-offsets-test', 'wire');

  it('offsets written in the records transaction read back committed only; tombstones remove them', async () => {
    const topic = await newTopic(client);
    const admin = client.admin();
    await admin.connect();
    toClose.push(admin);
    const offsets = new OffsetsTopic(`${runId}-offsets`, admin);
    await offsets.ensure();
    expect((await admin.topicConfig(offsets.topic))['cleanup.policy']).toBe('compact');
    const connector = `c-${runId}`;
    const producer = client.producer({ transactionalId: `${runId}-offsets-0` });
    toClose.push(producer);
    await producer.connect();
    const readBack = async (
      wanted?: (key: string) => boolean,
      timeoutMs = 40_000,
    ): Promise<Map<string, Record<string, unknown>>> => {
      const consumer = client.consumer({ isolationLevel: 'read_uncommitted', maxWaitMs: 100 });
      await consumer.connect();
      try {
        return await offsets.read(consumer, connector, timeoutMs, wanted);
      } finally {
        await consumer.close();
      }
    };
    await producer.send([{ topic, partition: 0, batch: batchOf(['r1']) }]);
    await producer.send([offsets.records(connector, [[{ task: 0 }, { offset: 3, line: 1 }]])]);
    await producer.commitTransaction();
    await producer.send([{ topic, partition: 0, batch: batchOf(['r2']) }]);
    await producer.send([
      offsets.records(connector, [
        [{ task: 0 }, { offset: 6, line: 2 }],
        [{ task: 1 }, { offset: 9 }],
      ]),
    ]);
    await producer.abortTransaction();
    // Another connector's key in the same topic is not ours.
    await producer.send([offsets.records(`${connector}-other`, [[{ task: 0 }, { offset: 99 }]])]);
    await producer.commitTransaction();
    // A transaction left open in the same partition by another connector's task (a crash mid-commit) does not hold
    // the read back (read_committed would wait for the broker to abort it, up to its transaction timeout).
    let other = `${connector}-x`;
    for (let i = 0; partitionForConnector(other, 5) !== offsets.partitionOf(connector); i++)
      other = `${connector}-x${i}`;
    const crashed = client.producer({ transactionalId: `${runId}-offsets-crashed` });
    toClose.push(crashed);
    await crashed.connect();
    await crashed.send([offsets.records(other, [[{ task: 0 }, { offset: 1 }]])]);
    const t0 = Date.now();
    expect([...(await readBack())]).toEqual([[offsetKey(connector, { task: 0 }), { offset: 3, line: 1 }]]);
    // Far below the open transaction's 60 s timeout, after which the broker aborts it; generous for a loaded machine.
    expect(Date.now() - t0).toBeLessThan(30_000);
    // A sibling task of the same connector left a transaction open (killed; fenced only when it restarts): task 0's
    // read of its own key does not wait for it, while the connector's whole read does, and fails at its deadline
    // rather than return an offset that may be stale.
    const sibling = client.producer({ transactionalId: `${runId}-offsets-1` });
    toClose.push(sibling);
    await sibling.connect();
    await sibling.send([offsets.records(connector, [[{ task: 1 }, { offset: 10 }]])]);
    const own = offsetKey(connector, { task: 0 });
    const t1 = Date.now();
    expect([...(await readBack((k) => k === own))]).toEqual([[own, { offset: 3, line: 1 }]]);
    expect(Date.now() - t1).toBeLessThan(30_000);
    await expect(readBack(undefined, 3_000)).rejects.toThrow(/waiting for the markers of producer ids/);
    await sibling.abortTransaction();
    await producer.send([offsets.records(connector, [[{ task: 0 }, null]])]);
    await producer.commitTransaction();
    expect((await readBack()).size).toBe(0);
  });

  // Kafka answers EndTxn before the coordinator writes the commit markers: a read right after a commit must wait
  // for the marker of the transaction it saw rather than stop at the high watermark and drop the newest offset.
  it('a read right after each commit always finds that commit (200 times in a row)', async () => {
    const admin = client.admin();
    await admin.connect();
    toClose.push(admin);
    const offsets = new OffsetsTopic(`${runId}-offsets-loop`, admin);
    await offsets.ensure();
    const connector = `loop-${runId}`;
    const producer = client.producer({ transactionalId: `${runId}-offsets-loop-0` });
    toClose.push(producer);
    await producer.connect();
    const consumer = client.consumer({ isolationLevel: 'read_uncommitted', maxWaitMs: 100 });
    await consumer.connect();
    toClose.push(consumer);
    const key = offsetKey(connector, { task: 0 });
    const misses: number[] = [];
    for (let i = 1; i <= 200; i++) {
      await producer.send([offsets.records(connector, [[{ task: 0 }, { offset: i }]])]);
      await producer.commitTransaction();
      const got = (await offsets.read(consumer, connector, 30_000)).get(key);
      if (got?.offset !== i) misses.push(i);
    }
    expect(misses).toEqual([]);
  }, 300_000);

  it('dsc delete fences every task of the connector before it tombstones: a zombie cannot commit an offset back', async () => {
    const env = { DSC_DEPLOYMENT: `${runId}-del` };
    const admin = client.admin();
    await admin.connect();
    toClose.push(admin);
    const offsets = new OffsetsTopic(offsetsTopicName(env), admin);
    await offsets.ensure();
    const connector = `del-${runId}`;
    const task = async (taskId: number) => {
      const p = client.producer({ transactionalId: transactionalIdFor(connector, taskId, env) });
      toClose.push(p);
      await p.connect();
      return p;
    };
    const [task0, task1] = [await task(0), await task(1)];
    await task0.send([offsets.records(connector, [[{ task: 0 }, { offset: 1 }]])]);
    await task0.commitTransaction();
    await task1.send([offsets.records(connector, [[{ task: 1 }, { offset: 7 }]])]);
    await task1.commitTransaction();
    // Task 0 is still running (a zombie of the deleted connector) with a transaction open.
    await task0.send([offsets.records(connector, [[{ task: 0 }, { offset: 2 }]])]);
    const record = {
      name: connector,
      spec: { kind: 'file', tasksMax: 2, target: endpoint },
    } as unknown as ConnectorRecord;
    expect(await kafkaOffsetsCleanup(endpoint, silentLogger, undefined, env).deleteOffsets(record)).toBe(2);
    const late = await task0.commitTransaction().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isProducerFenced(late)).toBe(true);
    const consumer = client.consumer({ isolationLevel: 'read_uncommitted', maxWaitMs: 100 });
    await consumer.connect();
    toClose.push(consumer);
    expect((await offsets.read(consumer, connector, 30_000)).size).toBe(0);
  });
});
