// What of a read_committed fetch goes to the target: the broker returns whole batches up to the last stable offset,
// including batches of aborted transactions and control markers; the client drops those (as Kafka's Fetcher does:
// a producer id is "aborted" from its aborted transaction's first offset until its ABORT marker). A batch that
// starts before the saved position (the broker returns the whole batch holding it) is trimmed by re-encoding the
// records at or after the position. Everything else stays the source's bytes.
import type { FetchedPartition } from '../kafka/port/kafka-port.js';
import type { BatchHeader } from '../kafka/batch/batch-layout.js';
import { encodeBatch, isCommitMarker } from '../kafka/batch/forwarded-batch.js';
import { batchesIn, decodeRecords, type WireRecord } from '../kafka/batch/record-batch-reader.js';

export interface SourceBatch {
  header: BatchHeader;
  bytes: Buffer;
}

/** The committed data batches of one fetched partition, in order, and where the next fetch starts. */
export function committedBatches(fetched: FetchedPartition): SourceBatch[] {
  const pending = [...fetched.abortedTransactions];
  const abortedProducers = new Set<bigint>();
  const out: SourceBatch[] = [];
  for (const b of batchesIn(fetched.records)) {
    const last = b.header.nextOffset - 1n;
    while (pending.length > 0 && pending[0].firstOffset <= last) abortedProducers.add(pending.shift()!.producerId);
    if (b.header.control) {
      if (!isCommitMarker(b.bytes)) abortedProducers.delete(b.header.producerId);
      continue;
    }
    if (b.header.transactional && abortedProducers.has(b.header.producerId)) continue;
    if (b.header.recordCount === 0) continue;
    out.push(b);
  }
  return out;
}

/** The records of `batch` at or after `position` (all of them when the batch starts there). */
export function recordsFrom(batch: SourceBatch, position: bigint): WireRecord[] {
  const records = decodeRecords(batch.bytes, batch.header);
  return batch.header.baseOffset >= position ? records : records.filter((r) => r.offset >= position);
}

/**
 * The bytes to forward for a batch, given the partition's position: the batch itself when it can pass as it is;
 * re-encoded (same compression) when it straddles the position, has offset gaps (a compacted topic: the target
 * would refuse non-contiguous offsets), or carries LogAppendTime (the target sets its own times for that type);
 * undefined when every record lies before the position.
 */
export function forwardable(batch: SourceBatch, position: bigint): { bytes: Buffer; records: number } | undefined {
  const h = batch.header;
  if (h.nextOffset <= position) return undefined;
  const contiguous = h.recordCount === h.lastOffsetDelta + 1;
  if (h.baseOffset >= position && contiguous && !h.logAppendTime) return { bytes: batch.bytes, records: h.recordCount };
  const records = recordsFrom(batch, position);
  if (records.length === 0) return undefined;
  return { bytes: encodeBatch(records, h.compression), records: records.length };
}
