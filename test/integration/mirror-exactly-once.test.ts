// The mirror's exactly-once pieces on the real clusters: the target's batches are transactional and the positions
// land in the offsets topic (keys [connector, {cluster, topic, partition}]); a connector whose positions were in the
// store (the version before exactly once) resumes there; `dsc delete` tombstones the mirror's offsets; a task that
// caught up with its source commits at once. The crash
// cases (kill -9, SIGTERM) are in mirror-delivery.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../shared/kafka/port/kafka-client.js';
import { OffsetsTopic, offsetsTopicName } from '../../shared/kafka/delivery/offsets-topic.js';
import { decodeRecordBatches } from '../../shared/kafka/batch/record-batch-reader.js';
import { kafkaOffsetsCleanup } from '../../shared/lifecycle/offsets-cleanup.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { consumeAll } from './file-helpers.js';
import {
  createConnector,
  createTopic,
  mirrorSpec,
  produce,
  sourceKafka,
  startWorker,
  TARGET,
  tempStore,
  unique,
} from './mirror-helpers.js';
import { waitFor } from '../wait-for.js';

const target = { brokers: [TARGET()], security: { protocol: 'PLAINTEXT' as const } };
const worker = await (async () => {
  const store = await tempStore();
  return { store, ...startWorker(store) };
})();
afterAll(async () => {
  await worker.stop();
  await worker.store.close();
});

async function offsetsOf(connector: string): Promise<Map<string, Record<string, unknown>>> {
  const client = createKafkaClient(target, 'dsc-eos-mirror-test', 'wire');
  const admin = client.admin();
  const consumer = client.consumer({ isolationLevel: 'read_uncommitted', maxWaitMs: 100 });
  await Promise.all([admin.connect(), consumer.connect()]);
  try {
    const offsets = new OffsetsTopic(offsetsTopicName(), admin);
    if (!(await offsets.exists())) return new Map();
    return await offsets.read(consumer, connector, 10_000);
  } finally {
    await Promise.all([admin.close(), consumer.close()]);
  }
}

const committedValues = async (topic: string): Promise<string[]> =>
  (await consumeAll(topic).catch(() => [])).map((r) => r.value);

describe('mirror connector: exactly once', () => {
  it('a task caught up with its source commits at once, not at the next transaction.boundary.interval.ms', async () => {
    const topic = unique('eos-caught-up');
    const src = sourceKafka();
    await createTopic(src, topic, 2);
    const values = (from: number) =>
      Array.from({ length: 50 }, (_, i) => ({ value: `c${from + i}`, partition: i % 2 }));
    await produce(src, topic, values(0));
    const name = unique('m-eos-caught-up');
    // An interval far longer than the waits below: only the caught-up commit can make the records visible in time.
    await createConnector(
      worker.store,
      mirrorSpec(name, { topics: topic, 'transaction.boundary.interval.ms': 120_000 }),
    );
    const visible = async (n: number) =>
      waitFor(async () => ((await committedValues(`src.${topic}`)).length === n ? true : undefined), {
        what: `${n} committed records on src.${topic}`,
      });
    await visible(50);
    // Later records too, once the task is idle again.
    await produce(src, topic, values(50));
    await visible(100);
    expect((await committedValues(`src.${topic}`)).sort()).toEqual(
      [...values(0), ...values(50)].map((r) => r.value).sort(),
    );
  });

  it('target batches are transactional; positions go to the offsets topic; delete tombstones them', async () => {
    const topic = unique('eos-m');
    const src = sourceKafka();
    await createTopic(src, topic, 2);
    await produce(
      src,
      topic,
      Array.from({ length: 200 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })),
    );
    const name = unique('m-eos');
    await createConnector(worker.store, mirrorSpec(name, { topics: topic }));
    await waitFor(async () => ((await committedValues(`src.${topic}`)).length === 200 ? true : undefined), {
      what: `200 committed records on src.${topic}`,
    });
    const offsets = await waitFor(
      async () => {
        const o = await offsetsOf(name);
        const total = [...o.values()].reduce((n, v) => n + Number(v.offset), 0);
        return total === 200 ? o : undefined;
      },
      { what: 'positions summing to 200 in the offsets topic' },
    );
    expect([...offsets.keys()].sort()).toEqual([
      `["${name}",{"cluster":"src","partition":0,"topic":"${topic}"}]`,
      `["${name}",{"cluster":"src","partition":1,"topic":"${topic}"}]`,
    ]);

    const consumer = createKafkaClient(target, 'dsc-eos-mirror-test', 'wire').consumer({ maxWaitMs: 100 });
    await consumer.connect();
    consumer.assign([{ topic: `src.${topic}`, partition: 0, offset: 0n }]);
    const batches = (await consumer.fetch()).flatMap((f) => decodeRecordBatches(f.records, false));
    await consumer.close();
    expect(batches.filter((b) => !b.control).every((b) => b.transactional)).toBe(true);
    expect(batches.some((b) => b.control)).toBe(true);

    const record = (await worker.store.getConnector(name))!;
    expect(await worker.store.deleteConnector(name)).toBe(true);
    // No wait for the worker to stop the connector: the cleanup fences the task's transactional id first (a fenced
    // task stops), so nothing the running task commits afterwards can bring an offset back.
    expect(await kafkaOffsetsCleanup(target, silentLogger).deleteOffsets(record)).toBe(2);
    expect((await offsetsOf(name)).size).toBe(0);
  });

  it('upgrade: positions kept in the store by the version before exactly once are where it resumes', async () => {
    const topic = unique('eos-m-up');
    const src = sourceKafka();
    await createTopic(src, topic, 1);
    await produce(
      src,
      topic,
      Array.from({ length: 50 }, (_, i) => ({ value: `u${i}` })),
    );
    const name = unique('m-eos-up');
    const spec = mirrorSpec(name, { topics: topic });
    const store = await tempStore();
    await createConnector(store, spec);
    await store.putOffset(name, `position:${topic}:0`, { offset: '30' });
    const second = startWorker(store);
    try {
      await waitFor(async () => ((await committedValues(`src.${topic}`)).length >= 20 ? true : undefined), {
        what: `20 committed records on src.${topic}`,
      });
      // Barrier, not a pause: its position reached the source's end (50) in the offsets topic, in the transaction
      // of the records before it, so whatever it copied (a re-copy from 0 included) is committed and visible now.
      await waitFor(
        async () => [...(await offsetsOf(name)).values()].some((v) => Number(v.offset) === 50) || undefined,
        { what: `${name}'s position 50 in the offsets topic` },
      );
      expect(await committedValues(`src.${topic}`)).toEqual(Array.from({ length: 20 }, (_, i) => `u${30 + i}`));
    } finally {
      await second.stop();
      await store.close();
    }
  });
});
