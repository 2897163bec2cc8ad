// JSON lines: each non-empty line is one JSON value, sent as written (trimmed). JSON.parse only validates it, so a
// line that would fail the loading job is a bad record here, with the column where parsing stopped.
import type { FileReaderSpec } from '../../config/spec.js';
import type { LineSink } from './line-splitter.js';
import type { RecordGate } from './record-gate.js';
import { nulByteRecord } from './nul-byte.js';
import { tooLongRecord } from './too-long.js';

const POSITION = /at position (\d+)/;

/** "invalid JSON at column N: ..." (1-based column in the line as written) or "invalid JSON: ..." when V8 gives none. */
export function invalidJsonReason(line: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const leading = line.length - line.trimStart().length;
  const at = POSITION.exec(message);
  if (at) return `invalid JSON at column ${leading + Number(at[1]) + 1}: ${message}`;
  if (message.includes('end of JSON input')) {
    return `invalid JSON at column ${leading + line.trim().length + 1}: ${message}`;
  }
  return `invalid JSON: ${message}`;
}

export function jsonlLineSink(reader: FileReaderSpec, gate: RecordGate): LineSink {
  return {
    line(text, line, start, endOffset) {
      const value = text.trim();
      // Blank lines are not records (the same rule as delimited files).
      if (value.length === 0 || !gate.pass(start)) return;
      const binary = nulByteRecord(text, line, endOffset);
      if (binary) return void gate.out.push(binary);
      try {
        JSON.parse(value);
      } catch (e) {
        gate.out.push({ kind: 'bad', raw: text, line, endOffset, reason: invalidJsonReason(text, e) });
        return;
      }
      gate.out.push({ kind: 'record', value, line, endOffset });
    },
    tooLong(head, bytes, line, start, endOffset) {
      if (gate.pass(start)) gate.out.push(tooLongRecord(head, bytes, reader.maxLineBytes, line, endOffset));
    },
  };
}
