// A NUL byte never occurs in a text record (CSV or JSON lines); finding one means binary data, such as an executable
// renamed data.csv. Such a record is a bad record (errors.tolerance decides), never sent as a record. Readers call
// nulByteRecord on each record's text or bytes before sending it.
import type { BadRecord } from '../record.js';

/** How much of a binary record a bad record keeps (for the dead-letter topic). */
const RAW_LIMIT = 1024;

/** The bad record for a record holding a NUL byte, or undefined when it holds none. */
export function nulByteRecord(
  record: string | Uint8Array,
  line: number | undefined,
  endOffset: number,
): BadRecord | undefined {
  const at = typeof record === 'string' ? record.indexOf('\0') : record.indexOf(0);
  if (at < 0) return undefined;
  const raw =
    typeof record === 'string'
      ? record.slice(0, RAW_LIMIT)
      : Buffer.from(record.buffer, record.byteOffset, Math.min(record.length, RAW_LIMIT)).toString('utf8');
  const where = typeof record === 'string' ? `column ${at + 1}` : `byte ${at + 1} of the record`;
  return { kind: 'bad', raw, line, endOffset, reason: `NUL byte at ${where}: not text (a binary file?)` };
}

/**
 * Finds NUL bytes in the lines of a chunk without a view per line and without rescanning: lines of one buffer arrive
 * in order, so each byte is searched once. One finder per reader (a line in a new buffer, or earlier in the same
 * one, starts a fresh search).
 */
export class NulFinder {
  private buf: Buffer | undefined;
  private from = 0;
  /** The first NUL at or after `from` in `buf`, or buf.length when there is none. */
  private next = 0;

  /** The bad record for `buf[s, e)` when it holds a NUL byte, else undefined. */
  check(buf: Buffer, s: number, e: number, line: number | undefined, endOffset: number): BadRecord | undefined {
    if (buf !== this.buf || s < this.from || this.next < s) {
      const at = buf.indexOf(0, s);
      this.buf = buf;
      this.from = s;
      this.next = at < 0 ? buf.length : at;
    }
    return this.next < e ? nulByteRecord(buf.subarray(s, e), line, endOffset) : undefined;
  }
}
