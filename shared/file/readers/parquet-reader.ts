// Parquet files: the footer, then one row group at a time (its column chunks by ranged reads through the storage
// port), each row turned into its JSON bytes (parquet-json.ts).
//
// A file split into byte ranges between tasks (as plain text files are): a row group belongs to the range holding
// its first byte, so every task reads the footer and only its own row groups. Memory is bounded by one row group's
// stored bytes plus a slice of decoded rows (DECODE_ROWS); a row group larger than `maxRowGroupBytes` (stored, or
// uncompressed when nested columns make it decode whole) is refused before anything of it is read. The position inside a file is (row group, row).
import { parquetMetadataAsync, parquetRead, parquetSchema, type FileMetaData, type RowGroup } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ObjectSlices } from '../../storage/object-slice.js';
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
  /** Rows decoded per hyparquet call in a row group of flat columns (tests make it small). Default DECODE_ROWS. */
  decodeRows?: number;
}

export type ParquetEvent =
  | {
      kind: 'rows';
      rowGroup: number;
      /** Row index in the row group of `rows[0]`. */
      firstRow: number;
      /** Whether the slice ends the row group. */
      last: boolean;
      /** The row group's stored (compressed) bytes, for progress. */
      groupBytes: number;
      groupRows: number;
      rows: string[];
    }
  | { kind: 'bad'; rowGroup: number; groupStart: number; reason: string };

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

// INT96 is converted by hyparquet even without annotation: keep its nanoseconds since the epoch as a bigint.
const RAW_PARSERS = {
  timestampFromNanoseconds: (nanos: bigint) => nanos,
  timestampFromMilliseconds: (v: bigint) => v,
  timestampFromMicroseconds: (v: bigint) => v,
  dateFromDays: (v: number) => v,
  jsonFromBytes: (b: Uint8Array) => b,
  geometryFromBytes: (b: Uint8Array) => b,
  geographyFromBytes: (b: Uint8Array) => b,
  uuidFromBytes: (b: Uint8Array) => b,
};

export async function readParquetFooter(file: ObjectSlices): Promise<FileMetaData> {
  return parquetMetadataAsync(file);
}

/**
 * Rows decoded per hyparquet call inside a row group. A call decodes only the pages holding its rows (flat columns),
 * so memory holds the row group's stored bytes (fetched once, see groupBytesCache) and this many decoded rows.
 */
const DECODE_ROWS = 65_536;

/** Whether every column is a top-level primitive: hyparquet can then skip pages outside the rows asked for. */
function flatSchema(metadata: FileMetaData): boolean {
  const root = parquetSchema(metadata);
  return root.children.every((c) => c.children.length === 0 && c.element.repetition_type !== 'REPEATED');
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
  const flat = flatSchema(metadata);
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
    const step = flat ? (options.decodeRows ?? DECODE_ROWS) : rows;
    try {
      for (let from = skip; from < rows; from += step) {
        const to = Math.min(rows, from + step);
        const values = await decodeRows(cached, raw, firstRow + from, firstRow + to);
        for (let i = 0; i < values.length; i += options.sliceRows) {
          const end = Math.min(values.length, i + options.sliceRows);
          const out: string[] = new Array<string>(end - i);
          for (let k = i; k < end; k++) {
            out[k - i] = toJson(values[k]);
            values[k] = undefined as never; // let the decoded row go as soon as its JSON exists
          }
          yield {
            kind: 'rows',
            rowGroup: g,
            firstRow: from + i,
            last: from + end === rows,
            groupBytes,
            groupRows: rows,
            rows: out,
          };
        }
      }
    } catch (err) {
      // Rows of the group already yielded stay sent; the rest of the group is the bad record.
      yield { kind: 'bad', rowGroup: g, groupStart: start, reason: `row group ${g}: ${errorMessage(err)}` };
    } finally {
      cached.clear();
    }
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
