// The mirror's conversion threads (conversion-pool.ts + conversion-worker.ts) as the compiled mirror runs them (the
// worker script must exist as JavaScript: compiled like the container entry, mirror-child.ts): batches converted on
// two threads equal the task's own convertBatch, in order; a batch with a record the threads cannot convert alone (a
// poison value, a schema id the task has not fetched) comes back undefined, and once the task has fetched the schema
// the threads convert such batches too; batches released after sending are built in again. No Kafka: the batches are built here.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import avro from 'avsc';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../shared/runtime/log.js';
import type * as PoolModule from '../../shared/mirror/conversion-pool.js';
import type * as RegistryModule from '../../shared/mirror/converters/avro-registry-converter.js';
import type * as ConversionModule from '../../shared/mirror/record-conversion.js';
import type * as BatchModule from '../../shared/kafka/batch/forwarded-batch.js';
import type * as ReaderModule from '../../shared/kafka/batch/record-batch-reader.js';
import type * as LayoutModule from '../../shared/kafka/batch/batch-layout.js';
import type { MirrorConnectorSpec } from '../../shared/config/spec.js';
import type { SchemaRegistryClient } from '../../shared/mirror/converters/schema-registry-client.js';
import { BUILD, buildMirrorEntry } from './mirror-child.js';

const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(BUILD, path)).href)) as T;

const schemaA = {
  type: 'record',
  name: 'A',
  fields: [
    { name: 's', type: 'string' },
    { name: 'n', type: ['null', 'long'] },
    { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
  ],
};
const schemaB = {
  type: 'record',
  name: 'B',
  fields: [{ name: 't', type: { type: 'long', logicalType: 'timestamp-millis' } }],
};
const typeA = avro.Type.forSchema(schemaA as any);
const typeB = avro.Type.forSchema(schemaB as any);
const registry = {
  schemaById: async (id: number) => JSON.stringify(id === 1 ? schemaA : schemaB),
} as unknown as SchemaRegistryClient;
const framed = (id: number, body: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, id]), body]);
const spec = {
  kind: 'avro-registry',
  className: 'TigerGraphAvroConverter',
  schemaRegistryUrl: 'http://127.0.0.1:1',
} as const;

describe('mirror conversion threads', () => {
  let m: {
    pool: typeof PoolModule;
    registry: typeof RegistryModule;
    conversion: typeof ConversionModule;
    batch: typeof BatchModule;
    reader: typeof ReaderModule;
    layout: typeof LayoutModule;
  };
  beforeAll(async () => {
    await buildMirrorEntry();
    m = {
      pool: await load('shared/mirror/conversion-pool.js'),
      registry: await load('shared/mirror/converters/avro-registry-converter.js'),
      conversion: await load('shared/mirror/record-conversion.js'),
      batch: await load('shared/kafka/batch/forwarded-batch.js'),
      reader: await load('shared/kafka/batch/record-batch-reader.js'),
      layout: await load('shared/kafka/batch/batch-layout.js'),
    };
  }, 300_000);

  /** A source batch at `base` of `count` records of schema A, `poisonAt` not Avro, `idB` records of schema B. */
  const sourceBatch = (base: bigint, count: number, opts: { poisonAt?: number; withB?: boolean } = {}) => {
    const records = Array.from({ length: count }, (_, i) => ({
      timestamp: 1_700_000_000_000 + i,
      key: i % 5 ? Buffer.from(`k${i}`) : null,
      value:
        i === opts.poisonAt
          ? Buffer.from('not avro')
          : opts.withB && i % 2
            ? framed(2, typeB.toBuffer({ t: 1_700_000_000_000 + i }))
            : framed(1, typeA.toBuffer({ s: `v"${i}\n✓`, n: i % 3 ? i * 1e9 : null, d: Buffer.from([i % 256, 7]) })),
      headers: [[Buffer.from('h'), Buffer.from(`${i}`)]] as [Buffer, Buffer | null][],
    }));
    const bytes = m.batch.encodeBatch(records);
    bytes.writeBigInt64BE(base, 0);
    return { header: m.layout.readBatchHeader(bytes), bytes };
  };
  const decoded = (bytes: Buffer | undefined) =>
    bytes
      ? m.reader
          .decodeRecordBatches(bytes)[0]
          .records.map((r) => [r.timestamp, r.key?.toString(), r.value?.toString(), r.headers])
      : [];

  it('converts on two threads what the task would, in order; hands back what only the task can do', async () => {
    const converter = new m.registry.AvroRegistryConverter(spec, registry);
    const errors = { errors: { tolerance: 'all' } } as unknown as MirrorConnectorSpec;
    const ctx = {
      spec: errors,
      connector: 'c',
      taskId: 0,
      converter,
      convert: (v: Buffer | null) => converter.convert(v),
    };
    // The task has fetched schema 1 (a first batch converted inline).
    await m.conversion.convertBatch(ctx, 't', 0, sourceBatch(0n, 2), 0n);
    const pool = m.pool.ConversionPool.start(spec, converter, 2, silentLogger)!;
    expect(pool).toBeDefined();
    try {
      const batches = [
        sourceBatch(100n, 300),
        sourceBatch(400n, 50, { poisonAt: 20 }),
        sourceBatch(450n, 300),
        sourceBatch(750n, 40, { withB: true }),
        sourceBatch(790n, 100),
      ];
      const positions = [120n, 400n, 450n, 750n, 790n]; // the first straddles its position
      const answers = await Promise.all(batches.map((b, i) => pool.convert(b, positions[i])));
      for (const i of [0, 2, 4]) {
        const want = await m.conversion.convertBatch(ctx, 't', 0, batches[i], positions[i]);
        expect(decoded(answers[i]!.bytes)).toEqual(decoded(want.bytes));
        expect([answers[i]!.records, answers[i]!.bytesOut]).toEqual([want.records, want.bytesOut]);
      }
      expect(answers[0]!.records).toBe(280);
      // Acknowledged batches go back to the threads, which build later batches in them: the same results, and the
      // released memory is no longer the task's (transferred with the next job).
      const wants = await Promise.all(
        [0, 2, 4].map(async (i) =>
          decoded((await m.conversion.convertBatch(ctx, 't', 0, batches[i], positions[i])).bytes),
        ),
      );
      for (let round = 0; round < 3; round++) {
        const before = [0, 2, 4].map((i) => answers[i]!.bytes!.buffer);
        for (const i of [0, 2, 4]) answers[i]!.release!();
        const next = await Promise.all([0, 2, 4].map((i) => pool.convert(batches[i], positions[i])));
        expect(before.map((b) => b.byteLength)).toEqual([0, 0, 0]);
        expect(next.map((a) => decoded(a!.bytes))).toEqual(wants);
        for (const [k, i] of [0, 2, 4].entries()) answers[i] = next[k];
      }
      expect(answers[1]).toBeUndefined(); // the poison value: errors.tolerance is the task's
      expect(answers[3]).toBeUndefined(); // schema 2 not fetched by the task yet
      // The task converts batch 3 itself (fetching schema 2); the next dispatch shares it with the threads.
      const inline = await m.conversion.convertBatch(ctx, 't', 0, batches[3], positions[3]);
      const fetched = {
        topic: 't',
        partition: 0,
        records: batches[3].bytes,
        abortedTransactions: [],
        highWatermark: 790n,
        nextOffset: 790n,
      };
      const dispatched = pool.dispatch([fetched as any], new Map([['t:0', 750n]]));
      const again = await dispatched.get(fetched as any)!.answers[0];
      expect(again).toBeDefined();
      expect(decoded(again!.bytes)).toEqual(decoded(inline.bytes));
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('the first fetch before any schema is known: prime fetches it on the task, so the threads convert that fetch', async () => {
    const converter = new m.registry.AvroRegistryConverter(spec, registry);
    const pool = m.pool.ConversionPool.start(spec, converter, 1, silentLogger)!;
    try {
      const batch = sourceBatch(0n, 30);
      const fetched = {
        topic: 't',
        partition: 0,
        records: batch.bytes,
        abortedTransactions: [],
        highWatermark: 30n,
        nextOffset: 30n,
      } as any;
      await pool.prime([fetched]);
      expect(converter.state().registrySchemas?.map(([id]) => id)).toEqual([1]);
      const answer = await pool.dispatch([fetched], new Map([['t:0', 0n]])).get(fetched)!.answers[0];
      expect(answer?.records).toBe(30);
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('a conversion thread that dies: its batches and every later one come back to the task, whose errors.tolerance and dead-letter topic apply', async () => {
    const converter = new m.registry.AvroRegistryConverter(spec, registry);
    const dlq = {
      errors: { tolerance: 'all', deadLetterTopic: 'dlq', deadLetterContextHeaders: true },
    } as unknown as MirrorConnectorSpec;
    const ctx = {
      spec: dlq,
      connector: 'c',
      taskId: 0,
      converter,
      convert: (v: Buffer | null) => converter.convert(v),
    };
    await m.conversion.convertBatch(ctx, 't', 0, sourceBatch(0n, 2), 0n); // schema 1 fetched
    const pool = m.pool.ConversionPool.start(spec, converter, 1, silentLogger)!;
    try {
      // In flight when the thread goes: answered undefined (never rejected), and so is everything after.
      const inFlight = [pool.convert(sourceBatch(10n, 500), 10n), pool.convert(sourceBatch(510n, 500), 510n)];
      await (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0].worker.terminate();
      expect(await Promise.all(inFlight)).toEqual([undefined, undefined]);
      const poisoned = sourceBatch(1010n, 30, { poisonAt: 7 });
      expect(await pool.convert(poisoned, 1010n)).toBeUndefined();
      const f = { topic: 't', partition: 0, records: poisoned.bytes, abortedTransactions: [], highWatermark: 1040n };
      const d = pool.dispatch([f as any], new Map([['t:0', 1010n]]));
      expect(await d.get(f as any)!.answers[0]).toBeUndefined();
      // What the task then does with the batch itself: the poison value skipped and dead-lettered, the rest sent.
      const inline = await m.conversion.convertBatch(ctx, 't', 0, poisoned, 1010n);
      expect([inline.records, inline.errors, inline.dead.length]).toEqual([29, 1, 1]);
      expect(inline.dead[0].value?.toString()).toBe('not avro');
      expect(inline.lastSkipped).toMatch(/t-0@1017/);
    } finally {
      await pool.close();
    }
  }, 120_000);
});
