// Lifecycle on the real clusters: SASL_SSL + SCRAM on the source, pause/resume/delete, restart (error count reset).
// Delivery across kill -9, SIGTERM and the upgrade from consumer-group offsets: mirror-delivery.test.ts.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { NoopDispatcher } from '../../shared/dispatch/noop-dispatcher.js';
import { ConnectorService } from '../../shared/lifecycle/connector-service.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { consumeAll, values } from './file-helpers.js';
import {
  consume,
  createConnector,
  createTopic,
  mirrorSpec,
  produce,
  register,
  REGISTRY,
  sourceKafka,
  targetKafka,
  unique,
  wire,
  mirrorWorkerForSuite,
  positionsAtSourceEnd,
} from './mirror-helpers.js';
import { waitFor } from '../wait-for.js';

/** Records on the target as a read_committed reader counts them (transaction markers take offsets too). */
async function committedRecords(topic: string): Promise<number> {
  const admin = targetKafka().admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) return 0;
  } finally {
    await admin.disconnect();
  }
  return (await consumeAll(topic)).length;
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
    // Asserting that nothing is copied while paused: no later event to wait for. PAUSED is written after the task's
    // session stopped (no consumer left), and the worker polls every 300 ms, so a worker that wrongly started it
    // again had several polls to do it; a loaded machine only makes this pass more easily, never fail.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await committedRecords(`src.${topic}`)).toBe(1);

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
    await waitFor(async () => ((await committedRecords(`src.${topic}`)) === 4 ? true : undefined));
  });
  it('restart: the error count starts again from 0, the last error stays, records go on with none lost or repeated', async () => {
    const schema = { type: 'record', name: 'R', fields: [{ name: 'n', type: 'int' }] };
    const type = avro.Type.forSchema(schema as any);
    const id = await register(unique('restart-value'), schema);
    const good = (n: number) => ({ value: wire(id, type.toBuffer({ n })) });
    const poison = { value: Buffer.from('not avro at all') };
    const topic = unique('restart');
    await createTopic(src, topic, 1);
    await produce(src, topic, [good(1), poison, good(3)]);
    const name = unique('m-restart');
    await createConnector(
      worker.store,
      mirrorSpec(name, {
        topics: topic,
        'value.converter': 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
        'value.converter.schema.registry.url': REGISTRY(),
        'errors.tolerance': 'all',
      }),
    );
    const service = new ConnectorService({ store: worker.store, dispatcher: new NoopDispatcher(), log: silentLogger });
    const statusWhen = (ok: (s: Awaited<ReturnType<ConnectorService['status']>>) => boolean) =>
      waitFor(async () => {
        const s = await service.status(name);
        return ok(s) ? s : undefined;
      });
    const skipped = (offset: number) => `cannot convert record ${topic}-0@${offset}:`;

    const before = await statusWhen((s) => s.totals.errors > 0 && s.totals.records === 2);
    expect(before.totals.errors).toBe(1);
    expect(before.lastError).toContain(skipped(1));
    expect(before.lastError).toMatch(/wire format.*errors\.tolerance=all: skipped/);

    expect(await service.restart(name, false)).toEqual({ name, desired: 'RUNNING', epoch: 2, restarted: [0] });
    // The runtime of epoch 2 is up (it writes its rows under that epoch): errors 0, the last error still shown.
    const after = await statusWhen((s) => s.tasks.every((t) => t.epoch === 2 && t.state === 'RUNNING'));
    expect(after.totals).toMatchObject({ records: 2, errors: 0 });
    expect(after.lastError).toContain(skipped(1));
    // A later status write (every 2 s) still shows 0: wait for each task row to be written again.
    const written = new Map((await worker.store.listTasks(name)).map((t) => [t.taskId, t.version]));
    await waitFor(
      async () =>
        (await worker.store.listTasks(name)).every((t) => t.version > (written.get(t.taskId) ?? Infinity)) || undefined,
      { what: `a later status write of ${name}'s tasks` },
    );
    expect((await service.status(name)).totals.errors).toBe(0);

    // It goes on from its saved positions, and counts from 0: one more poison record makes 1, not 2.
    await produce(src, topic, [good(4), poison, good(6)]);
    const later = await statusWhen((s) => s.totals.records === 4 && s.totals.errors > 0);
    expect(later.totals.errors).toBe(1);
    expect(later.lastError).toContain(skipped(4));
    // No fifth record: read once the positions reached the source's end (the last poison record included).
    await positionsAtSourceEnd(name, topic);
    expect(values(await consumeAll(`src.${topic}`))).toEqual(['{"n":1}', '{"n":3}', '{"n":4}', '{"n":6}']);
  });
});
