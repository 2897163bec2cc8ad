// Reads RecordBatch v2 bytes (a Fetch response's records, or what the builder made): the whole batches of a fetch as
// views, their records decompressed and decoded, and the committed records of a read_committed fetch. `batchesIn` and
// `decodeRecords` are the mirror's data path (no copy; keys, values and headers stay views into the batch);
// `decodeRecordBatches` and `committedRecords` are the general reader (tests, the kafkajs adapter, the offsets topic).
import { compressionsAlgorithmsByBitmask } from '../wire/platformatic.js';
import type { CompressionType } from '../port/kafka-port.js';
import {
  BATCH_HEADER_BYTES,
  CODEC_BY_BITS,
  VarintCursor,
  batchSizeAt,
  crcValid,
  readBatchHeader,
  type BatchHeader,
} from './batch-layout.js';

/** One record as the converting and trimming paths see it; offsets are absolute. */
export interface WireRecord {
  offset: bigint;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer, Buffer | null][];
}

/**
 * The complete batches of a fetched `records` field, as views (no copy). A partial batch at the end (the fetch's
 * byte limit cut it) is left out: the next fetch starts at its offset. Magic < 2 batches are refused.
 */
export function* batchesIn(records: Buffer): Generator<{ header: BatchHeader; bytes: Buffer }> {
  let at = 0;
  while (records.length - at >= BATCH_HEADER_BYTES) {
    const size = batchSizeAt(records, at);
    if (at + size > records.length) return;
    const header = readBatchHeader(records, at);
    if (header.magic !== 2)
      throw new Error(`record batch at offset ${header.baseOffset} has magic ${header.magic}, not 2`);
    yield { header, bytes: records.subarray(at, at + size) };
    at += size;
  }
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
  const c = new VarintCursor(body, 0);
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

/**
 * Walks the records of one batch without an object per record (the converting mirror's data path): after `next()`
 * the fields describe the current record as positions in `body` (the decompressed records); -1 marks a null key or
 * value. `headersStart..headersEnd` spans the header count and entries, to be copied as they are.
 */
export class RecordCursor {
  readonly body: Buffer;
  offsetDelta = -1;
  timestamp = 0;
  keyStart = -1;
  keyEnd = -1;
  valueStart = -1;
  valueEnd = -1;
  headersStart = 0;
  headersEnd = 0;
  private readonly cursor: VarintCursor;
  private left: number;

  constructor(
    batch: Buffer,
    private readonly header: BatchHeader = readBatchHeader(batch),
  ) {
    let body = batch.subarray(BATCH_HEADER_BYTES, header.size);
    if (header.compression !== 0) {
      const codec = compressionsAlgorithmsByBitmask[header.compression];
      if (!codec)
        throw new Error(`record batch at offset ${header.baseOffset}: unknown compression ${header.compression}`);
      body = codec.decompressSync(body);
    }
    this.body = body;
    this.cursor = new VarintCursor(body, 0);
    this.left = header.recordCount;
  }

  next(): boolean {
    if (this.left === 0) return false;
    this.left--;
    const c = this.cursor;
    const length = c.varint();
    const end = c.at + length;
    c.at++; // attributes, unused
    const timestampDelta = c.varint();
    this.offsetDelta = c.varint();
    // LogAppendTime: every record's time is the batch's maxTimestamp, set by the source broker.
    this.timestamp = this.header.logAppendTime ? this.header.maxTimestamp : this.header.baseTimestamp + timestampDelta;
    const keyLength = c.varint();
    this.keyStart = keyLength < 0 ? -1 : c.at;
    if (keyLength > 0) c.at += keyLength;
    this.keyEnd = keyLength < 0 ? -1 : c.at;
    const valueLength = c.varint();
    this.valueStart = valueLength < 0 ? -1 : c.at;
    if (valueLength > 0) c.at += valueLength;
    this.valueEnd = valueLength < 0 ? -1 : c.at;
    this.headersStart = c.at;
    this.headersEnd = end;
    c.at = end;
    return true;
  }

  /** The current record as decodeRecords returns it (for the rare paths: dead letters, converters without a fast path). */
  record(): WireRecord {
    const c = new VarintCursor(this.body, this.headersStart);
    const headers: [Buffer, Buffer | null][] = [];
    for (let h = c.varint(); h > 0; h--) headers.push([c.bytes() ?? Buffer.alloc(0), c.bytes()]);
    return {
      offset: this.header.baseOffset + BigInt(this.offsetDelta),
      timestamp: this.timestamp,
      key: this.keyStart < 0 ? null : this.body.subarray(this.keyStart, this.keyEnd),
      value: this.valueStart < 0 ? null : this.body.subarray(this.valueStart, this.valueEnd),
      headers,
    };
  }
}

/** A record as the general reader returns it: header keys as text, timestamp as bigint. */
export interface DecodedRecord {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: [string, Buffer | null][];
}

export interface DecodedBatch {
  baseOffset: bigint;
  /** Offset of the batch's last record (lastOffsetDelta), also for a batch whose records were compacted away. */
  lastOffset: bigint;
  partitionLeaderEpoch: number;
  attributes: number;
  compression: CompressionType;
  transactional: boolean;
  control: boolean;
  crcValid: boolean;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** The whole batch's bytes (a view into the input). */
  bytes: Buffer;
  records: DecodedRecord[];
}

/**
 * Decodes the record batches in `bytes` (as a Fetch response or the builder returns them). A partial batch at the
 * end (a fetch cut at its size limit) is ignored. Records are decompressed; `decodeRecordsToo: false` skips them.
 */
export function decodeRecordBatches(bytes: Buffer, decodeRecordsToo = true): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  let p = 0;
  while (p + BATCH_HEADER_BYTES <= bytes.length) {
    const end = p + batchSizeAt(bytes, p);
    if (end > bytes.length) break;
    const b = bytes.subarray(p, end);
    const h = readBatchHeader(b);
    const records: DecodedRecord[] = decodeRecordsToo
      ? decodeRecords(b, h).map((r) => ({
          offset: r.offset,
          timestamp: BigInt(r.timestamp),
          key: r.key,
          value: r.value,
          headers: r.headers.map(([k, v]): [string, Buffer | null] => [k.toString('utf8'), v]),
        }))
      : [];
    batches.push({
      baseOffset: h.baseOffset,
      lastOffset: h.baseOffset + BigInt(h.lastOffsetDelta),
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      attributes: h.attributes,
      compression: CODEC_BY_BITS[h.compression] ?? 'none',
      transactional: h.transactional,
      control: h.control,
      crcValid: crcValid(b),
      baseTimestamp: BigInt(h.baseTimestamp),
      maxTimestamp: BigInt(h.maxTimestamp),
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      recordCount: h.recordCount,
      bytes: b,
      records,
    });
    p = end;
  }
  return batches;
}

/** A fetch's records as a read_committed reader sees them, whatever the adapter returned. */
export interface FetchedRecords {
  records: Buffer;
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[];
}

/**
 * The committed data records of a fetch: control batches (transaction markers) dropped, and the records of every
 * aborted transaction listed by the broker, from its first offset up to that producer's abort marker.
 */
export function committedRecords(fetched: FetchedRecords): DecodedRecord[] {
  const aborted = [...fetched.abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const open = new Set<bigint>();
  const out: DecodedRecord[] = [];
  for (const batch of decodeRecordBatches(fetched.records)) {
    while (aborted.length > 0 && aborted[0].firstOffset <= batch.lastOffset) open.add(aborted.shift()!.producerId);
    if (batch.control) {
      open.delete(batch.producerId); // the marker ends that producer's transaction
      continue;
    }
    if (batch.transactional && open.has(batch.producerId)) continue;
    out.push(...batch.records);
  }
  return out;
}
