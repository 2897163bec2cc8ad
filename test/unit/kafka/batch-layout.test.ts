// The one RecordBatch header layout, seen from its three users: a batch built by the builder (sealed) or by
// encodeBatch is read back by the reader with a valid CRC; restamped for another producer (the mirror's forward
// path) it keeps its records' bytes, carries the new producer fields, and its CRC is valid again; the reader's
// header agrees with readBatchHeader's field by field.
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTES,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  CRC,
  crcValid,
  readBatchHeader,
} from '../../../shared/kafka/batch/batch-layout.js';
import { encodeBatch, stampBatch } from '../../../shared/kafka/batch/forwarded-batch.js';
import { batchesIn, decodeRecordBatches, decodeRecords } from '../../../shared/kafka/batch/record-batch-reader.js';
import {
  encodeHeaders,
  encodeRecordBatch,
  RecordBatchBuilder,
  sealBatch,
} from '../../../shared/kafka/batch/record-batch.js';
import type { CompressionType } from '../../../shared/kafka/port/kafka-port.js';

function built(values: string[], compression: CompressionType = 'none'): Buffer {
  const b = new RecordBatchBuilder(128);
  const fixed = encodeHeaders([['dsc.source', 'file.csv']]);
  for (const v of values) {
    const bytes = Buffer.from(v);
    b.append(bytes, 0, bytes.length, fixed);
  }
  return sealBatch(b.finish()!, { producerId: 7n, producerEpoch: 1, baseSequence: 100 }, compression);
}

describe('RecordBatch layout: build → read → restamp', () => {
  const values = ['a', '', 'caf\u00e9', 'x'.repeat(500)];

  for (const compression of ['none', 'gzip', 'lz4'] as CompressionType[]) {
    it(`round-trips a built batch (${compression}) through the reader and a restamp`, () => {
      const bytes = built(values, compression);
      expect(crcValid(bytes)).toBe(true);
      const [read] = decodeRecordBatches(bytes);
      expect(read.crcValid).toBe(true);
      expect(read.compression).toBe(compression);
      expect(read.producerId).toBe(7n);
      expect(read.baseSequence).toBe(100);
      expect(read.records.map((r) => r.value!.toString())).toEqual(values);
      expect(read.records[0].headers).toEqual([['dsc.source', Buffer.from('file.csv')]]);

      const header = readBatchHeader(bytes);
      expect(header.size).toBe(bytes.length);
      expect(header.recordCount).toBe(values.length);
      expect(header.nextOffset).toBe(BigInt(values.length));
      expect(BigInt(header.baseTimestamp)).toBe(read.baseTimestamp);

      const body = Buffer.from(bytes.subarray(BATCH_HEADER_BYTES));
      stampBatch(bytes, 99n, 5, 2000, true);
      expect(bytes.subarray(BATCH_HEADER_BYTES).equals(body)).toBe(true);
      const [restamped] = decodeRecordBatches(bytes);
      expect(restamped.crcValid).toBe(true);
      expect(restamped.producerId).toBe(99n);
      expect(restamped.producerEpoch).toBe(5);
      expect(restamped.baseSequence).toBe(2000);
      expect(restamped.transactional).toBe(true);
      expect(restamped.compression).toBe(compression);
      expect(restamped.partitionLeaderEpoch).toBe(-1);
      expect(restamped.records.map((r) => r.value!.toString())).toEqual(values);
    });
  }

  it('detects a corrupted byte through the CRC', () => {
    const bytes = built(values);
    bytes[bytes.length - 1] ^= 0xff;
    expect(crcValid(bytes)).toBe(false);
    expect(decodeRecordBatches(bytes)[0].crcValid).toBe(false);
    bytes[bytes.length - 1] ^= 0xff;
    bytes.writeUInt32BE((bytes.readUInt32BE(CRC) ^ 1) >>> 0, CRC); // ^ gives an int32: back to unsigned
    expect(crcValid(bytes)).toBe(false);
  });

  it('restamping clears a source transaction bit unless asked to set it', () => {
    const bytes = built(values);
    stampBatch(bytes, 1n, 0, 0, true);
    expect(bytes.readInt16BE(ATTRIBUTES) & ATTR_TRANSACTIONAL).not.toBe(0);
    stampBatch(bytes, 1n, 0, 0);
    expect(bytes.readInt16BE(ATTRIBUTES) & ATTR_TRANSACTIONAL).toBe(0);
    expect(crcValid(bytes)).toBe(true);
  });

  it('encodeBatch (re-encoded records) and encodeRecordBatch read back with valid CRCs and the same records', () => {
    const records = values.map((v, i) => ({
      timestamp: 1_700_000_000_000 + i * 2 ** 33, // deltas past 2^31
      key: i % 2 ? Buffer.from(`k${i}`) : null,
      value: Buffer.from(v),
      headers: [[Buffer.from('h'), i ? Buffer.from(String(i)) : null]] as [Buffer, Buffer | null][],
    }));
    for (const compression of [0, 1, 3]) {
      const batch = encodeBatch(records, compression);
      expect(crcValid(batch)).toBe(true);
      const [{ header, bytes }] = [...batchesIn(batch)];
      expect(header.compression).toBe(compression);
      expect(header.producerId).toBe(-1n);
      expect(decodeRecords(bytes, header).map(({ offset: _o, ...r }) => r)).toEqual(records);
      expect(decodeRecordBatches(batch)[0].crcValid).toBe(true);
    }
    const general = encodeRecordBatch(
      values.map((v, i) => ({ value: Buffer.from(v), offsetDelta: i * 2, timestamp: 5n + BigInt(i) })),
      40n,
    );
    const sealed = sealBatch(general, { producerId: 3n, producerEpoch: 0, baseSequence: 0 });
    const [read] = decodeRecordBatches(sealed);
    expect(read.crcValid).toBe(true);
    expect(read.lastOffset).toBe(40n + BigInt((values.length - 1) * 2));
    expect(read.records.map((r) => [r.offset, r.timestamp])).toEqual(
      values.map((_, i) => [40n + BigInt(i * 2), 5n + BigInt(i)]),
    );
  });

  it('walks only whole batches of a fetch and stops before a partial one', () => {
    const a = built(['1', '2']);
    const b = built(['3']);
    const fetch = Buffer.concat([a, b, b.subarray(0, BATCH_HEADER_BYTES + 1)]);
    expect([...batchesIn(fetch)].map(({ bytes }) => bytes.length)).toEqual([a.length, b.length]);
    expect(decodeRecordBatches(fetch)).toHaveLength(2);
  });
});
