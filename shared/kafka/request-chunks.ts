// Splits records into produce requests the broker accepts: kafkajs sends all of a call's records for one partition
// as ONE record batch, which must stay under the broker's `message.max.bytes` (1 MB by default). The seed's own
// example uses file.reader.batch.size=10000, which is over 1 MB for lines of ~100 bytes.
import type { Message } from 'kafkajs';

/** Bytes per produce request: half the broker default, leaving room for record and batch overheads. */
export const REQUEST_BYTES = 512 * 1024;
/**
 * Records per request. kafkajs groups a request's records by partition with a copy per record (quadratic in the
 * request's size), so smaller requests cost less CPU even when the bytes would fit.
 */
export const REQUEST_RECORDS = 1000;

const length = (v: Message['value'] | Message['key']): number =>
  v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/** An upper-bound estimate of a record's size in a record batch (varint overheads rounded up). */
export function recordBytes(m: Message): number {
  let n = 32 + length(m.value) + length(m.key);
  if (m.headers) {
    for (const [k, v] of Object.entries(m.headers)) {
      n += 8 + Buffer.byteLength(k);
      for (const part of Array.isArray(v) ? v : [v]) n += length(part as Buffer | string | null | undefined);
    }
  }
  return n;
}

/** Consecutive slices of `messages`, each within `maxBytes` (a single larger record goes alone) and `maxRecords`. */
export function* requestChunks(
  messages: Message[],
  maxBytes: number = REQUEST_BYTES,
  maxRecords: number = REQUEST_RECORDS,
): Generator<Message[]> {
  let start = 0;
  let size = 0;
  for (let i = 0; i < messages.length; i++) {
    const bytes = recordBytes(messages[i]);
    if (i > start && (size + bytes > maxBytes || i - start >= maxRecords)) {
      yield messages.slice(start, i);
      start = i;
      size = 0;
    }
    size += bytes;
  }
  if (start < messages.length) yield messages.slice(start);
}
