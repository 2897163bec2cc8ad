// Kafka RecordBatch v2 as bytes: walk the batches of a fetched `records` field, rewrite a batch header for another
// producer (the mirror's byte path), decode its records when they must be converted or trimmed, and encode records
// into a new batch. Layout (big-endian): baseOffset i64 @0, batchLength i32 @8, partitionLeaderEpoch i32 @12,
// magic i8 @16, crc u32 @17 (CRC-32C of bytes 21..end), attributes i16 @21, lastOffsetDelta i32 @23,
// baseTimestamp i64 @27, maxTimestamp i64 @35, producerId i64 @43, producerEpoch i16 @51, baseSequence i32 @53,
// recordCount i32 @57, records @61.
import { compressionsAlgorithmsByBitmask, crc32c } from '../wire/platformatic.js';

export const BATCH_HEADER_BYTES = 61;
const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME = 0x08;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

export interface BatchHeader {
  baseOffset: bigint;
  /** Offset after the batch's last record (baseOffset + lastOffsetDelta + 1). */
  nextOffset: bigint;
  /** Whole batch size in bytes (batchLength + 12). */
  size: number;
  magic: number;
  attributes: number;
  compression: number;
  transactional: boolean;
  control: boolean;
  logAppendTime: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  recordCount: number;
}

/** One record as the converting and trimming paths see it; offsets are absolute. */
export interface WireRecord {
  offset: bigint;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer, Buffer | null][];
}

export type OutgoingRecord = Omit<WireRecord, 'offset'>;

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  const baseOffset = buf.readBigInt64BE(at);
  const attributes = buf.readInt16BE(at + 21);
  const lastOffsetDelta = buf.readInt32BE(at + 23);
  return {
    baseOffset,
    nextOffset: baseOffset + BigInt(lastOffsetDelta) + 1n,
    size: buf.readInt32BE(at + 8) + 12,
    magic: buf.readInt8(at + 16),
    attributes,
    compression: attributes & COMPRESSION_MASK,
    transactional: (attributes & TRANSACTIONAL) !== 0,
    control: (attributes & CONTROL) !== 0,
    logAppendTime: (attributes & LOG_APPEND_TIME) !== 0,
    lastOffsetDelta,
    baseTimestamp: Number(buf.readBigInt64BE(at + 27)),
    maxTimestamp: Number(buf.readBigInt64BE(at + 35)),
    producerId: buf.readBigInt64BE(at + 43),
    recordCount: buf.readInt32BE(at + 57),
  };
}

/**
 * The complete batches of a fetched `records` field, as views (no copy). A partial batch at the end (the fetch's
 * byte limit cut it) is left out: the next fetch starts at its offset. Magic < 2 batches are refused.
 */
export function* batchesIn(records: Buffer): Generator<{ header: BatchHeader; bytes: Buffer }> {
  let at = 0;
  while (records.length - at >= BATCH_HEADER_BYTES) {
    const size = records.readInt32BE(at + 8) + 12;
    if (at + size > records.length) return;
    const header = readBatchHeader(records, at);
    if (header.magic !== 2)
      throw new Error(`record batch at offset ${header.baseOffset} has magic ${header.magic}, not 2`);
    yield { header, bytes: records.subarray(at, at + size) };
    at += size;
  }
}

/**
 * Rewrites a batch header in place for the target's idempotent producer: base offset 0, leader epoch unknown, our
 * producer id/epoch/sequence, transactional bit cleared (the target writes it outside any transaction), then the CRC.
 */
export function stampBatch(
  batch: Buffer,
  producerId: bigint,
  producerEpoch: number,
  baseSequence: number,
  transactional = false,
): void {
  batch.writeBigInt64BE(0n, 0);
  batch.writeInt32BE(-1, 12);
  const attributes = batch.readInt16BE(21) & ~TRANSACTIONAL;
  batch.writeInt16BE(transactional ? attributes | TRANSACTIONAL : attributes, 21);
  batch.writeBigInt64BE(producerId, 43);
  batch.writeInt16BE(producerEpoch, 51);
  batch.writeInt32BE(baseSequence, 53);
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
}

/** A control batch's marker: true for COMMIT, false for ABORT (key: version i16, type i16). */
export function isCommitMarker(batch: Buffer): boolean {
  const [first] = decodeRecords(batch, readBatchHeader(batch));
  return first?.key ? first.key.readInt16BE(2) === 1 : false;
}

// --- varints (zig-zag), arithmetic so that 64-bit timestamp deltas stay exact up to 2^53 ---------------------------

class Cursor {
  constructor(
    readonly buf: Buffer,
    public at: number,
  ) {}

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.at++];
      if (b === undefined) throw new Error('record batch ends inside a varint');
      result += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  bytes(): Buffer | null {
    const n = this.varint();
    if (n < 0) return null;
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}

function varintSize(n: number): number {
  let zz = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (zz >= 128) {
    zz = Math.floor(zz / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  let zz = n >= 0 ? n * 2 : -n * 2 - 1;
  while (zz >= 128) {
    buf[at++] = (zz % 128) | 0x80;
    zz = Math.floor(zz / 128);
  }
  buf[at++] = zz;
  return at;
}

/** The records of a batch, decompressed; keys, values and headers are views into the (decompressed) bytes. */
export function decodeRecords(batch: Buffer, header = readBatchHeader(batch)): WireRecord[] {
  let body = batch.subarray(BATCH_HEADER_BYTES, header.size);
  if (header.compression !== 0) {
    const codec = compressionsAlgorithmsByBitmask[header.compression];
    if (!codec)
      throw new Error(`record batch at offset ${header.baseOffset}: unknown compression ${header.compression}`);
    body = codec.decompressSync(body);
  }
  const c = new Cursor(body, 0);
  const out: WireRecord[] = [];
  for (let i = 0; i < header.recordCount; i++) {
    const length = c.varint();
    const end = c.at + length;
    c.at++; // attributes, unused
    const timestampDelta = c.varint();
    const offsetDelta = c.varint();
    const key = c.bytes();
    const value = c.bytes();
    const headerCount = c.varint();
    const headers: [Buffer, Buffer | null][] = [];
    for (let h = 0; h < headerCount; h++) headers.push([c.bytes() ?? Buffer.alloc(0), c.bytes()]);
    c.at = end;
    out.push({
      offset: header.baseOffset + BigInt(offsetDelta),
      // LogAppendTime: every record's time is the batch's maxTimestamp, set by the source broker.
      timestamp: header.logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  return out;
}

const lengthOf = (b: Buffer | null) => (b === null ? varintSize(-1) : varintSize(b.length) + b.length);

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
    let n = 1 + varintSize(r.timestamp - baseTimestamp) + varintSize(i) + lengthOf(r.key) + lengthOf(r.value);
    n += varintSize(r.headers.length);
    for (const [k, v] of r.headers) n += lengthOf(k) + lengthOf(v);
    bodies.push(n);
    total += varintSize(n) + n;
  }
  let body = Buffer.allocUnsafe(total);
  let at = 0;
  const put = (b: Buffer | null) => {
    if (b === null) return writeVarint(body, at, -1);
    at = writeVarint(body, at, b.length);
    return at + b.copy(body, at);
  };
  for (const [i, r] of records.entries()) {
    at = writeVarint(body, at, bodies[i]);
    body[at++] = 0;
    at = writeVarint(body, at, r.timestamp - baseTimestamp);
    at = writeVarint(body, at, i);
    at = put(r.key);
    at = put(r.value);
    at = writeVarint(body, at, r.headers.length);
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
  const batch = Buffer.alloc(BATCH_HEADER_BYTES + body.length);
  batch.writeBigInt64BE(0n, 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(-1, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(compression, 21);
  batch.writeInt32BE(records.length - 1, 23);
  batch.writeBigInt64BE(BigInt(baseTimestamp), 27);
  batch.writeBigInt64BE(BigInt(maxTimestamp), 35);
  batch.writeBigInt64BE(-1n, 43);
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(records.length, 57);
  body.copy(batch, BATCH_HEADER_BYTES);
  batch.writeUInt32BE(crc32c(batch.subarray(21)) >>> 0, 17);
  return batch;
}
