// Forwarding a source cluster's RecordBatch v2 to another cluster (the mirror's byte path): restamp a batch's header
// in place for the target's producer, tell a control batch's COMMIT from ABORT, and encode records into a new batch
// when they had to be converted or trimmed. The header layout is batch-layout.ts's.
import { compressionsAlgorithmsByBitmask } from '../wire/platformatic.js';
import {
  ATTRIBUTES,
  ATTR_TRANSACTIONAL,
  BASE_OFFSET,
  BATCH_HEADER_BYTES,
  PARTITION_LEADER_EPOCH,
  readBatchHeader,
  stampProducer,
  varlongSize,
  writeBatchHeader,
  writeVarlong,
} from './batch-layout.js';
import { decodeRecords, type WireRecord } from './record-batch-reader.js';

export type OutgoingRecord = Omit<WireRecord, 'offset'>;

/**
 * Rewrites a batch header in place for the target's idempotent producer: base offset 0, leader epoch unknown, our
 * producer id/epoch/sequence, transactional bit as asked (the source's is cleared), then the CRC.
 */
export function stampBatch(
  batch: Buffer,
  producerId: bigint,
  producerEpoch: number,
  baseSequence: number,
  transactional = false,
): void {
  batch.writeBigInt64BE(0n, BASE_OFFSET);
  batch.writeInt32BE(-1, PARTITION_LEADER_EPOCH);
  const attributes = batch.readInt16BE(ATTRIBUTES) & ~ATTR_TRANSACTIONAL;
  stampProducer(
    batch,
    transactional ? attributes | ATTR_TRANSACTIONAL : attributes,
    producerId,
    producerEpoch,
    baseSequence,
  );
}

/** A control batch's marker: true for COMMIT, false for ABORT (key: version i16, type i16). */
export function isCommitMarker(batch: Buffer): boolean {
  const [first] = decodeRecords(batch, readBatchHeader(batch));
  return first?.key ? first.key.readInt16BE(2) === 1 : false;
}

const lengthOf = (b: Buffer | null) => (b === null ? varlongSize(-1) : varlongSize(b.length) + b.length);

/**
 * A new batch (producer fields unset: stampBatch fills them) with contiguous offset deltas, CreateTime, and the
 * given compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
 */
export function encodeBatch(records: OutgoingRecord[], compression = 0): Buffer {
  if (records.length === 0) throw new Error('encodeBatch: no records');
  let baseTimestamp = records[0].timestamp;
  let maxTimestamp = baseTimestamp;
  for (const r of records) {
    if (r.timestamp < baseTimestamp) baseTimestamp = r.timestamp;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  }
  const bodies: number[] = [];
  let total = 0;
  for (const [i, r] of records.entries()) {
    let n = 1 + varlongSize(r.timestamp - baseTimestamp) + varlongSize(i) + lengthOf(r.key) + lengthOf(r.value);
    n += varlongSize(r.headers.length);
    for (const [k, v] of r.headers) n += lengthOf(k) + lengthOf(v);
    bodies.push(n);
    total += varlongSize(n) + n;
  }
  let body = Buffer.allocUnsafe(total);
  let at = 0;
  const put = (b: Buffer | null) => {
    if (b === null) return writeVarlong(body, at, -1);
    at = writeVarlong(body, at, b.length);
    return at + b.copy(body, at);
  };
  for (const [i, r] of records.entries()) {
    at = writeVarlong(body, at, bodies[i]);
    body[at++] = 0;
    at = writeVarlong(body, at, r.timestamp - baseTimestamp);
    at = writeVarlong(body, at, i);
    at = put(r.key);
    at = put(r.value);
    at = writeVarlong(body, at, r.headers.length);
    for (const [k, v] of r.headers) {
      at = put(k);
      at = put(v);
    }
  }
  if (compression !== 0) {
    const codec = compressionsAlgorithmsByBitmask[compression];
    if (!codec) throw new Error(`unknown compression ${compression}`);
    body = codec.compressSync(body);
  }
  const batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + body.length);
  writeBatchHeader(
    batch,
    0n,
    compression,
    records.length - 1,
    BigInt(baseTimestamp),
    BigInt(maxTimestamp),
    records.length,
  );
  body.copy(batch, BATCH_HEADER_BYTES);
  stampProducer(batch, compression, -1n, -1, -1);
  return batch;
}

/**
 * Builds the converted copy of a source batch record by record, straight into one buffer: key and headers copied as
 * the source's bytes, the source timestamp kept (CreateTime, the first record's time as the base; later deltas may
 * be negative), the value from wherever the converter wrote it. Offsets are contiguous from 0; no compression.
 * Producer fields stay unset and the CRC zero: stampBatch fills them.
 */
/** Where a writer puts bytes: `buf` from `pos` on (it may replace `buf` with a larger copy). */
export interface ByteSink {
  buf: Buffer;
  pos: number;
}

/** `src[start, end)` to `dst` at `p`; the new end. Short spans (keys, headers) in a loop: Buffer.copy costs a native call. */
function copySmall(src: Buffer, start: number, end: number, dst: Buffer, p: number): number {
  if (end - start > 48) return p + src.copy(dst, p, start, end);
  for (let i = start; i < end; i++) dst[p++] = src[i];
  return p;
}

export class ConvertedBatchBuilder {
  private buf: Buffer;
  private pos = BATCH_HEADER_BYTES;
  private count = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;

  /** `reuse`: a buffer to build in when big enough (its earlier contents are overwritten; see `buffer`). */
  constructor(expectedBytes: number, reuse?: Buffer) {
    this.buf = reuse && reuse.length >= expectedBytes ? reuse : Buffer.allocUnsafe(Math.max(1024, expectedBytes));
  }

  /** The buffer built in (grown past `reuse` when that was too small): for the next builder's `reuse`. */
  get buffer(): Buffer {
    return this.buf;
  }

  get recordCount(): number {
    return this.count;
  }

  /** One record: key `src[keyStart, keyEnd)` (-1: null), value `value[valueStart, valueEnd)` (null), headers raw. */
  append(
    timestamp: number,
    src: Buffer,
    keyStart: number,
    keyEnd: number,
    value: Buffer | null,
    valueStart: number,
    valueEnd: number,
    headersStart: number,
    headersEnd: number,
  ): void {
    if (this.count === 0) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    } else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const keyLength = keyStart < 0 ? -1 : keyEnd - keyStart;
    const valueLength = value === null ? -1 : valueEnd - valueStart;
    const delta = timestamp - this.baseTimestamp;
    const body =
      1 +
      varlongSize(delta) +
      varlongSize(this.count) +
      varlongSize(keyLength) +
      Math.max(0, keyLength) +
      varlongSize(valueLength) +
      Math.max(0, valueLength) +
      (headersEnd - headersStart);
    const need = varlongSize(body) + body;
    if (this.pos + need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + need));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const buf = this.buf;
    let p = writeVarlong(buf, this.pos, body);
    buf[p++] = 0; // attributes
    p = writeVarlong(buf, p, delta);
    p = writeVarlong(buf, p, this.count);
    p = writeVarlong(buf, p, keyLength);
    if (keyLength > 0) p = copySmall(src, keyStart, keyEnd, buf, p);
    p = writeVarlong(buf, p, valueLength);
    if (valueLength > 0) p = copySmall(value!, valueStart, valueEnd, buf, p);
    p = copySmall(src, headersStart, headersEnd, buf, p);
    this.pos = p;
    this.count++;
  }

  // A record whose value is written straight into the batch (beginRecord, the caller writes through the sink, then
  // endRecord): the value goes where the record's length prefixes, guessed at 2 bytes each (values of 128 B to
  // 16 KiB), put it; a wrong guess moves the value by a few bytes. Saves copying every value from a scratch buffer.
  private valueAt = 0;
  private prefix = 0;
  private delta = 0;
  private keyLength = 0;
  private keyStart = 0;

  /**
   * Starts a record with key `src[keyStart, keyEnd)` (-1: null): `sink` then points into this batch where its value
   * goes. Then endRecord (the value is what the sink holds past that point) or abandonRecord.
   */
  beginRecord(sink: ByteSink, timestamp: number, src: Buffer, keyStart: number, keyEnd: number): void {
    const delta = this.count === 0 ? 0 : timestamp - this.baseTimestamp;
    const keyLength = keyStart < 0 ? -1 : keyEnd - keyStart;
    // attributes, timestamp delta, offset delta, key length, key
    const prefix = 1 + varlongSize(delta) + varlongSize(this.count) + varlongSize(keyLength) + Math.max(0, keyLength);
    const valueAt = this.pos + 2 + prefix + 2;
    if (valueAt > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, valueAt + 1024));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    this.delta = delta;
    this.keyLength = keyLength;
    this.keyStart = keyStart;
    this.prefix = prefix;
    this.valueAt = valueAt;
    sink.buf = this.buf;
    sink.pos = valueAt;
  }

  /** Ends the record begun: its value is `sink.buf[valueAt, sink.pos)`, then the source's headers `src[from, to)`. */
  endRecord(sink: ByteSink, timestamp: number, src: Buffer, headersStart: number, headersEnd: number): void {
    this.buf = sink.buf; // grown by the writer, with everything before it copied
    const valueLength = sink.pos - this.valueAt;
    const headersLength = headersEnd - headersStart;
    const body = this.prefix + varlongSize(valueLength) + valueLength + headersLength;
    const valueAt = this.pos + varlongSize(body) + this.prefix + varlongSize(valueLength);
    const end = valueAt + valueLength + headersLength;
    if (end > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, end + 1024));
      this.buf.copy(next, 0, 0, this.valueAt + valueLength);
      this.buf = next;
    }
    const buf = this.buf;
    if (valueAt !== this.valueAt) buf.copyWithin(valueAt, this.valueAt, this.valueAt + valueLength);
    if (this.count === 0) {
      this.baseTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    } else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    let p = writeVarlong(buf, this.pos, body);
    buf[p++] = 0; // attributes
    p = writeVarlong(buf, p, this.delta);
    p = writeVarlong(buf, p, this.count);
    p = writeVarlong(buf, p, this.keyLength);
    if (this.keyLength > 0) p = copySmall(src, this.keyStart, this.keyStart + this.keyLength, buf, p);
    writeVarlong(buf, p, valueLength);
    copySmall(src, headersStart, headersEnd, buf, valueAt + valueLength);
    this.pos = end;
    this.count++;
  }

  /** The record begun is not added (its value could not be written): keeps what the sink grew to. */
  abandonRecord(sink: ByteSink): void {
    this.buf = sink.buf;
  }

  /** A record given as an object (values a converter returned through its general path). */
  appendRecord(r: OutgoingRecord): void {
    let n = varlongSize(r.headers.length);
    for (const [k, v] of r.headers) n += lengthOf(k) + lengthOf(v);
    const headers = Buffer.allocUnsafe(n);
    let at = writeVarlong(headers, 0, r.headers.length);
    for (const [k, v] of r.headers) {
      for (const b of [k, v]) {
        at = writeVarlong(headers, at, b === null ? -1 : b.length);
        if (b) at += b.copy(headers, at);
      }
    }
    const key = r.key ?? Buffer.alloc(0);
    const keyed = Buffer.concat([key, headers]);
    this.append(
      r.timestamp,
      keyed,
      r.key === null ? -1 : 0,
      r.key === null ? -1 : key.length,
      r.value,
      0,
      r.value?.length ?? 0,
      key.length,
      keyed.length,
    );
  }

  /** The finished batch, or undefined when no record was appended. */
  finish(): Buffer | undefined {
    if (this.count === 0) return undefined;
    const batch = this.buf.subarray(0, this.pos);
    writeBatchHeader(batch, 0n, 0, this.count - 1, BigInt(this.baseTimestamp), BigInt(this.maxTimestamp), this.count);
    // No CRC here: the producer stamps every batch (stampBatch) and computes it then, once.
    return batch;
  }
}
