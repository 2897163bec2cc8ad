// Reads RecordBatch v2 bytes (a Fetch response's records, or what RecordBatchBuilder made): batch headers, CRC
// check, decompression and records. Used off the hot path: tests, the kafkajs adapter, and consumers that need
// records rather than whole batches.
import { compressionsAlgorithms, crc32c } from '../wire/platformatic.js';
import type { CompressionType } from '../port/kafka-port.js';
import {
  ATTR_COMPRESSION_MASK,
  ATTR_CONTROL,
  ATTR_TRANSACTIONAL,
  BATCH_HEADER_BYTES,
  CODEC_BY_BITS,
} from './record-batch.js';

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

function readVarint(buf: Buffer, at: { p: number }): number {
  let v = 0;
  let shift = 0;
  let b: number;
  do {
    b = buf[at.p++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

function readVarlong(buf: Buffer, at: { p: number }): bigint {
  let v = 0n;
  let shift = 0n;
  let b: number;
  do {
    b = buf[at.p++];
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
  } while (b & 0x80);
  return (v >> 1n) ^ -(v & 1n);
}

function readBytes(buf: Buffer, at: { p: number }): Buffer | null {
  const len = readVarint(buf, at);
  if (len < 0) return null;
  const out = buf.subarray(at.p, at.p + len);
  at.p += len;
  return out;
}

function decodeRecords(buf: Buffer, count: number, baseOffset: bigint, baseTimestamp: bigint): DecodedRecord[] {
  const records: DecodedRecord[] = [];
  const at = { p: 0 };
  for (let i = 0; i < count; i++) {
    const len = readVarint(buf, at);
    const end = at.p + len;
    at.p++; // attributes
    const timestampDelta = readVarlong(buf, at);
    const offsetDelta = readVarint(buf, at);
    const key = readBytes(buf, at);
    const value = readBytes(buf, at);
    const headers: [string, Buffer | null][] = [];
    const headerCount = readVarint(buf, at);
    for (let h = 0; h < headerCount; h++) {
      const k = readBytes(buf, at);
      headers.push([k ? k.toString('utf8') : '', readBytes(buf, at)]);
    }
    at.p = end;
    const record = { offset: baseOffset + BigInt(offsetDelta), timestamp: baseTimestamp + timestampDelta };
    records.push({ ...record, key, value, headers });
  }
  return records;
}

/**
 * Decodes the record batches in `bytes` (as a Fetch response or the builder returns them). A partial batch at the
 * end (a fetch cut at its size limit) is ignored. Records are decompressed; `decodeRecordsToo: false` skips them.
 */
export function decodeRecordBatches(bytes: Buffer, decodeRecordsToo = true): DecodedBatch[] {
  const batches: DecodedBatch[] = [];
  let p = 0;
  while (p + BATCH_HEADER_BYTES <= bytes.length) {
    const batchLength = bytes.readInt32BE(p + 8);
    const end = p + 12 + batchLength;
    if (end > bytes.length) break;
    const b = bytes.subarray(p, end);
    const attributes = b.readInt16BE(21);
    const compression = CODEC_BY_BITS[attributes & ATTR_COMPRESSION_MASK] ?? 'none';
    const baseOffset = b.readBigInt64BE(0);
    const baseTimestamp = b.readBigInt64BE(27);
    const recordCount = b.readInt32BE(57);
    let records: DecodedRecord[] = [];
    if (decodeRecordsToo) {
      let body = b.subarray(BATCH_HEADER_BYTES);
      if (compression !== 'none') body = compressionsAlgorithms[compression].decompressSync(body);
      records = decodeRecords(body, recordCount, baseOffset, baseTimestamp);
    }
    batches.push({
      baseOffset,
      lastOffset: baseOffset + BigInt(b.readInt32BE(23)),
      partitionLeaderEpoch: b.readInt32BE(12),
      attributes,
      compression,
      transactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
      control: (attributes & ATTR_CONTROL) !== 0,
      crcValid: crc32c(b.subarray(21)) === b.readUInt32BE(17),
      baseTimestamp,
      maxTimestamp: b.readBigInt64BE(35),
      producerId: b.readBigInt64BE(43),
      producerEpoch: b.readInt16BE(51),
      baseSequence: b.readInt32BE(53),
      recordCount,
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
