// The converting path's fast lane (converter.writeInto + ConvertedBatchBuilder) against the general lane (convert() +
// encodeBatch) on the same source batches: the same records (key, value, headers, timestamp, in order), the same
// dead letters and failures under errors.tolerance, and a batch straddling the position trimmed the same way.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { readBatchHeader } from '../../../shared/kafka/batch/batch-layout.js';
import { encodeBatch, stampBatch, type OutgoingRecord } from '../../../shared/kafka/batch/forwarded-batch.js';
import { decodeRecordBatches } from '../../../shared/kafka/batch/record-batch-reader.js';
import type { MirrorConnectorSpec } from '../../../shared/config/spec.js';
import { AvroRegistryConverter } from '../../../shared/mirror/converters/avro-registry-converter.js';
import type { Converter } from '../../../shared/mirror/converters/converter.js';
import type { SchemaRegistryClient } from '../../../shared/mirror/converters/schema-registry-client.js';
import { converterCopy } from '../../../shared/mirror/converters/index.js';
import { convertBatch, convertBatchSync, type ConversionContext } from '../../../shared/mirror/record-conversion.js';

const schemaV1 = {
  type: 'record',
  name: 'Person',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: ['null', 'int'] },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
  ],
};
const schemaV2 = { ...schemaV1, fields: [...schemaV1.fields, { name: 'city', type: 'string', default: '' }] };
const registry = {
  schemaById: async (id: number) => JSON.stringify(id === 1 ? schemaV1 : schemaV2),
} as unknown as SchemaRegistryClient;

const framed = (id: number, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(id, 1);
  return Buffer.concat([head, body]);
};
const v1 = avro.Type.forSchema(schemaV1 as any);
const v2 = avro.Type.forSchema(schemaV2 as any);

/** Source records: two schema versions, keys and none, headers, a tombstone, a poison value, decreasing times. */
function sourceRecords(): OutgoingRecord[] {
  const out: OutgoingRecord[] = [];
  for (let i = 0; i < 40; i++) {
    const value =
      i === 7
        ? Buffer.from('not avro')
        : i === 11
          ? null
          : i % 2
            ? framed(1, v1.toBuffer({ name: `p"${i}\n€`, age: i % 3 ? i : null, at: 1_700_000_000_000_000 + i }))
            : framed(2, v2.toBuffer({ name: `q${i}`, age: null, at: -5 - i, city: 'Zürich' }));
    out.push({
      timestamp: 1_700_000_000_000 + (i % 5) * 1000 - i,
      key: i % 4 === 0 ? null : Buffer.from(`key-${i}`),
      value,
      headers:
        i % 3 === 0
          ? []
          : [
              [Buffer.from('h1'), Buffer.from(`v${i}`)],
              [Buffer.from('h2'), null],
            ],
    });
  }
  return out;
}

function sourceBatch(baseOffset: bigint, compression: number) {
  const bytes = encodeBatch(sourceRecords(), compression);
  bytes.writeBigInt64BE(baseOffset, 0);
  return { header: readBatchHeader(bytes), bytes };
}

function context(converter: Converter, tolerance: 'none' | 'all'): ConversionContext {
  const spec = {
    errors: { tolerance, deadLetterTopic: tolerance === 'all' ? 'dlq' : undefined, deadLetterContextHeaders: true },
  } as unknown as MirrorConnectorSpec;
  return { spec, connector: 'c', taskId: 0, converter, convert: (v) => converter.convert(v) };
}

/** The same converter without its fast lane. */
const general = (c: Converter): Converter => ({ convert: (v) => c.convert(v) });

const records = (bytes: Buffer | undefined) =>
  bytes
    ? decodeRecordBatches(bytes)[0].records.map((r) => ({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key?.toString('hex') ?? null,
        value: r.value?.toString('utf8') ?? null,
        headers: r.headers.map(([k, v]) => [k, v?.toString('hex') ?? null]),
      }))
    : [];

describe('convertBatch fast lane', () => {
  for (const compression of [0, 1]) {
    for (const tolerance of ['none', 'all'] as const) {
      for (const position of [100n, 113n]) {
        it(`equals the general lane (compression ${compression}, tolerance ${tolerance}, position ${position})`, async () => {
          const fast = new AvroRegistryConverter({ kind: 'avro-registry', className: 't' }, registry);
          const slow = general(new AvroRegistryConverter({ kind: 'avro-registry', className: 't' }, registry));
          const batch = sourceBatch(100n, compression);
          const a = await convertBatch(context(fast, tolerance), 't', 0, batch, position);
          const b = await convertBatch(context(slow, tolerance), 't', 0, batch, position);
          expect(records(a.bytes)).toEqual(records(b.bytes));
          expect(records(a.bytes).length).toBe(a.records);
          expect(a.records).toBe(b.records);
          expect(a.bytesOut).toBe(b.bytesOut);
          expect(a.failure).toEqual(b.failure);
          expect(a.errors).toBe(b.errors);
          expect(a.lastSkipped).toBe(b.lastSkipped);
          expect(records(a.dead.length ? encodeBatch(a.dead) : undefined)).toEqual(
            records(b.dead.length ? encodeBatch(b.dead) : undefined),
          );
          if (tolerance === 'none' && position === 100n) expect(a.failure?.offset).toBe(107n);
          if (tolerance === 'all') expect(a.errors).toBe(position === 100n ? 1 : 0);
          // A second batch converts on the fast lane alone (both schemas cached): still equal.
          const again = await convertBatch(context(fast, tolerance), 't', 0, batch, position);
          expect(records(again.bytes)).toEqual(records(b.bytes));
        });
      }
    }
  }

  it('keeps source timestamps that go backwards, and the batch max timestamp', async () => {
    const fast = new AvroRegistryConverter({ kind: 'avro-registry', className: 't' }, registry);
    const out = await convertBatch(context(fast, 'all'), 't', 0, sourceBatch(0n, 0), 0n);
    stampBatch(out.bytes!, 7n, 0, 0); // as the producer does before sending: producer fields and the CRC
    const [b] = decodeRecordBatches(out.bytes!);
    const want = sourceRecords().filter((r, i) => i !== 7);
    expect(b.records.map((r) => Number(r.timestamp))).toEqual(want.map((r) => r.timestamp));
    expect(Number(b.maxTimestamp)).toBe(Math.max(...want.map((r) => r.timestamp)));
    expect(b.crcValid).toBe(true);
    expect(b.records.map((r) => r.offset)).toEqual(want.map((_, i) => BigInt(i)));
  });

  it("a conversion worker's lane (convertBatchSync on a converter copy) equals convertBatch, or hands the batch back", async () => {
    const spec = { kind: 'avro-registry', className: 't', schemaRegistryUrl: 'http://127.0.0.1:1' } as const;
    const task = new AvroRegistryConverter(spec, registry);
    const poisoned = sourceBatch(100n, 1);
    // A copy made before the task fetched any schema hands every batch with values back.
    expect(convertBatchSync(await converterCopy(spec, task.state()), poisoned, 100n)).toBeUndefined();
    await convertBatch(context(task, 'all'), 't', 0, poisoned, 100n); // the task fetches both schemas
    const copy = await converterCopy(spec, task.state());
    // The poison value (offset 107) is the task's to handle: handed back, unless the position is past it.
    expect(convertBatchSync(copy, poisoned, 100n)).toBeUndefined();
    for (const position of [108n, 113n]) {
      const want = await convertBatch(context(task, 'none'), 't', 0, poisoned, position);
      const got = convertBatchSync(copy, poisoned, position)!;
      expect(records(got.bytes)).toEqual(records(want.bytes));
      expect([got.records, got.bytesOut]).toEqual([want.records, want.bytesOut]);
    }
  });
});
