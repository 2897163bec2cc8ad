// The byte path's batch handling without Kafka: header stamping keeps the records' bytes and yields a valid CRC;
// aborted transactions and control markers are dropped; a batch straddling the position is trimmed (same
// compression); offset gaps (compaction) and LogAppendTime are re-encoded.
import { describe, expect, it } from 'vitest';
import { crc32c } from '@platformatic/kafka';
import { readBatchHeader } from '../../../shared/kafka/batch/batch-layout.js';
import { encodeBatch, stampBatch, type OutgoingRecord } from '../../../shared/kafka/batch/forwarded-batch.js';
import { batchesIn, decodeRecords } from '../../../shared/kafka/batch/record-batch-reader.js';
import type { FetchedPartition } from '../../../shared/kafka/port/kafka-port.js';
import { committedBatches, forwardable } from '../../../shared/mirror/committed-batches.js';

const rec = (i: number, extra: Partial<OutgoingRecord> = {}): OutgoingRecord => ({
  timestamp: 1_700_000_000_000 + i * 1000,
  key: Buffer.from(`k${i}`),
  value: Buffer.from(`value-${i}`),
  headers: [[Buffer.from('h'), Buffer.from(`hv${i}`)]],
  ...extra,
});

/** A batch as the source broker stores it: base offset, producer id, transactional/control bits. */
function sourceBatch(
  baseOffset: bigint,
  records: OutgoingRecord[],
  o: { producerId?: bigint; transactional?: boolean; control?: boolean; compression?: number } = {},
): Buffer {
  const b = encodeBatch(records, o.compression ?? 0);
  b.writeBigInt64BE(baseOffset, 0);
  b.writeBigInt64BE(o.producerId ?? -1n, 43);
  const attributes = b.readInt16BE(21) | (o.transactional ? 0x10 : 0) | (o.control ? 0x20 : 0);
  b.writeInt16BE(attributes, 21);
  b.writeUInt32BE(crc32c(b.subarray(21)) >>> 0, 17);
  return b;
}

/** A control batch: one record whose key is (version 0, type 0 = ABORT / 1 = COMMIT). */
function marker(offset: bigint, producerId: bigint, commit: boolean): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(commit ? 1 : 0, 2);
  return sourceBatch(offset, [{ timestamp: 0, key, value: Buffer.alloc(6), headers: [] }], {
    producerId,
    transactional: true,
    control: true,
  });
}

const fetched = (batches: Buffer[], aborted: { producerId: bigint; firstOffset: bigint }[] = []): FetchedPartition => ({
  topic: 't',
  partition: 0,
  records: Buffer.concat(batches),
  highWatermark: 100n,
  lastStableOffset: 100n,
  logStartOffset: 0n,
  abortedTransactions: aborted,
  nextOffset: 0n,
});

const values = (batch: Buffer) => decodeRecords(batch).map((r) => r.value?.toString());

describe('forwarded record batches', () => {
  it('encodes and decodes records with keys, null values, binary headers and their own timestamps', () => {
    const records = [rec(0), rec(1, { value: null, key: null }), rec(2, { headers: [[Buffer.from([0xff]), null]] })];
    for (const compression of [0, 1]) {
      const b = encodeBatch(records, compression);
      const h = readBatchHeader(b);
      expect(h.compression).toBe(compression);
      expect(h.recordCount).toBe(3);
      expect(crc32c(b.subarray(21)) >>> 0).toBe(b.readUInt32BE(17));
      const back = decodeRecords(b);
      expect(back.map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
      expect(back[1].value).toBeNull();
      expect(back[1].key).toBeNull();
      expect(back[2].headers[0][0]).toEqual(Buffer.from([0xff]));
      expect(back[2].headers[0][1]).toBeNull();
    }
  });

  it('stamping rewrites the producer fields and the CRC, and nothing else of the records', () => {
    const b = sourceBatch(500n, [rec(0), rec(1)], { producerId: 9n, transactional: true, compression: 1 });
    const body = Buffer.from(b.subarray(61));
    stampBatch(b, 1234n, 3, 77);
    const h = readBatchHeader(b);
    expect(h.baseOffset).toBe(0n);
    expect(h.producerId).toBe(1234n);
    expect(b.readInt16BE(51)).toBe(3);
    expect(b.readInt32BE(53)).toBe(77);
    expect(h.transactional).toBe(false);
    expect(h.compression).toBe(1); // still gzip
    expect(b.subarray(61)).toEqual(body);
    expect(crc32c(b.subarray(21)) >>> 0).toBe(b.readUInt32BE(17));
  });

  it('leaves out a partial batch at the end of a fetch', () => {
    const a = sourceBatch(0n, [rec(0)]);
    const b = sourceBatch(1n, [rec(1)]);
    const cut = Buffer.concat([a, b.subarray(0, b.length - 3)]);
    expect([...batchesIn(cut)].map((x) => x.header.baseOffset)).toEqual([0n]);
  });
});

describe('committed batches (read_committed)', () => {
  it('drops aborted transactions and control markers, keeps committed ones and plain batches', () => {
    const batches = [
      sourceBatch(0n, [rec(0)]), // plain
      sourceBatch(1n, [rec(1), rec(2)], { producerId: 7n, transactional: true }), // committed below
      marker(3n, 7n, true),
      sourceBatch(4n, [rec(4), rec(5)], { producerId: 7n, transactional: true }), // aborted
      sourceBatch(6n, [rec(6)], { producerId: 8n, transactional: true }), // other producer, committed
      marker(7n, 7n, false),
      marker(8n, 8n, true),
      sourceBatch(9n, [rec(9)], { producerId: 7n, transactional: true }), // 7 again, after its abort: committed
      marker(10n, 7n, true),
    ];
    const kept = committedBatches(fetched(batches, [{ producerId: 7n, firstOffset: 4n }]));
    expect(kept.flatMap((b) => values(b.bytes))).toEqual(['value-0', 'value-1', 'value-2', 'value-6', 'value-9']);
  });

  it('forwards a batch as it is, trims one that straddles the position, re-encodes gaps', () => {
    const whole = committedBatches(fetched([sourceBatch(10n, [rec(0), rec(1), rec(2)], { compression: 1 })]))[0];
    expect(forwardable(whole, 10n)!.bytes).toBe(whole.bytes); // the same bytes, not a copy
    expect(forwardable(whole, 13n)).toBeUndefined();
    const trimmed = forwardable(whole, 12n)!;
    expect(trimmed.records).toBe(1);
    expect(values(trimmed.bytes)).toEqual(['value-2']);
    expect(readBatchHeader(trimmed.bytes).compression).toBe(1);
    expect(decodeRecords(trimmed.bytes)[0].timestamp).toBe(rec(2).timestamp);

    // A compacted batch: the header says offsets 20..22 (lastOffsetDelta 2) but two records remain.
    const gap = sourceBatch(20n, [rec(0), rec(1), rec(2)]);
    const records = decodeRecords(gap).filter((r) => r.offset !== 21n);
    const compacted = encodeBatch(records);
    compacted.writeBigInt64BE(20n, 0);
    compacted.writeInt32BE(2, 23);
    const c = committedBatches(fetched([compacted]))[0];
    const out = forwardable(c, 0n)!;
    expect(out.bytes).not.toBe(c.bytes);
    expect(readBatchHeader(out.bytes).lastOffsetDelta).toBe(out.records - 1);
  });
});
