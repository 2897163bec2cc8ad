// Lifecycle on the real clusters: SASL_SSL + SCRAM on the source, pause/resume/delete. Delivery across kill -9,
// SIGTERM and the upgrade from consumer-group offsets: mirror-delivery.test.ts.
import { describe, expect, it } from 'vitest';
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
