// Kafka RecordBatch v2, encoded straight from the bytes a reader holds: no object per record. The builder writes
// each record (length varint, attributes, timestamp delta, offset delta, null key, value, headers) into one growing
// buffer; `finish()` fills the header. Producer stamping (id, epoch, sequence), compression and the CRC are
// done by `sealBatch` at send time, so a batch can be re-sealed for a retry with a new producer epoch.
//
// The header layout is batch-layout.ts's.
import { compressionsAlgorithms } from '../wire/platformatic.js';
import type { CompressionType, EncodedBatch } from '../port/kafka-port.js';
import {
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH,
  BATCH_LENGTH_OVERHEAD,
  CODEC_BITS,
  stampProducer,
  varintSize,
  writeBatchHeader,
  writeVarint,
} from './batch-layout.js';

/** Decimal digits of a non-negative safe integer. */
function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Headers that are the same for many records (e.g. dsc.source), encoded once: entries without the count. */
export interface EncodedHeaders {
  bytes: Buffer;
  count: number;
}

/** Encodes header entries (key and value as UTF-8 or bytes) once, for reuse on every record. */
export function encodeHeaders(headers: [string, string | Buffer][]): EncodedHeaders {
  const parts: Buffer[] = [];
  for (const [k, v] of headers) {
    const key = Buffer.from(k, 'utf8');
    const value = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    const head = Buffer.alloc(varintSize(key.length) + key.length + varintSize(value.length));
    let p = writeVarint(head, 0, key.length);
    p += key.copy(head, p);
    writeVarint(head, p, value.length);
    parts.push(head, value);
  }
  return { bytes: Buffer.concat(parts), count: headers.length };
}

/** A header key encoded once (varint length + bytes) for a header whose value is a number (dsc.line). */
export function encodeHeaderKey(key: string): Buffer {
  const k = Buffer.from(key, 'utf8');
  const out = Buffer.alloc(varintSize(k.length) + k.length);
  k.copy(out, writeVarint(out, 0, k.length));
  return out;
}

const EMPTY_HEADERS: EncodedHeaders = { bytes: Buffer.alloc(0), count: 0 };

/**
 * Builds one RecordBatch v2. Append records, read `size` to cut batches below the broker's limit, `finish()`.
 * After `finish()` the builder starts a new buffer (the finished one stays owned by the caller while in flight).
 */
export class RecordBatchBuilder {
  private buf: Buffer;
  private pos = BATCH_HEADER_BYTES;
  private count = 0;
  private baseTimestamp = 0;

  /** Buffers of acknowledged batches, reused for the next ones (fewer large allocations, less GC). */
  private readonly spare: Buffer[] = [];

  constructor(private readonly initialBytes = 256 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /**
   * Gives back a finished batch's buffer once nothing refers to its bytes any more (after Kafka acknowledged it;
   * retries re-send the same bytes until then). The next batches are built in it.
   */
  recycle(batch: EncodedBatch): void {
    const b = batch.bytes;
    if (this.spare.length >= 4 || b.byteOffset !== 0 || b.buffer.byteLength < this.initialBytes) return;
    this.spare.push(Buffer.from(b.buffer, 0, b.buffer.byteLength));
  }

  /** Bytes the batch would have if finished now. */
  get size(): number {
    return this.pos;
  }

  get recordCount(): number {
    return this.count;
  }

  /** The bytes a record adds (to decide whether it still fits before appending it). */
  static recordSize(valueBytes: number, keyBytes: number | null, headerBytes: number, headerCount: number): number {
    const body =
      1 + // attributes
      1 + // timestamp delta 0
      5 + // offset delta, upper bound
      (keyBytes === null ? 1 : varintSize(keyBytes) + keyBytes) +
      varintSize(valueBytes) +
      valueBytes +
      varintSize(headerCount) +
      headerBytes;
    return varintSize(body) + body;
  }

  /**
   * Appends a record whose value is `value[start, end)`, with a null key (or `key`), the `fixed` headers and, if
   * `numberKey` is given, one more header `numberKey` = the decimal text of `numberValue` (written digit by digit).
   */
  append(
    value: Buffer | null,
    start: number,
    end: number,
    fixed: EncodedHeaders = EMPTY_HEADERS,
    numberKey?: Buffer,
    numberValue = 0,
    key: Buffer | null = null,
  ): void {
    if (this.count === 0) this.baseTimestamp = Date.now();
    const valueLen = value === null ? -1 : end - start;
    const digits = numberKey ? digitCount(numberValue) : 0;
    const headerCount = fixed.count + (numberKey ? 1 : 0);
    const headerBytes = fixed.bytes.length + (numberKey ? numberKey.length + 1 + digits : 0);
    const offsetDelta = this.count;
    const body =
      2 + // attributes, timestamp delta 0
      varintSize(offsetDelta) +
      (key === null ? 1 : varintSize(key.length) + key.length) +
      varintSize(valueLen) +
      Math.max(0, valueLen) +
      varintSize(headerCount) +
      headerBytes;
    this.ensure(varintSize(body) + body);
    const buf = this.buf;
    let p = writeVarint(buf, this.pos, body);
    buf[p++] = 0; // attributes
    buf[p++] = 0; // timestamp delta: every record carries the batch's timestamp
    p = writeVarint(buf, p, offsetDelta);
    if (key === null)
      buf[p++] = 1; // varint(-1)
    else {
      p = writeVarint(buf, p, key.length);
      p += key.copy(buf, p);
    }
    p = writeVarint(buf, p, valueLen);
    if (value !== null) p += value.copy(buf, p, start, end);
    p = writeVarint(buf, p, headerCount);
    if (fixed.count > 0) p += fixed.bytes.copy(buf, p);
    if (numberKey) {
      p += numberKey.copy(buf, p);
      buf[p++] = digits << 1; // varint of the digit count (< 64)
      let n = numberValue;
      for (let i = p + digits - 1; i >= p; i--) {
        buf[i] = 48 + (n % 10);
        n = Math.floor(n / 10);
      }
      p += digits;
    }
    this.pos = p;
    this.count++;
  }

  /** The finished, unsealed batch; the builder is empty again. Undefined when no record was appended. */
  finish(): EncodedBatch | undefined {
    if (this.count === 0) return undefined;
    const bytes = this.buf.subarray(0, this.pos);
    // Every record carries the batch's timestamp (timestamp delta 0); CRC and producer fields: sealBatch.
    const ts = BigInt(this.baseTimestamp);
    writeBatchHeader(bytes, 0n, 0, this.count - 1, ts, ts, this.count);
    const batch = { bytes, recordCount: this.count };
    const want = Math.max(this.initialBytes, Math.min(this.pos + (this.pos >> 2), 16 << 20));
    const reuse = this.spare.findIndex((b) => b.length >= want);
    this.buf = reuse >= 0 ? this.spare.splice(reuse, 1)[0] : Buffer.allocUnsafe(want);
    this.pos = BATCH_HEADER_BYTES;
    this.count = 0;
    return batch;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

/** A record for `encodeRecordBatch`: the slow, general path (re-encoding, dead letters, tests). */
export interface RecordToEncode {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: [string, Buffer | null][];
  /** Offset within the batch (default: its index), for batches that keep another log's offsets. */
  offsetDelta?: number;
  timestamp?: bigint;
}

function pushVarlong(out: number[], n: bigint): void {
  let v = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  pushVarlong(out, BigInt(n));
  return out;
}

/** Encodes arbitrary records (keys, header values, timestamps, offset gaps) into one unsealed batch. */
export function encodeRecordBatch(records: RecordToEncode[], baseOffset = 0n): EncodedBatch {
  const baseTimestamp = records[0]?.timestamp ?? BigInt(Date.now());
  let maxTimestamp = baseTimestamp;
  const parts: Buffer[] = [Buffer.alloc(BATCH_HEADER_BYTES)];
  let lastOffsetDelta = 0;
  records.forEach((r, i) => {
    const ts = r.timestamp ?? baseTimestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const offsetDelta = r.offsetDelta ?? i;
    lastOffsetDelta = offsetDelta;
    const head: number[] = [0];
    pushVarlong(head, ts - baseTimestamp);
    head.push(...varintBytes(offsetDelta));
    const chunks: Buffer[] = [];
    const bytesField = (b: Buffer | null | undefined): void => {
      chunks.push(Buffer.from(varintBytes(b == null ? -1 : b.length)));
      if (b != null) chunks.push(b);
    };
    chunks.push(Buffer.from(head));
    bytesField(r.key ?? null);
    bytesField(r.value);
    const headers = r.headers ?? [];
    chunks.push(Buffer.from(varintBytes(headers.length)));
    for (const [k, v] of headers) {
      bytesField(Buffer.from(k, 'utf8'));
      bytesField(v);
    }
    const body = Buffer.concat(chunks);
    parts.push(Buffer.from(varintBytes(body.length)), body);
  });
  const bytes = Buffer.concat(parts);
  writeBatchHeader(bytes, baseOffset, 0, lastOffsetDelta, baseTimestamp, maxTimestamp, records.length);
  return { bytes, recordCount: records.length };
}

export interface ProducerStamp {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  transactional?: boolean;
}

/**
 * The bytes to send: `batch` stamped with the producer's id/epoch/sequence, records compressed with `compression`,
 * CRC computed. Returns a new buffer when compressing; otherwise stamps `batch.bytes` in place.
 */
export function sealBatch(batch: EncodedBatch, stamp: ProducerStamp, compression: CompressionType = 'none'): Buffer {
  let out = batch.bytes;
  let attributes = stamp.transactional ? ATTR_TRANSACTIONAL : 0;
  if (compression !== 'none') {
    const codec = compressionsAlgorithms[compression];
    const compressed = codec.compressSync(batch.bytes.subarray(BATCH_HEADER_BYTES));
    out = Buffer.allocUnsafe(BATCH_HEADER_BYTES + compressed.length);
    batch.bytes.copy(out, 0, 0, BATCH_HEADER_BYTES);
    compressed.copy(out, BATCH_HEADER_BYTES);
    out.writeInt32BE(out.length - BATCH_LENGTH_OVERHEAD, BATCH_LENGTH);
    attributes |= CODEC_BITS[compression];
  }
  stampProducer(out, attributes, stamp.producerId, stamp.producerEpoch, stamp.baseSequence);
  return out;
}

/** Whether `compression` can be used here (zstd needs a Node with zlib zstd). */
export function compressionAvailable(compression: CompressionType): boolean {
  return compression === 'none' || compressionsAlgorithms[compression].available !== false;
}
