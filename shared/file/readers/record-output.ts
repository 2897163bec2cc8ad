// Where readers put records without making an object per record: `RecordOutput.record` gets the value's bytes
// (a slice of the chunk being read, or bytes a reader produced), the task encodes them into a RecordBatch at once.
//
// The plain line sink is the default format's hot path (delimited, no quote): a record is a line, its bytes go out
// exactly as read (invalid UTF-8 included); `value.default` is filled into empty columns on bytes too, so only a
// line that has an empty column is copied.
import type { FileReaderSpec } from '../../config/spec.js';
import type { BadRecord } from '../record.js';
import type { LineSink } from './line-splitter.js';
import type { RecordGate } from './record-gate.js';
import { tooLongRecord } from './too-long.js';

export interface RecordOutput {
  /** A good record: its value is `buf[s, e)`, valid only during the call. */
  record(buf: Buffer, s: number, e: number, line: number | undefined, endOffset: number): void;
  /** A bad record (errors.tolerance decides). */
  bad(record: BadRecord): void;
}

/** `line[s, e)` with `fill` in every empty column; the same slice when no column is empty. */
export function fillEmptyColumnBytes(
  line: Buffer,
  s: number,
  e: number,
  separator: Buffer,
  fill: Buffer,
): { buf: Buffer; s: number; e: number } {
  const parts: Buffer[] = [];
  let from = s;
  let filled = false;
  for (;;) {
    const at = line.indexOf(separator, from);
    const end = at < 0 || at >= e ? e : at;
    if (end === from) {
      parts.push(fill);
      filled = true;
    } else parts.push(line.subarray(from, end));
    if (end === e) break;
    parts.push(separator);
    from = end + separator.length;
    if (from === e) {
      parts.push(fill); // a trailing separator leaves an empty last column
      filled = true;
      break;
    }
  }
  if (!filled) return { buf: line, s, e };
  const joined = Buffer.concat(parts);
  return { buf: joined, s: 0, e: joined.length };
}

export function plainLineSink(reader: FileReaderSpec, gate: RecordGate, output: RecordOutput): LineSink {
  const separator = Buffer.from(reader.separator, 'utf8');
  const fill = reader.valueDefault === '' ? undefined : Buffer.from(reader.valueDefault, 'utf8');
  return {
    bytes(buf, s, e, line, start, end) {
      // Empty lines are not records (the seed's text reader skips them).
      if (e === s || !gate.pass(start)) return;
      if (!fill) {
        output.record(buf, s, e, line, end);
        return;
      }
      const v = fillEmptyColumnBytes(buf, s, e, separator, fill);
      output.record(v.buf, v.s, v.e, line, end);
    },
    line() {
      throw new Error('plainLineSink takes bytes'); // the splitter calls `bytes` when a sink has it
    },
    tooLong(head, bytes, line, start, end) {
      if (gate.pass(start)) output.bad(tooLongRecord(head, bytes, reader.maxLineBytes, line, end));
    },
  };
}

/**
 * JSON lines keep their bytes: the text sink (`inner`) validates each line as it always does, and a line it accepts
 * is output as the line's own bytes minus the whitespace it trimmed, so invalid UTF-8 inside a string value is not
 * turned into U+FFFD on its way to Kafka.
 */
export function bytesKeepingSink(inner: LineSink, gate: RecordGate, output: RecordOutput): LineSink {
  // Everything the inner sink decides goes out at once, in order: a bad record must not wait behind later records.
  const flush = (buf?: Buffer, s = 0, e = 0, text = ''): void => {
    for (const r of gate.take()) {
      if (r.kind === 'bad') output.bad(r);
      else if (buf) {
        // Whitespace is valid UTF-8, one character per code point: the trimmed ends' byte lengths are exact.
        const lead = Buffer.byteLength(text.slice(0, text.length - text.trimStart().length));
        const trail = Buffer.byteLength(text.slice(text.trimEnd().length));
        output.record(buf, s + lead, e - trail, r.line, r.endOffset);
      } else {
        const bytes = Buffer.from(r.value, 'utf8');
        output.record(bytes, 0, bytes.length, r.line, r.endOffset);
      }
    }
  };
  return {
    bytes(buf, s, e, line, start, end) {
      const text = buf.toString('utf8', s, e);
      inner.line(text, line, start, end);
      flush(buf, s, e, text);
    },
    line(text, line, start, end) {
      inner.line(text, line, start, end);
      flush();
    },
    tooLong(head, bytes, line, start, end) {
      inner.tooLong(head, bytes, line, start, end);
      flush();
    },
    end() {
      inner.end?.();
      flush();
    },
  };
}
