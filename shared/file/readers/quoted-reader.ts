// Delimited records with `file.reader.delimited.quote` set (`"` or `'`): a quoted field may hold the separator, the
// quote (doubled) and line breaks, so one record may span several lines.
//
// How: the line splitter gives physical lines with exact offsets; a small scan per line that contains the quote
// character tells whether a quoted field is still open at its end (then the next line continues the record). A
// complete record is parsed on its own, so a malformed record (bad quote
// placement, unclosed quote at EOF) is one bad record with csv-parse's reason and the next record parses normally.
// Well-formed records are split by a small RFC 4180 splitter (a csv-parse call per record costs ~30 µs; the tests
// check both give the same fields); csv-parse decides and words the reason whenever the splitter finds a fault.
//
// The value sent is the fields re-joined by the separator with `value.default` filled into empty fields, a field
// re-quoted (quote chars doubled) only when it holds the separator, the quote, `\r` or `\n`: the loading job sees
// the same columns. A line break inside a quoted field is kept as it was in the file (CR LF stays CR LF); only the
// record's own terminator is the eol.
//
// Memory: a record is held until complete; one longer than `file.reader.max.line.bytes` (usually an unclosed quote)
// becomes a bad record and reading starts afresh at the next line.
import { createRequire } from 'node:module';
import type { Options } from 'csv-parse/sync';
import type { FileReaderSpec } from '../../config/spec.js';
import type { LineSink } from './line-splitter.js';
import type { RecordGate } from './record-gate.js';
import { TOO_LONG_HEAD_BYTES } from './line-splitter.js';
import { tooLongRecord } from './too-long.js';
import { nulByteRecord } from './nul-byte.js';

type Parse = typeof import('csv-parse/sync').parse;
let csvParse: Parse | undefined;
/** csv-parse (11 modules) loads when a quoted record first needs it, not with every file task. */
function parse(text: string, options: Options): unknown {
  csvParse ??= (createRequire(import.meta.url)('csv-parse/sync') as { parse: Parse }).parse;
  return csvParse(text, options);
}

/** Whether a quoted field is still open after `text`, given whether one was open before it. */
export function quoteOpenAfter(text: string, separator: string, quote: string, openBefore: boolean): boolean {
  let open = openBefore;
  // At the start of a continuation line we are inside a field, not at its start.
  let atFieldStart = !openBefore;
  const sep0 = separator.charCodeAt(0);
  const q = quote.charCodeAt(0);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (open) {
      if (c === q) {
        if (text.charCodeAt(i + 1) === q) i++;
        else open = false;
      }
    } else if (c === sep0 && text.startsWith(separator, i)) {
      atFieldStart = true;
      i += separator.length - 1;
      continue;
    } else if (c === q && atFieldStart) {
      open = true;
    }
    atFieldStart = false;
  }
  return open;
}

/**
 * The fields of one complete record (RFC 4180: a quoted field ends at a quote not doubled, followed by the separator
 * or the end), or undefined when it is malformed (then csv-parse says why). Same fields as csv-parse gives, much
 * cheaper than a csv-parse call per record (tested side by side).
 */
export function splitQuotedRecord(text: string, separator: string, quote: string): string[] | undefined {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.startsWith(quote, i)) {
      let field = '';
      let j = i + 1;
      for (;;) {
        const k = text.indexOf(quote, j);
        if (k < 0) return undefined;
        if (text.startsWith(quote, k + 1)) {
          field += text.slice(j, k + 1);
          j = k + 2;
          continue;
        }
        field += text.slice(j, k);
        i = k + 1;
        break;
      }
      fields.push(field);
      if (i === n) return fields;
      if (!text.startsWith(separator, i)) return undefined;
      i += separator.length;
    } else {
      const k = text.indexOf(separator, i);
      const field = k < 0 ? text.slice(i) : text.slice(i, k);
      if (field.includes(quote)) return undefined;
      fields.push(field);
      if (k < 0) return fields;
      i = k + separator.length;
    }
  }
}

/** Re-joins fields as the value of a record: `valueDefault` in empty fields, quoting only where needed. */
export function joinFields(fields: string[], separator: string, quote: string, valueDefault: string): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    let f = fields[i];
    if (f === '') f = valueDefault;
    if (f.includes(separator) || f.includes(quote) || f.includes('\n') || f.includes('\r')) {
      f = quote + f.split(quote).join(quote + quote) + quote;
    }
    out = i === 0 ? f : out + separator + f;
  }
  return out;
}

/**
 * The line break that followed a line inside an open quote. The splitter drops the `\r` of a CRLF line end; inside
 * an open quote that CR LF is the user's data, not the record's end: a line with one byte more than its text and eol
 * had a `\r`, which goes back in when the record continues (4 more: a BOM too, on the file's first line).
 */
function lineBreakAfter(eol: string): (text: string, start: number, endOffset: number) => string {
  return (text, start, endOffset) => {
    if (eol !== '\n') return eol;
    const extra = endOffset - start - Buffer.byteLength(text) - 1;
    return extra === 1 || extra === 4 ? '\r\n' : eol;
  };
}

/** Emits one complete record into the gate: a record, or a bad record with csv-parse's reason. */
function quotedRecordEmitter(
  reader: FileReaderSpec,
  gate: RecordGate,
): (text: string, line: number | undefined, start: number, endOffset: number) => void {
  const { separator, quote, valueDefault, eol } = reader;
  const csvOptions = {
    delimiter: separator,
    quote,
    escape: quote,
    record_delimiter: eol,
    relax_column_count: true,
    skip_empty_lines: false,
    bom: false,
  };

  return (text, line, start, endOffset) => {
    if (!gate.pass(start)) return;
    const binary = nulByteRecord(text, line, endOffset);
    if (binary) return void gate.out.push(binary);
    if (!text.includes(quote)) {
      const needsParser = valueDefault !== '' || text.includes('\r') || text.includes('\n');
      const value = needsParser ? joinFields(text.split(separator), separator, quote, valueDefault) : text;
      gate.out.push({ kind: 'record', value, line, endOffset });
      return;
    }
    const fields = splitQuotedRecord(text, separator, quote);
    if (fields) {
      gate.out.push({ kind: 'record', value: joinFields(fields, separator, quote, valueDefault), line, endOffset });
      return;
    }
    // Malformed by our reading: csv-parse has the last word, and the words for the reason.
    let rows: string[][];
    try {
      rows = parse(text, csvOptions) as string[][];
    } catch (e) {
      gate.out.push({
        kind: 'bad',
        raw: text,
        line,
        endOffset,
        reason: csvReason(reasonOf(text, e, csvOptions), line),
      });
      return;
    }
    if (rows.length !== 1) {
      const reason = `quoted record parsed as ${rows.length} records; check the quotes`;
      gate.out.push({ kind: 'bad', raw: text, line, endOffset, reason });
      return;
    }
    gate.out.push({ kind: 'record', value: joinFields(rows[0], separator, quote, valueDefault), line, endOffset });
  };
}

export function quotedLineSink(reader: FileReaderSpec, gate: RecordGate): LineSink {
  const { separator, quote, maxLineBytes, eol } = reader;
  const breakAfter = lineBreakAfter(eol);
  const emit = quotedRecordEmitter(reader, gate);
  // The record being assembled (a quoted field is open at the end of its last line), each line with the line break
  // that followed it.
  let pending: string[] = [];
  let pendingBytes = 0;
  let pendingStart = 0;
  let pendingLine: number | undefined;
  let pendingEnd = 0;

  const flushTooLong = (endOffset: number): void => {
    const text = pending.join('');
    pending = [];
    if (gate.pass(pendingStart)) {
      const head = Buffer.from(text).subarray(0, TOO_LONG_HEAD_BYTES).toString();
      gate.out.push(tooLongRecord(head, pendingBytes, maxLineBytes, pendingLine, endOffset));
    }
  };

  return {
    line(text, line, start, endOffset) {
      if (pending.length === 0) {
        // Empty lines between records are not records (as for unquoted files).
        if (text.length === 0) return;
        if (!text.includes(quote) || !quoteOpenAfter(text, separator, quote, false)) {
          emit(text, line, start, endOffset);
          return;
        }
        pending = [text, breakAfter(text, start, endOffset)];
        pendingBytes = endOffset - start;
        pendingStart = start;
        pendingLine = line;
        pendingEnd = endOffset;
        return;
      }
      pending.push(text);
      pendingBytes += endOffset - start;
      pendingEnd = endOffset;
      if (!quoteOpenAfter(text, separator, quote, true)) {
        const record = pending.join('');
        pending = [];
        emit(record, pendingLine, pendingStart, endOffset);
      } else if (pendingBytes > maxLineBytes) {
        flushTooLong(endOffset);
      } else {
        pending.push(breakAfter(text, start, endOffset));
      }
    },
    tooLong(head, bytes, line, start, endOffset) {
      if (pending.length > 0) {
        // A too-long line inside an open quote: the whole record is too long.
        pendingBytes += bytes;
        flushTooLong(endOffset);
        return;
      }
      if (gate.pass(start)) gate.out.push(tooLongRecord(head, bytes, maxLineBytes, line, endOffset));
    },
    end() {
      // EOF inside a quoted field: csv-parse names it ("Quote Not Closed").
      if (pending.length === 0) return;
      const record = pending.slice(0, -1).join('');
      pending = [];
      emit(record, pendingLine, pendingStart, pendingEnd);
    },
  };
}

/** csv-parse counts CR and LF as a line each: its reason for the same text with CR LF as LF has the file's count. */
function reasonOf(text: string, error: unknown, options: Options): unknown {
  if (!text.includes('\r\n')) return error;
  try {
    parse(text.replace(/\r\n/g, '\n'), options);
  } catch (e) {
    return e;
  }
  return error;
}

/** csv-parse's message, its "line N" (counted from the record's first line) made a line of the file. */
function csvReason(error: unknown, line: number | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  if (line === undefined) return message;
  return message.replace(/\bline (\d+)/g, (_, n: string) => `line ${line + Number(n) - 1}`);
}
