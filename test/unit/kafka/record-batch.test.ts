// The RecordBatch v2 encoder: what it writes decodes to what went in (with our reader AND kafkajs's decoder, an
// independent implementation), CRC and producer stamping are right, and every codec round-trips.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeRecordBatches } from '../../../shared/kafka/batch/record-batch-reader.js';
import {
  compressionAvailable,
  encodeHeaderKey,
  encodeHeaders,
  encodeRecordBatch,
  RecordBatchBuilder,
  sealBatch,
} from '../../../shared/kafka/batch/record-batch.js';
import { varintSize, writeVarint } from '../../../shared/kafka/batch/batch-layout.js';
import type { CompressionType } from '../../../shared/kafka/port/kafka-port.js';

const require = createRequire(import.meta.url);
const KjsDecoder = require('kafkajs/src/protocol/decoder');
const kjsDecodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');

interface KjsRecord {
  offset: string;
  value: Buffer | null;
  key: Buffer | null;
  headers: Record<string, Buffer>;
}

async function kafkajsRecords(bytes: Buffer): Promise<KjsRecord[]> {
  const batch = await kjsDecodeBatch(new KjsDecoder(bytes));
  return batch.records;
}

const stamp = { producerId: 4242n, producerEpoch: 3, baseSequence: 17 };

function build(lines: string[]): Buffer {
  const b = new RecordBatchBuilder(64); // small start: growth is exercised
  const fixed = encodeHeaders([
    ['dsc.source', 'gs://bucket/dir/file.csv'],
    ['dsc.generation', '1700000000000001'],
  ]);
  const lineKey = encodeHeaderKey('dsc.line');
  const chunk = Buffer.from(lines.join('\n'), 'utf8');
  let start = 0;
  lines.forEach((_, i) => {
    let end = chunk.indexOf(10, start);
    if (end < 0) end = chunk.length;
    b.append(chunk, start, end, fixed, lineKey, i === 0 ? 0 : 10 ** (i % 15) + i);
    start = end + 1;
  });
  return sealBatch(b.finish()!, stamp);
}

describe('varints', () => {
  it('zig-zag encodes the edges of each length', () => {
    for (const n of [0, -1, 1, 63, -64, 64, 8191, -8192, 8192, 2 ** 31 - 1, -(2 ** 31)]) {
      const buf = Buffer.alloc(5);
      expect(writeVarint(buf, 0, n)).toBe(varintSize(n));
      const decoder = new KjsDecoder(buf);
      expect(decoder.readVarInt()).toBe(n);
    }
  });
});

describe('RecordBatchBuilder', () => {
  const lines = ['a,b,c', '', 'caf\u00e9,\u65e5\u672c', 'x'.repeat(300), '"quoted, comma"', '1,2'];

  it('decodes to the same values, headers and offsets with our reader', () => {
    const [batch] = decodeRecordBatches(build(lines));
    expect(batch.crcValid).toBe(true);
    expect(batch.recordCount).toBe(lines.length);
    expect(batch.lastOffset).toBe(BigInt(lines.length - 1));
    expect(batch.producerId).toBe(4242n);
    expect(batch.producerEpoch).toBe(3);
    expect(batch.baseSequence).toBe(17);
    expect(batch.records.map((r) => r.value!.toString('utf8'))).toEqual(lines);
    expect(batch.records.map((r) => r.offset)).toEqual(lines.map((_, i) => BigInt(i)));
    expect(batch.records[3].headers).toEqual([
      ['dsc.source', Buffer.from('gs://bucket/dir/file.csv')],
      ['dsc.generation', Buffer.from('1700000000000001')],
      ['dsc.line', Buffer.from(String(10 ** 3 + 3))],
    ]);
    expect(batch.records[0].headers[2][1]!.toString()).toBe('0');
  });

  it('decodes the same with kafkajs (an independent decoder)', async () => {
    const records = await kafkajsRecords(build(lines));
    expect(records.map((r) => r.value!.toString('utf8'))).toEqual(lines);
    expect(records.map((r) => r.key)).toEqual(lines.map(() => null));
    expect(records[5].headers['dsc.line'].toString()).toBe(String(10 ** 5 + 5));
    expect(records[5].headers['dsc.source'].toString()).toBe('gs://bucket/dir/file.csv');
  });

  it('passes invalid UTF-8 through byte for byte', () => {
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0d]);
    const b = new RecordBatchBuilder();
    b.append(raw, 0, raw.length);
    const [batch] = decodeRecordBatches(sealBatch(b.finish()!, stamp));
    expect(batch.records[0].value).toEqual(raw);
  });

  it('reports a size that matches the finished batch, and a null value', () => {
    const b = new RecordBatchBuilder();
    const v = Buffer.from('hello');
    b.append(v, 0, 5);
    b.append(null, 0, 0);
    const size = b.size;
    const batch = b.finish()!;
    expect(batch.bytes.length).toBe(size);
    expect(b.recordCount).toBe(0);
    expect(b.finish()).toBeUndefined();
    const [decoded] = decodeRecordBatches(sealBatch(batch, stamp));
    expect(decoded.records.map((r) => r.value)).toEqual([v, null]);
    expect(RecordBatchBuilder.recordSize(5, null, 0, 0)).toBeGreaterThanOrEqual(batch.bytes.length - 61 - 5);
  });

  it('reuses a recycled buffer for a later batch, never one still in flight', () => {
    const b = new RecordBatchBuilder(64 * 1024); // own ArrayBuffers (not Node's small-buffer pool)
    const put = (v: string) => b.append(Buffer.from(v), 0, v.length);
    const value = (x: { bytes: Buffer; recordCount: number }) =>
      decodeRecordBatches(sealBatch(x, stamp))[0].records[0].value!.toString();
    put('first');
    const first = b.finish()!;
    put('second');
    const second = b.finish()!; // in flight: never reused
    b.recycle(first);
    put('third');
    const third = b.finish()!; // built in the buffer allocated before the recycle
    put('fourth');
    const fourth = b.finish()!;
    expect(fourth.bytes.buffer).toBe(first.bytes.buffer);
    expect(new Set([second, third, fourth].map((x) => x.bytes.buffer)).size).toBe(3);
    expect([second, third, fourth].map(value)).toEqual(['second', 'third', 'fourth']);
  });

  it('a decoder ignores a partial batch at the end (a fetch cut at its limit)', () => {
    const full = build(['a', 'b']);
    const two = Buffer.concat([full, full.subarray(0, full.length - 3)]);
    expect(decodeRecordBatches(two)).toHaveLength(1);
  });
});

describe('sealBatch', () => {
  const codecs: CompressionType[] = ['gzip', 'snappy', 'lz4', 'zstd'];
  it.each(codecs)('%s round-trips and sets the codec bits', async (codec) => {
    if (!compressionAvailable(codec)) return;
    const b = new RecordBatchBuilder();
    const values = Array.from({ length: 200 }, (_, i) => `line ${i},some,repeated,text`);
    for (const v of values) b.append(Buffer.from(v), 0, Buffer.byteLength(v));
    const sealed = sealBatch(b.finish()!, stamp, codec);
    const [batch] = decodeRecordBatches(sealed);
    expect(batch.compression).toBe(codec);
    expect(batch.crcValid).toBe(true);
    expect(batch.records.map((r) => r.value!.toString())).toEqual(values);
    if (codec === 'gzip') expect((await kafkajsRecords(sealed)).map((r) => r.value!.toString())).toEqual(values);
  });

  it('a changed byte fails the CRC', () => {
    const sealed = build(['abc']);
    sealed[sealed.length - 5] ^= 1;
    expect(decodeRecordBatches(sealed)[0].crcValid).toBe(false);
  });
});

describe('encodeRecordBatch', () => {
  it('keeps keys, offsets gaps, timestamps and repeated headers', async () => {
    const batch = encodeRecordBatch(
      [
        { key: Buffer.from('k1'), value: Buffer.from('v1'), offsetDelta: 0, timestamp: 1000n },
        {
          key: null,
          value: Buffer.from('v2'),
          offsetDelta: 5,
          timestamp: 1500n,
          headers: [
            ['h', Buffer.from('1')],
            ['h', Buffer.from('2')],
          ],
        },
      ],
      100n,
    );
    const [d] = decodeRecordBatches(sealBatch(batch, stamp));
    expect(d.baseOffset).toBe(100n);
    expect(d.lastOffset).toBe(105n);
    expect(d.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value!.toString()])).toEqual([
      [100n, 1000n, 'k1', 'v1'],
      [105n, 1500n, null, 'v2'],
    ]);
    expect(d.records[1].headers.map(([k, v]) => `${k}=${v}`)).toEqual(['h=1', 'h=2']);
    const kjs = await kafkajsRecords(sealBatch(batch, stamp));
    expect(kjs.map((r) => r.offset)).toEqual(['100', '105']);
  });
});
