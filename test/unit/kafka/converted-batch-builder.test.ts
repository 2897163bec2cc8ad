// ConvertedBatchBuilder: a value written straight into the batch (beginRecord/endRecord, its length prefixes guessed
// at 2 bytes each) gives the records encodeBatch holds and the very bytes append makes (a value copied in), for
// every value size, including sizes the guess gets wrong (under 128 bytes, 16 KiB and more), an abandoned record, and
// a sink that grows the buffer while a value is written.
import { describe, expect, it } from 'vitest';
import {
  ConvertedBatchBuilder,
  encodeBatch,
  type OutgoingRecord,
} from '../../../shared/kafka/batch/forwarded-batch.js';
import { decodeRecordBatches } from '../../../shared/kafka/batch/record-batch-reader.js';

/** A sink that grows as the compiled Avro writer's JsonSink does (a larger copy, everything before pos kept). */
const write = (o: { buf: Buffer; pos: number }, value: Buffer) => {
  if (o.pos + value.length > o.buf.length) {
    const next = Buffer.allocUnsafe(Math.max(o.buf.length * 2, o.pos + value.length));
    o.buf.copy(next, 0, 0, o.pos);
    o.buf = next;
  }
  o.pos += value.copy(o.buf, o.pos);
};

describe('ConvertedBatchBuilder, values written in place', () => {
  it('equals encodeBatch for values of every size class, keys null or not, with headers', () => {
    const sizes = [0, 1, 5, 127, 128, 129, 200, 16_383, 16_384, 16_500, 70_000, 3];
    const records: OutgoingRecord[] = sizes.map((n, i) => ({
      timestamp: 1_700_000_000_000 + (i % 3 ? i * 1000 : -i),
      key: i % 4 === 1 ? null : Buffer.from(`key-${i}`.repeat(1 + (i % 3) * 20)),
      value: Buffer.alloc(n, 97 + (i % 26)),
      headers: i % 2 ? [[Buffer.from('h'), Buffer.from(`v${i}`)]] : [],
    }));
    const source = encodeBatch(records);
    const [decoded] = decodeRecordBatches(source);
    // Headers as the source holds them: the bytes after the value of each record, as the mirror copies them.
    const headerBytes = (r: OutgoingRecord) => {
      const one = encodeBatch([{ ...r, key: null, value: null }]);
      let n = 1;
      for (const [k, v] of r.headers) n += 1 + k.length + 1 + (v?.length ?? 0);
      return one.subarray(one.length - n);
    };
    const srcOf = (r: OutgoingRecord) => Buffer.concat([r.key ?? Buffer.alloc(0), headerBytes(r)]);
    // The same records through append (a value copied from elsewhere): the bytes to get.
    const appended = new ConvertedBatchBuilder(1024);
    for (const r of records) {
      const src = srcOf(r);
      appended.append(
        r.timestamp,
        src,
        r.key ? 0 : -1,
        r.key?.length ?? -1,
        r.value,
        0,
        r.value!.length,
        r.key?.length ?? 0,
        src.length,
      );
    }
    const want = appended.finish()!;
    for (const start of [16, 1 << 20]) {
      const builder = new ConvertedBatchBuilder(start);
      const sink = { buf: Buffer.alloc(0), pos: 0 };
      records.forEach((r, i) => {
        const src = srcOf(r);
        const keyEnd = r.key ? r.key.length : -1;
        builder.beginRecord(sink, r.timestamp, src, r.key ? 0 : -1, keyEnd);
        if (i === 2) {
          // An abandoned record leaves no trace.
          write(sink, Buffer.from('half a value'));
          builder.abandonRecord(sink);
          builder.beginRecord(sink, r.timestamp, src, r.key ? 0 : -1, keyEnd);
        }
        write(sink, r.value!);
        builder.endRecord(sink, r.timestamp, src, r.key?.length ?? 0, src.length);
      });
      const built = builder.finish()!;
      const [got] = decodeRecordBatches(built);
      expect(got.records.map((r) => [r.timestamp, r.key, r.value, r.headers])).toEqual(
        decoded.records.map((r) => [r.timestamp, r.key, r.value, r.headers]),
      );
      expect(built).toEqual(want);
    }
  });
});
