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
