// Parquet files: the footer, then one row group at a time (its column chunks by ranged reads through the storage
// port), each row turned into its JSON bytes (parquet-json.ts).
//
// A file split into byte ranges between tasks (as plain text files are): a row group belongs to the range holding
// its first byte, so every task reads the footer and only its own row groups. Flat columns (all top-level
// primitives) are streamed page by page (parquet-columns.ts): memory is a window and a page per column. A row group
// with nested columns is decoded whole by hyparquet. A row group larger than `maxRowGroupBytes` (stored, or
// uncompressed when it is decoded whole) is refused before anything of it is read. The position inside a file is
// (row group, row).
import { parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData, type RowGroup } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ObjectSlices } from '../../storage/object-slice.js';
import { flatColumns, FlatRowGroupReader } from './parquet-columns.js';
import { ByteOut } from './parquet-encoders.js';
import { RAW_PARSERS } from './parquet-pages.js';
import { isUtf8, rowJsonWriter } from './parquet-json.js';

export interface ParquetReadOptions {
  /** The task's byte range of the file: row groups starting in it are read. Default: the whole file. */
  range?: { start: number; end: number };
  /** Resume: the first row group to read and the rows of it already sent. */
  fromRowGroup: number;
  fromRow: number;
  /** `file.reader.parquet.max.row.group.bytes`. */
  maxRowGroupBytes: number;
  /** Rows per yielded slice (the task sends between slices). */
  sliceRows: number;
}

export type ParquetEvent =
  | {
      kind: 'rows';
      rowGroup: number;
      /** Row index in the row group of the slice's first row. */
      firstRow: number;
      /** Row index in the file (over all row groups) of the slice's first row. */
      fileRow: number;
      /** Whether the slice ends the row group. */
      last: boolean;
      /** The row group's stored (compressed) bytes, for progress. */
      groupBytes: number;
      groupRows: number;
      /**
       * The slice's rows as JSON bytes: row k is `buf[k > 0 ? ends[k - 1] : 0, ends[k])`, k < count. Both buffers are
       * reused by the next slice: a consumer copies what it keeps before asking for it.
       */
      buf: Buffer;
      ends: Int32Array;
      count: number;
    }
  | { kind: 'bad'; rowGroup: number; groupStart: number; reason: string };

/** The rows of a `rows` event as strings (tests and tools). */
export function rowTexts(ev: Extract<ParquetEvent, { kind: 'rows' }>): string[] {
  const out: string[] = [];
  for (let k = 0; k < ev.count; k++) out.push(ev.buf.toString('utf8', k > 0 ? ev.ends[k - 1] : 0, ev.ends[k]));
  return out;
}

/** Where a row group's bytes start: its first column chunk's first page (dictionary page first). */
export function rowGroupStart(group: RowGroup): number {
  let start = Infinity;
  for (const c of group.columns) {
    const m = c.meta_data;
    if (!m) continue;
    const first =
      m.dictionary_page_offset !== undefined && m.dictionary_page_offset > 0n
        ? Number(m.dictionary_page_offset)
        : Number(m.data_page_offset);
    if (first < start) start = first;
  }
  return start === Infinity ? 4 : start;
}

/**
 * The same metadata with every leaf's (but UTF-8 strings') and MAP group's annotation removed: hyparquet then hands over raw values
 * (bigints, byte arrays) that parquet-json.ts maps exactly, and map keys stay what they are (not object keys).
 */
function rawMetadata(metadata: FileMetaData): FileMetaData {
  const schema = metadata.schema.map((e) => {
    const map = e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE' || e.logical_type?.type === 'MAP';
    // UTF-8 strings keep their annotation: hyparquet decodes them straight to strings (no byte array per value).
    if ((e.type === undefined && !map) || (isUtf8(e) && !map)) return e;
    const { converted_type: _c, logical_type: _l, ...rest } = e;
    return rest;
  });
  return { ...metadata, schema };
}

export async function readParquetFooter(file: ObjectSlices): Promise<FileMetaData> {
  return parquetMetadataAsync(file);
}

/**
 * The file's bytes as hyparquet asks for them while one row group is read: each range is fetched once and handed back
 * as the same buffer to the next calls of the row group (hyparquet only reads them), then dropped with the group.
 */
function groupBytesCache(file: ObjectSlices): ObjectSlices & { clear(): void } {
  let cache = new Map<string, Promise<ArrayBuffer>>();
  return {
    byteLength: file.byteLength,
    slice(start, end = file.byteLength) {
      const key = `${start}:${end}`;
      let hit = cache.get(key);
      if (!hit) {
        hit = file.slice(start, end);
        cache.set(key, hit);
      }
      return hit;
    },
    clear() {
      cache = new Map();
    },
  };
}

export async function* readParquet(
  file: ObjectSlices,
  metadata: FileMetaData,
  options: ParquetReadOptions,
): AsyncGenerator<ParquetEvent> {
  const raw = rawMetadata(metadata);
  const toJson = rowJsonWriter(parquetSchema(metadata));
  // Nested columns are read from the start of their chunk by every call: their row group is decoded in one call.
  const flat = flatColumns(metadata);
  const cached = groupBytesCache(file);
  let groupStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const group = metadata.row_groups[g];
    const rows = Number(group.num_rows);
    const firstRow = groupStart;
    groupStart += rows;
    const start = rowGroupStart(group);
    if (options.range && (start < options.range.start || start >= options.range.end)) continue;
    if (g < options.fromRowGroup) continue;
    const skip = g === options.fromRowGroup ? options.fromRow : 0;
    if (skip >= rows) continue;
    const groupBytes = group.columns.reduce((n, c) => n + Number(c.meta_data?.total_compressed_size ?? 0), 0);
    // What a task holds: the stored bytes, or, with nested columns, the decoded row group (its uncompressed size).
    const held = flat ? groupBytes : Math.max(groupBytes, Number(group.total_byte_size));
    if (held > options.maxRowGroupBytes) {
      const what = flat ? 'stored' : 'uncompressed (it has nested columns, decoded whole)';
      yield {
        kind: 'bad',
        rowGroup: g,
        groupStart: start,
        reason: `row group ${g} is ${held} bytes ${what}, more than file.reader.parquet.max.row.group.bytes (${options.maxRowGroupBytes})`,
      };
      continue;
    }
    try {
      const slices = flat
        ? flatSlices(file, metadata, g, skip, rows, options.sliceRows)
        : nestedSlices(cached, raw, toJson, firstRow, skip, rows, options.sliceRows);
      for await (const { from, count, buf, ends } of slices) {
        const last = from + count === rows;
        yield {
          kind: 'rows',
          rowGroup: g,
          firstRow: from,
          fileRow: firstRow + from,
          last,
          groupBytes,
          groupRows: rows,
          buf,
          ends,
          count,
        };
      }
    } catch (err) {
      // Rows of the group already yielded stay sent; the rest of the group is the bad record.
      yield { kind: 'bad', rowGroup: g, groupStart: start, reason: `row group ${g}: ${errorMessage(err)}` };
    } finally {
      cached.clear();
    }
  }
}

/** Rows `from` to `from + count` of a row group as JSON bytes (see ParquetEvent). */
interface Slice {
  from: number;
  count: number;
  buf: Buffer;
  ends: Int32Array;
}

/** Flat columns: streamed page by page, each row's JSON written from the page values (parquet-columns.ts). */
async function* flatSlices(
  file: ObjectSlices,
  metadata: FileMetaData,
  g: number,
  skip: number,
  rows: number,
  sliceRows: number,
): AsyncGenerator<Slice> {
  const reader = new FlatRowGroupReader(file, metadata, g, skip);
  for (let from = skip; from < rows; from += sliceRows) {
    const count = Math.min(sliceRows, rows - from);
    await reader.next(count);
    yield { from, count, buf: reader.out.buf, ends: reader.rowEnds };
  }
}

/** Nested columns: hyparquet assembles the row group's rows, parquet-json.ts writes each one. */
async function* nestedSlices(
  file: ObjectSlices,
  raw: FileMetaData,
  toJson: (row: unknown[]) => string,
  firstRow: number,
  skip: number,
  rows: number,
  sliceRows: number,
): AsyncGenerator<Slice> {
  const values = await decodeRows(file, raw, firstRow + skip, firstRow + rows);
  const out = new ByteOut(1 << 20);
  let ends = new Int32Array(0);
  for (let i = 0; i < values.length; i += sliceRows) {
    const end = Math.min(values.length, i + sliceRows);
    if (ends.length < end - i) ends = new Int32Array(end - i);
    out.pos = 0;
    for (let k = i; k < end; k++) {
      out.text(toJson(values[k]));
      ends[k - i] = out.pos;
      values[k] = undefined as never; // let the decoded row go as soon as its JSON exists
    }
    yield { from: skip + i, count: end - i, buf: out.buf, ends };
  }
}

function decodeRows(
  file: ObjectSlices,
  metadata: FileMetaData,
  rowStart: number,
  rowEnd: number,
): Promise<unknown[][]> {
  return new Promise<unknown[][]>((resolve, reject) => {
    parquetRead({
      file,
      metadata,
      rowStart,
      rowEnd,
      rowFormat: 'array',
      // Unannotated BYTE_ARRAY stays bytes (base64); UTF-8-annotated columns are still decoded to strings.
      utf8: false,
      compressors,
      parsers: RAW_PARSERS as never,
      onComplete: (r) => resolve(r as unknown[][]),
    }).catch(reject);
  });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
