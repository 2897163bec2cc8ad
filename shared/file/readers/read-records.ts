// The file connector's readers: the bytes of one file (or archive entry) → records (shared/file/record.ts).
//
// API (stable):
//   readRecords(input: Readable, options: ReaderOptions): AsyncIterable<ReadResult>
//   readRecordBatches(input: Readable, options: ReaderOptions): AsyncIterable<ReadResult[]>
//     The same records, one array per input chunk (never empty): cheaper for a batching producer than one await
//     per record. Both pull from `input` (`for await`), so a slow consumer slows reading; the file is never held.
//     Leaving the loop early destroys `input`.
//   rangeOpenOffset(rangeStart: number, reader: FileReaderSpec): number
//     Where to open the file for the byte range starting at `rangeStart` (see "Byte ranges").
//   splittable(format: RecordFormat, reader: FileReaderSpec): boolean
//     Whether a file of this format may be split into byte ranges: not with quotes (a line break may be quoted), not
//     with an eol that overlaps itself (`||`: in `|||` a range could not tell where the line starts).
//
// Records (all formats):
//   - end at `reader.eol` (with eol `\n`, one trailing `\r` is dropped: CRLF files); a last line without eol is a
//     record; a UTF-8 BOM at the file start is dropped;
//   - empty lines are NOT records (skipped; for JSON lines also blank ones), though they count in line numbers;
//   - `line` is the 1-based physical line of the record's first line, when the input starts at the file start;
//   - `endOffset` is the byte offset in the whole (uncompressed) file just past the record's eol: a task
//     checkpoints it and resumes by passing it as `startOffset`/`rangeStart` (see below);
//   - a line longer than `reader.maxLineBytes` is a BadRecord ("line longer than file.reader.max.line.bytes (N)"),
//     its raw cut to 1 KiB; reading goes on after its eol and the line is never held whole;
//   - `skipHeader` skips the file's first record (only the range that holds it sees it).
// Formats:
//   - delimited, quote '': a record is a line; value = the line, or with `valueDefault` set, the line split on the
//     separator, empty columns filled, re-joined (delimited-reader.ts);
//   - delimited, quote `"` or `'`: a quoted field may span lines; value = fields re-joined, re-quoted where needed;
//     a malformed record is a BadRecord with csv-parse's reason and reading goes on (quoted-reader.ts);
//   - jsonl: each line must be valid JSON (BadRecord "invalid JSON at column N: ..."); value = the line trimmed.
//
// Byte ranges (one big file split across tasks): a record belongs to the range holding its FIRST byte. For the range
// [S, E) open the file at `O = rangeOpenOffset(S, reader)` (S minus the eol's length, at least 0) and pass
// `{ startOffset: O, rangeStart: S, endOffset: E }`. When startOffset > 0 the reader drops the bytes through the
// first eol (the tail of a record owned by the previous range: the eol just before S, if S starts a line, is among
// the bytes read, so a line starting exactly at S is kept). The stream may run past E: the reader stops at the first
// record starting at or after E. Line numbers are undefined when startOffset > 0. A resumed task passes its
// checkpoint C as both: `{ startOffset: rangeOpenOffset(C), rangeStart: C }` (or opens at C with startOffset 0 and
// skipHeader false ONLY if it knows nothing precedes; the first form is always right).
import type { Readable } from 'node:stream';
import type { FileReaderSpec } from '../../config/spec.js';
import type { RecordFormat } from '../file-format.js';
import type { ReadResult } from '../record.js';
import { delimitedLineSink } from './delimited-reader.js';
import { jsonlLineSink } from './jsonl-reader.js';
import { LineSplitter, type LineSink } from './line-splitter.js';
import { quotedLineSink } from './quoted-reader.js';
import { RecordGate } from './record-gate.js';
import { bytesKeepingSink, plainLineSink, type RecordOutput } from './record-output.js';

export interface ReaderOptions {
  format: RecordFormat;
  reader: FileReaderSpec;
  skipHeader: boolean;
  /** Byte offset in the uncompressed file where `input` starts; 0 (default) = the file start. */
  startOffset?: number;
  /** Emit only records whose first byte is >= rangeStart. Default: startOffset. */
  rangeStart?: number;
  /** Emit only records whose first byte is < endOffset. Default: no end. */
  endOffset?: number;
}

export function rangeOpenOffset(rangeStart: number, reader: FileReaderSpec): number {
  return Math.max(0, rangeStart - Buffer.byteLength(reader.eol, 'utf8'));
}

export function splittable(format: RecordFormat, reader: FileReaderSpec): boolean {
  // Parquet ranges own the row groups that start in them (parquet-reader.ts).
  if (format === 'parquet') return true;
  return (format === 'jsonl' || reader.quote === '') && !overlapsItself(Buffer.from(reader.eol, 'utf8'));
}

/** An eol such as `||` can match one byte early inside `|||`: a range start could not find the true line start. */
function overlapsItself(eol: Buffer): boolean {
  for (let k = 1; k < eol.length; k++) {
    if (eol.subarray(k).equals(eol.subarray(0, eol.length - k))) return true;
  }
  return false;
}

/** The gate over a reader's results: header skipped, records outside the byte range dropped. */
function gateFor(options: ReaderOptions, startOffset: number): RecordGate {
  return new RecordGate({
    skipHeader: options.skipHeader,
    startOffset,
    rangeStart: options.rangeStart ?? startOffset,
    rangeEnd: options.endOffset ?? Infinity,
  });
}

function lineSinkFor(options: ReaderOptions, gate: RecordGate): LineSink {
  if (options.format === 'jsonl') return jsonlLineSink(options.reader, gate);
  return options.reader.quote === '' ? delimitedLineSink(options.reader, gate) : quotedLineSink(options.reader, gate);
}

export async function* readRecordBatches(input: Readable, options: ReaderOptions): AsyncGenerator<ReadResult[]> {
  const startOffset = options.startOffset ?? 0;
  const gate = gateFor(options, startOffset);
  const sink = lineSinkFor(options, gate);
  const splitter = new LineSplitter(
    { eol: options.reader.eol, maxLineBytes: options.reader.maxLineBytes, startOffset },
    sink,
  );
  for await (const chunk of input) {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
    if (gate.out.length > 0) yield gate.take();
    // Breaking out of the for-await destroys the input: the rest of the range is not read.
    if (gate.done) return;
  }
  splitter.end();
  sink.end?.();
  if (gate.out.length > 0) yield gate.take();
}

/**
 * The same records as readRecordBatches, handed to `output` as bytes: delimited lines without quotes go from the
 * chunk straight to `output.record` (no object or string per record); other formats make their value's bytes.
 * Yields once per input chunk, after that chunk's records were output, so the caller can send and wait there.
 */
export async function* pumpRecords(
  input: Readable,
  options: ReaderOptions,
  output: RecordOutput,
): AsyncGenerator<void> {
  const startOffset = options.startOffset ?? 0;
  const gate = gateFor(options, startOffset);
  const plain = options.format !== 'jsonl' && options.reader.quote === '';
  let sink = plain ? plainLineSink(options.reader, gate, output) : lineSinkFor(options, gate);
  if (options.format === 'jsonl') sink = bytesKeepingSink(sink, gate, output);
  const splitter = new LineSplitter(
    { eol: options.reader.eol, maxLineBytes: options.reader.maxLineBytes, startOffset },
    sink,
  );
  const drain = (): void => {
    for (const r of gate.take()) {
      if (r.kind === 'bad') output.bad(r);
      else {
        const bytes = Buffer.from(r.value, 'utf8');
        output.record(bytes, 0, bytes.length, r.line, r.endOffset);
      }
    }
  };
  for await (const chunk of input) {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
    drain();
    yield;
    if (gate.done) return;
  }
  splitter.end();
  sink.end?.();
  drain();
  yield;
}

export async function* readRecords(input: Readable, options: ReaderOptions): AsyncGenerator<ReadResult> {
  for await (const batch of readRecordBatches(input, options)) yield* batch;
}
