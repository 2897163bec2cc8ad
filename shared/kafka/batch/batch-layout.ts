// Kafka RecordBatch v2: the one place its header layout is written down. Building (record-batch.ts), reading
// (record-batch-reader.ts) and forwarding/restamping (forwarded-batch.ts) all read and write the header through these
// offsets and helpers, and the records' varints through the ones below.
//
// Header (big-endian): baseOffset i64 @0, batchLength i32 @8 (bytes after it), partitionLeaderEpoch i32 @12,
// magic i8 @16 = 2, crc u32 @17 (CRC-32C of bytes 21..end), attributes i16 @21, lastOffsetDelta i32 @23,
// baseTimestamp i64 @27, maxTimestamp i64 @35, producerId i64 @43, producerEpoch i16 @51, baseSequence i32 @53,
// recordCount i32 @57, records @61. Records: length varint, attributes i8, timestamp delta varlong, offset delta
// varint, key bytes, value bytes, header count varint, headers (key bytes, value bytes); varints are zig-zag and
// bytes are a length varint (-1 for null) then the bytes.
import { createRequire } from 'node:module';
import { crc32c as engineCrc32c } from '../wire/platformatic.js';
import type { CompressionType } from '../port/kafka-port.js';

// CRC-32C of a whole batch: @node-rs/crc32 (SSE4.2 / ARMv8 instructions) called on the view itself. The engine's
// wrapper around the same module first copies its argument into a new Uint8Array: a second copy of every batch sent,
// and garbage. Its own (WebAssembly) fallback stays for a platform without the native module.
const crc32c: (data: Buffer) => number = (() => {
  try {
    const native = (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: (d: Uint8Array) => number }).crc32c;
    return (data: Buffer) => native(data);
  } catch {
    return engineCrc32c;
  }
})();

export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORD_COUNT = 57;
/** Header size: the records start here. */
export const BATCH_HEADER_BYTES = 61;
/** Bytes before batchLength's count starts (baseOffset and batchLength): a batch's size is batchLength + this. */
export const BATCH_LENGTH_OVERHEAD = 12;
/** The CRC covers the bytes from here (attributes) to the batch's end. */
export const CRC_FROM = ATTRIBUTES;

export const ATTR_COMPRESSION_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;
/** Compression codecs by their attribute bits (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
export const CODEC_BY_BITS: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
export const CODEC_BITS: Readonly<Record<CompressionType, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

export interface BatchHeader {
  baseOffset: bigint;
  /** Offset after the batch's last record (baseOffset + lastOffsetDelta + 1). */
  nextOffset: bigint;
  /** Whole batch size in bytes (batchLength + 12). */
  size: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  transactional: boolean;
  control: boolean;
  logAppendTime: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** The header of the batch at `at`. */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  const baseOffset = buf.readBigInt64BE(at + BASE_OFFSET);
  const attributes = buf.readInt16BE(at + ATTRIBUTES);
  const lastOffsetDelta = buf.readInt32BE(at + LAST_OFFSET_DELTA);
  return {
    baseOffset,
    nextOffset: baseOffset + BigInt(lastOffsetDelta) + 1n,
    size: batchSizeAt(buf, at),
    partitionLeaderEpoch: buf.readInt32BE(at + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(at + MAGIC),
    crc: buf.readUInt32BE(at + CRC),
    attributes,
    compression: attributes & ATTR_COMPRESSION_MASK,
    transactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    control: (attributes & ATTR_CONTROL) !== 0,
    logAppendTime: (attributes & ATTR_LOG_APPEND_TIME) !== 0,
    lastOffsetDelta,
    baseTimestamp: Number(buf.readBigInt64BE(at + BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(at + MAX_TIMESTAMP)),
    producerId: buf.readBigInt64BE(at + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(at + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + BASE_SEQUENCE),
    recordCount: buf.readInt32BE(at + RECORD_COUNT),
  };
}

/** Whole size in bytes of the batch at `at` (header included). */
export function batchSizeAt(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + BATCH_LENGTH) + BATCH_LENGTH_OVERHEAD;
}

/** Offset after the last record of the batch at `at`. */
export function nextOffsetOf(buf: Buffer, at = 0): bigint {
  return buf.readBigInt64BE(at + BASE_OFFSET) + BigInt(buf.readInt32BE(at + LAST_OFFSET_DELTA)) + 1n;
}

/** lastOffsetDelta of the batch at `at` (record count - 1 for batches with contiguous offsets). */
export function lastOffsetDeltaOf(buf: Buffer, at = 0): number {
  return buf.readInt32BE(at + LAST_OFFSET_DELTA);
}

/**
 * Writes an unsealed header over `buf[0, 61)` for a batch of `buf.length` bytes: leader epoch unknown (-1, the
 * broker sets it), magic 2, CRC 0 and producer fields unset (-1; `stampProducer` fills them).
 */
export function writeBatchHeader(
  buf: Buffer,
  baseOffset: bigint,
  attributes: number,
  lastOffsetDelta: number,
  baseTimestamp: bigint,
  maxTimestamp: bigint,
  recordCount: number,
): void {
  buf.writeBigInt64BE(baseOffset, BASE_OFFSET);
  buf.writeInt32BE(buf.length - BATCH_LENGTH_OVERHEAD, BATCH_LENGTH);
  buf.writeInt32BE(-1, PARTITION_LEADER_EPOCH);
  buf.writeInt8(2, MAGIC);
  buf.writeUInt32BE(0, CRC);
  buf.writeInt16BE(attributes, ATTRIBUTES);
  buf.writeInt32BE(lastOffsetDelta, LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(baseTimestamp, BASE_TIMESTAMP);
  buf.writeBigInt64BE(maxTimestamp, MAX_TIMESTAMP);
  buf.writeBigInt64BE(-1n, PRODUCER_ID);
  buf.writeInt16BE(-1, PRODUCER_EPOCH);
  buf.writeInt32BE(-1, BASE_SEQUENCE);
  buf.writeInt32BE(recordCount, RECORD_COUNT);
}

/** Sets the attributes and the producer's id/epoch/sequence of a whole batch, then its CRC (in place). */
export function stampProducer(
  batch: Buffer,
  attributes: number,
  producerId: bigint,
  producerEpoch: number,
  baseSequence: number,
): void {
  batch.writeInt16BE(attributes, ATTRIBUTES);
  batch.writeBigInt64BE(producerId, PRODUCER_ID);
  batch.writeInt16BE(producerEpoch, PRODUCER_EPOCH);
  batch.writeInt32BE(baseSequence, BASE_SEQUENCE);
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_FROM)) >>> 0, CRC);
}

/** Whether a whole batch's stored CRC matches its bytes. */
export function crcValid(batch: Buffer): boolean {
  return crc32c(batch.subarray(CRC_FROM)) >>> 0 === batch.readUInt32BE(CRC);
}

// --- varints (zig-zag) ---------------------------------------------------------------------------------------------

/** Zig-zag varint size of a 32-bit signed value (the builder's fast path). */
export function varintSize(n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

/** Writes the zig-zag varint of a 32-bit signed value at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Zig-zag varlong size of a safe integer (timestamp deltas may pass 2^31), by arithmetic rather than bit ops. */
export function varlongSize(n: number): number {
  let zz = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (zz >= 128) {
    zz = Math.floor(zz / 128);
    size++;
  }
  return size;
}

/** Writes the zig-zag varlong of a safe integer at `pos`; returns the position after it. */
export function writeVarlong(buf: Buffer, pos: number, n: number): number {
  let zz = n >= 0 ? n * 2 : -n * 2 - 1;
  while (zz >= 128) {
    buf[pos++] = (zz % 128) | 0x80;
    zz = Math.floor(zz / 128);
  }
  buf[pos++] = zz;
  return pos;
}

/** Reads zig-zag varints and length-prefixed bytes; exact up to 2^53 (64-bit timestamp deltas included). */
export class VarintCursor {
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

  /** A view of the next length-prefixed bytes (null for length -1). */
  bytes(): Buffer | null {
    const n = this.varint();
    if (n < 0) return null;
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
}
