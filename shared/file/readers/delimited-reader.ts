// Delimited lines with `file.reader.delimited.quote` empty (the seed's default): a record is a line, quotes are
// ordinary characters. The fast path: no parser, the line is the value; the separator is only looked at when
// `value.default` must be filled into empty columns.
import type { FileReaderSpec } from '../../config/spec.js';
import type { LineSink } from './line-splitter.js';
import type { RecordGate } from './record-gate.js';
import { nulByteRecord } from './nul-byte.js';
import { tooLongRecord } from './too-long.js';

/** Fills `valueDefault` into the empty columns of `line`; returns `line` itself when none is empty. */
export function fillEmptyColumns(line: string, separator: string, valueDefault: string): string {
  const columns = line.split(separator);
  let filled = false;
  for (let i = 0; i < columns.length; i++) {
    if (columns[i] === '') {
      columns[i] = valueDefault;
      filled = true;
    }
  }
  return filled ? columns.join(separator) : line;
}

export function delimitedLineSink(reader: FileReaderSpec, gate: RecordGate): LineSink {
  const { separator, valueDefault, maxLineBytes } = reader;
  const fill = valueDefault !== '';
  return {
    line(text, line, start, endOffset) {
      // Empty lines are not records: the seed's text reader skips them, and an empty Kafka message loads nothing.
      if (text.length === 0 || !gate.pass(start)) return;
      const binary = nulByteRecord(text, line, endOffset);
      if (binary) return void gate.out.push(binary);
      const value = fill ? fillEmptyColumns(text, separator, valueDefault) : text;
      gate.out.push({ kind: 'record', value, line, endOffset });
    },
    tooLong(head, bytes, line, start, endOffset) {
      if (gate.pass(start)) gate.out.push(tooLongRecord(head, bytes, maxLineBytes, line, endOffset));
    },
  };
}
