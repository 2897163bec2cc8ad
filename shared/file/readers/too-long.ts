// The bad record for a line (or quoted record) past `file.reader.max.line.bytes`.
import type { BadRecord } from '../record.js';

export function tooLongRecord(
  head: string,
  bytes: number,
  maxLineBytes: number,
  line: number | undefined,
  endOffset: number,
): BadRecord {
  return {
    kind: 'bad',
    raw: head,
    line,
    endOffset,
    reason: `line longer than file.reader.max.line.bytes (${maxLineBytes}): ${bytes} bytes`,
  };
}
