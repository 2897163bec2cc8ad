// Avro → JSON on the real clusters: Confluent wire format with the real schema registry (two schema versions, unions,
// bytes, decimals, big longs, nested records, basic auth), Avro without a registry (container files and single-object
// encoding), a poison record under errors.tolerance none and all, and a registry that refuses the credentials (the
// task fails) or does not answer (the task retries, and says so in status).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { fingerprint64 } from '../../shared/mirror/converters/avro-framing.js';
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
} from './mirror-helpers.js';
import { waitFor } from '../wait-for.js';

const REGISTRY_AUTH = () => process.env.SCHEMA_REGISTRY_AUTH_URL ?? 'http://127.0.0.1:8082/apis/ccompat/v7';
const SR_USER = () => process.env.SCHEMA_REGISTRY_USER ?? 'sr-user';
const SR_PASS = () => process.env.SCHEMA_REGISTRY_PASSWORD ?? 'sr-pass';

// Longs as BigInt so the test can write values beyond 2^53 exactly.
const longType = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (x: number) => BigInt(x),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

const decimalBytes = (unscaled: bigint, size = 8) => {
  const buf = Buffer.alloc(size);
  buf.writeBigInt64BE(unscaled);
  return buf;
};

const userV1 = (ns: string) => ({
  type: 'record',
  name: 'User',
  namespace: ns,
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
    { name: 'avatar', type: 'bytes' },
    { name: 'balance', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 2 } },
    {
      name: 'address',
      type: {
        type: 'record',
        name: 'Address',
        fields: [
          { name: 'city', type: 'string' },
          { name: 'zip', type: ['null', 'int'] },
        ],
      },
    },
  ],
});
const userV2 = (ns: string) => {
  const s = userV1(ns);
  return {
    ...s,
    fields: [
      ...s.fields,
      { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' }, default: 0 },
      { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
    ],
  };
};

/** The writer schema as given (avsc keeps logical types in the header only when it gets the schema, not a Type). */
async function containerFile(schema: object, records: unknown[]): Promise<Buffer> {
  const enc = new avro.streams.BlockEncoder(schema as any, { codec: 'deflate' });
  const chunks: Buffer[] = [];
  enc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => enc.on('end', r));
  for (const r of records) enc.write(r);
  enc.end();
  await done;
  return Buffer.concat(chunks);
}

describe('mirror connector, Avro → JSON', () => {
  const worker = mirrorWorkerForSuite();
  const src = sourceKafka();
  const tgt = targetKafka();

  it('TigerGraphAvroConverter: two schema versions from the registry (basic auth) → flat JSON', async () => {
    const topic = unique('avro-reg');
    const ns = topic.replace(/-/g, '_');
    const v1 = avro.Type.forSchema(userV1(ns) as any, { registry: { long: longType } as any });
    const v2 = avro.Type.forSchema(userV2(ns) as any, { registry: { long: longType } as any });
    const id1 = await register(`${topic}-value`, userV1(ns));
    const id2 = await register(`${topic}-value`, userV2(ns));
    expect(id1).not.toBe(id2);
    await createTopic(src, topic, 2);
    const big = 9007199254740993n; // 2^53 + 1: a double would print ...992
    await produce(src, topic, [
      {
        key: 'u1',
        partition: 0,
        value: wire(
          id1,
          v1.toBuffer({
            id: big,
            name: 'Ann "A"',
            email: 'ann@example.com',
            avatar: Buffer.from([0, 1, 2, 255]),
            balance: decimalBytes(-12345n),
            address: { city: 'Oslo', zip: 150 },
          }),
        ),
      },
      {
        key: 'u2',
        partition: 1,
        value: wire(
          id2,
          v2.toBuffer({
            id: -9223372036854775808n,
            name: 'Bo',
            email: null,
            avatar: Buffer.alloc(0),
            balance: decimalBytes(5n),
            address: { city: 'Rome', zip: null },
            createdAt: 1700000000123, // an inline {type: long} is avsc's plain LongType
            tags: ['x', 'y'],
          }),
        ),
      },
    ]);
    const name = unique('m-avro-reg');
    await createConnector(
      worker.store,
      mirrorSpec(name, {
        topics: topic,
        'value.converter': 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
        'value.converter.schema.registry.url': REGISTRY_AUTH(),
        'value.converter.basic.auth.credentials.source': 'USER_INFO',
        'value.converter.basic.auth.user.info': `${SR_USER()}:${SR_PASS()}`,
      }),
    );
    const got = await consume(tgt, `src.${topic}`, 2);
    const byKey = Object.fromEntries(got.map((g) => [g.key, g]));
    expect(byKey.u1.value).toBe(
      '{"id":9007199254740993,"name":"Ann \\"A\\"","email":"ann@example.com","avatar":"AAEC/w==","balance":"-123.45",' +
        '"address":{"city":"Oslo","zip":150}}',
    );
    expect(byKey.u1.partition).toBe(0);
    expect(byKey.u2.value).toBe(
      '{"id":-9223372036854775808,"name":"Bo","avatar":"","balance":"0.05","address":{"city":"Rome"},' +
        '"createdAt":"2023-11-14T22:13:20.123Z","tags":["x","y"]}',
    );
    expect(byKey.u2.partition).toBe(1);
  });

  it('TigerGraphAvroConverterWithoutSchemaRegistry: container files and single-object encoding', async () => {
    const topic = unique('avro-embedded');
    const schema = {
      type: 'record',
      name: 'Reading',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'value', type: 'double' },
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
      ],
    };
    const type = avro.Type.forSchema(schema as any);
    const dir = mkdtempSync(join(tmpdir(), 'dsc-avro-'));
    const schemaFile = join(dir, 'reading.avsc');
    writeFileSync(schemaFile, JSON.stringify(schema));
    const fp = Buffer.alloc(8);
    fp.writeBigUInt64LE(fingerprint64(JSON.stringify(type.schema())));
    const single = Buffer.concat([
      Buffer.from([0xc3, 0x01]),
      fp,
      type.toBuffer({ sensor: 's3', value: 0.5, day: 19000 }),
    ]);
    const file = await containerFile(schema, [
      { sensor: 's1', value: 1.25, day: 0 },
      { sensor: 's2', value: -2, day: 1 },
    ]);
    await createTopic(src, topic, 1);
    await produce(src, topic, [{ value: file }, { value: single }]);
    const name = unique('m-avro-emb');
    await createConnector(
      worker.store,
      mirrorSpec(name, {
        topics: topic,
        'value.converter': 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverterWithoutSchemaRegistry',
        'value.converter.schema': schemaFile,
      }),
    );
    const got = await consume(tgt, `src.${topic}`, 3);
    expect(got.map((g) => g.value)).toEqual([
      '{"sensor":"s1","value":1.25,"day":"1970-01-01"}',
      '{"sensor":"s2","value":-2,"day":"1970-01-02"}',
      '{"sensor":"s3","value":0.5,"day":"2022-01-08"}',
    ]);
  });

  it('a poison record: tolerance=none fails the task at its offset; tolerance=all dead-letters it and moves on', async () => {
    const schema = { type: 'record', name: 'P', fields: [{ name: 'n', type: 'int' }] };
    const type = avro.Type.forSchema(schema as any);
    const id = await register(unique('poison-value'), schema);
    const good = (n: number) => wire(id, type.toBuffer({ n }));
    const poison = Buffer.from('not avro at all');

    const strictTopic = unique('poison-none');
    await createTopic(src, strictTopic, 1);
    await produce(src, strictTopic, [{ value: good(1) }, { value: poison }, { value: good(3) }]);
    const strict = unique('m-poison-none');
    await createConnector(
      worker.store,
      mirrorSpec(strict, {
        topics: strictTopic,
        'value.converter': 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
        'value.converter.schema.registry.url': REGISTRY(),
      }),
    );
    const failed = await waitFor(async () => (await worker.store.listTasks(strict)).find((t) => t.state === 'FAILED'));
    expect(failed.lastError).toContain(`${strictTopic}-0@1`);
    expect(failed.lastError).toMatch(/Confluent Avro wire format/);
    const strictOut = await consume(tgt, `src.${strictTopic}`, 2, 5_000);
    expect(strictOut.map((g) => g.value)).toEqual(['{"n":1}']);

    const lenientTopic = unique('poison-all');
    const dlq = unique('dlq');
    await createTopic(src, lenientTopic, 1);
    await produce(src, lenientTopic, [{ value: good(1) }, { value: poison, key: 'bad' }, { value: good(3) }]);
    const lenient = unique('m-poison-all');
    await createConnector(
      worker.store,
      mirrorSpec(lenient, {
        topics: lenientTopic,
        'value.converter': 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
        'value.converter.schema.registry.url': REGISTRY(),
        'errors.tolerance': 'all',
        'errors.deadletterqueue.topic.name': dlq,
      }),
    );
    const lenientOut = await consume(tgt, `src.${lenientTopic}`, 2);
    expect(lenientOut.map((g) => g.value)).toEqual(['{"n":1}', '{"n":3}']);
    const dead = await consume(tgt, dlq, 1);
    expect(dead[0].value).toBe('not avro at all');
    expect(dead[0].key).toBe('bad');
    expect(dead[0].headers['__connect.errors.topic']).toBe(lenientTopic);
    expect(dead[0].headers['__connect.errors.offset']).toBe('1');
    expect(dead[0].headers['__connect.errors.exception.message']).toMatch(/wire format/);
    const errors = await waitFor(async () => {
      const n = (await worker.store.listTasks(lenient)).reduce((a, t) => a + t.progress.errors, 0);
      return n > 0 ? n : undefined;
    });
    expect(errors).toBe(1);
  });

  it('registry refusing the credentials fails the task; an unreachable registry is retried, shown in status', async () => {
    const schema = { type: 'record', name: 'R', fields: [{ name: 'n', type: 'int' }] };
    const type = avro.Type.forSchema(schema as any);
    const id = await register(unique('auth-value'), schema);
    const topic = unique('sr-errors');
    await createTopic(src, topic, 1);
    await produce(src, topic, [{ value: wire(id, type.toBuffer({ n: 1 })) }]);

    const refused = unique('m-sr-refused');
    await createConnector(
      worker.store,
      mirrorSpec(refused, {
        topics: topic,
        'value.converter': 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
        'value.converter.schema.registry.url': REGISTRY_AUTH(),
        'value.converter.basic.auth.credentials.source': 'USER_INFO',
        'value.converter.basic.auth.user.info': `${SR_USER()}:wrong-password`,
      }),
    );
    const failed = await waitFor(async () => (await worker.store.listTasks(refused)).find((t) => t.state === 'FAILED'));
    expect(failed.lastError).toMatch(/401|403/);
    expect(failed.lastError).not.toContain('wrong-password');
    expect(await consume(tgt, `src.${topic}`, 1, 2_000)).toHaveLength(0);

    const unreachable = unique('m-sr-down');
    await createConnector(
      worker.store,
      mirrorSpec(unreachable, {
        topics: topic,
        'value.converter': 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
        'value.converter.schema.registry.url': 'http://127.0.0.1:9/apis/ccompat/v7',
      }),
    );
    const retrying = await waitFor(async () =>
      (await worker.store.listTasks(unreachable)).find((t) => /retrying/.test(t.lastError ?? '')),
    );
    expect(retrying.state).toBe('RUNNING');
    expect(retrying.detail?.retries).toBeGreaterThan(0);
  });
});
