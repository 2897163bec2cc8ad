// The fast path of Parquet files whose columns are all top-level primitives (no LIST, MAP or STRUCT): each column
// chunk is streamed page by page through a window of ranged reads, each page decoded by hyparquet's page functions
// (no row assembly, no conversion), and every row's JSON written as bytes straight from the page values into one
// output buffer. Dictionary pages are rendered once to JSON bytes, so a dictionary-encoded value is a copy. Numbers,
// dates, timestamps, decimals and ASCII strings are written digit by digit; anything else goes through the exact
// writers of parquet-json.ts (a string per value), see parquet-encoders.ts. Memory: one window and one decoded page
// per column.
import type { FileMetaData, PageHeader, SchemaTree } from 'hyparquet';
import { parquetSchema } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { compressors } from 'hyparquet-compressors';
import type { ObjectSlices } from '../../storage/object-slice.js';
import { ByteOut, encoderFor, type Encoder } from './parquet-encoders.js';
import {
  dataPage,
  dictionaryValues,
  PageScratch,
  RAW_PARSERS,
  type ColumnDecoder,
  type PageValues,
} from './parquet-pages.js';

/** Whether every column is a top-level primitive: the column path applies. */
export function flatColumns(metadata: FileMetaData): boolean {
  const root = parquetSchema(metadata);
  return root.children.every((c) => c.children.length === 0 && c.element.repetition_type !== 'REPEATED');
}

/**
 * Bytes a column chunk is read by: one ranged read per window (a page larger than it is read whole). Ten columns hold
 * ten windows: 4 MB windows put a task at ~280 MB peak RSS on 128 MB row groups; 2 MB keeps a margin under 300 MB at
 * the cost of more ranged GETs on gs:// (about 500 per GB, each column waiting for its own).
 */
const WINDOW = 2 << 20;

const NULL_BYTES = [110, 117, 108, 108];

/** One column chunk of a row group, streamed page by page. */
class ColumnCursor {
  private window = new Uint8Array(0);
  /** What `window` is a view of (its start). */
  private store = new Uint8Array(0);
  /** The file offset of `window[0]`. */
  private windowAt: number;
  private offset = 0;
  private readonly end: number;
  private dict: { buf: Buffer; ends: Int32Array } | undefined;
  private readonly scratch = new PageScratch();
  // The current data page.
  private defs: ArrayLike<number> | undefined;
  private indices: Int32Array | undefined;
  private pageRows = 0;
  private row = 0;
  private valueIndex = 0;
  /** Rows still to skip (resume inside the row group), page by page. */
  skip = 0;

  constructor(
    private readonly file: ObjectSlices,
    start: number,
    length: number,
    private readonly decoder: ColumnDecoder,
    private readonly encoder: Encoder,
    private readonly maxDef: number,
  ) {
    this.windowAt = start;
    this.end = start + length;
  }

  /** At least `n` bytes (or up to the chunk's end) from `offset` in the window. */
  private async have(n: number): Promise<void> {
    const at = this.windowAt + this.offset;
    const want = Math.min(this.end, at + Math.max(n, WINDOW));
    if (this.windowAt + this.window.length >= Math.min(this.end, at + n)) return;
    const fetched = new Uint8Array(await this.file.slice(this.windowAt + this.window.length, want));
    // The window's store is reused: the page read before is consumed whole by now (nothing points into it), and a
    // fresh buffer per read would be garbage that V8 collects only every ~64 MB of external memory.
    const restLength = this.window.length - this.offset;
    const need = restLength + fetched.length;
    if (this.store.length < need) {
      const store = new Uint8Array(need);
      store.set(this.window.subarray(this.offset), 0);
      this.store = store;
    } else this.store.copyWithin(0, this.offset, this.window.length);
    this.store.set(fetched, restLength);
    this.window = this.store.subarray(0, need);
    this.windowAt = at;
    this.offset = 0;
  }

  private async header(): Promise<PageHeader> {
    for (let need = 1 << 16; ; need *= 4) {
      await this.have(need);
      const reader = {
        view: new DataView(this.window.buffer, this.window.byteOffset, this.window.length),
        offset: this.offset,
      };
      try {
        const header = parquetHeader(reader);
        if (reader.offset <= this.window.length) {
          this.offset = reader.offset;
          return header;
        }
      } catch (err) {
        if (this.windowAt + this.window.length >= this.end) throw err;
      }
      if (this.windowAt + this.window.length >= this.end)
        throw new Error('parquet page header runs past its column chunk');
    }
  }

  /** The next data page (reading a dictionary page on the way). */
  private async nextPage(): Promise<void> {
    for (;;) {
      if (this.windowAt + this.offset >= this.end) throw new Error('parquet column chunk ended before its row group');
      const header = await this.header();
      const size = header.compressed_page_size;
      await this.have(size);
      if (this.offset + size > this.window.length) throw new Error('parquet page runs past its column chunk');
      const compressed = this.window.subarray(this.offset, this.offset + size);
      if (header.type === 'DICTIONARY_PAGE') {
        this.offset += size;
        this.renderDictionary(dictionaryValues(header, compressed, this.decoder, this.scratch));
        continue;
      }
      this.offset += size;
      let rows: number;
      if (header.type === 'DATA_PAGE') rows = header.data_page_header!.num_values;
      else if (header.type === 'DATA_PAGE_V2') rows = header.data_page_header_v2!.num_rows;
      else continue; // index pages and others carry no rows
      if (this.skip >= rows) {
        this.skip -= rows;
        continue;
      }
      const page = dataPage(header, compressed, this.decoder, this.maxDef, this.scratch);
      this.indices = page.indices;
      if (page.indices && !this.dict) throw new Error('parquet dictionary page missing');
      if (!page.indices) this.encoder.page(page.values);
      this.defs = page.defs;
      this.pageRows = rows;
      this.row = 0;
      this.valueIndex = 0;
      if (this.skip > 0) {
        this.advance(this.skip);
        this.skip = 0;
      }
      return;
    }
  }

  private advance(n: number): void {
    const defs = this.defs;
    if (!defs) this.valueIndex += n;
    else for (let k = 0; k < n; k++) if (defs[this.row + k] === this.maxDef) this.valueIndex++;
    this.row += n;
  }

  private renderDictionary(values: PageValues): void {
    const out = new ByteOut(Math.max(1024, values.length * 12));
    const ends = new Int32Array(values.length);
    this.encoder.page(values);
    for (let i = 0; i < values.length; i++) {
      this.encoder.write(i, out);
      ends[i] = out.pos;
    }
    this.dict = { buf: out.buf, ends };
  }

  /** Renders the next `n` rows' values into `out`, row r ending at `ends[r]`. */
  async render(n: number, out: ByteOut, ends: Int32Array): Promise<void> {
    let r = 0;
    while (r < n) {
      if (this.row >= this.pageRows) {
        await this.nextPage();
        continue;
      }
      const k = Math.min(n - r, this.pageRows - this.row);
      if (this.indices) this.copyDictionary(k, out, ends, r);
      else this.encode(k, out, ends, r);
      r += k;
    }
  }

  private encode(k: number, out: ByteOut, ends: Int32Array, r0: number): void {
    const defs = this.defs;
    const enc = this.encoder;
    const maxDef = this.maxDef;
    let row = this.row;
    let vi = this.valueIndex;
    for (let r = r0; r < r0 + k; r++, row++) {
      if (defs && defs[row] !== maxDef) writeNull(out);
      else enc.write(vi++, out);
      ends[r] = out.pos;
    }
    this.row = row;
    this.valueIndex = vi;
  }

  private copyDictionary(k: number, out: ByteOut, ends: Int32Array, r0: number): void {
    const defs = this.defs;
    const maxDef = this.maxDef;
    const { buf: dict, ends: dictEnds } = this.dict!;
    const indices = this.indices!;
    let row = this.row;
    let vi = this.valueIndex;
    for (let r = r0; r < r0 + k; r++, row++) {
      if (defs && defs[row] !== maxDef) writeNull(out);
      else {
        const idx = indices[vi++];
        const s = idx > 0 ? dictEnds[idx - 1] : 0;
        const e = dictEnds[idx];
        if (e === undefined) throw new Error(`parquet dictionary index ${idx} out of range`);
        copyBytes(dict, s, e, out);
      }
      ends[r] = out.pos;
    }
    this.row = row;
    this.valueIndex = vi;
  }
}

function writeNull(out: ByteOut): void {
  out.room(4);
  const b = out.buf;
  const p = out.pos;
  b[p] = NULL_BYTES[0];
  b[p + 1] = NULL_BYTES[1];
  b[p + 2] = NULL_BYTES[2];
  b[p + 3] = NULL_BYTES[3];
  out.pos = p + 4;
}

function copyBytes(src: Uint8Array, s: number, e: number, out: ByteOut): void {
  const n = e - s;
  out.room(n);
  const b = out.buf;
  let p = out.pos;
  if (n > 32) {
    b.set(src.subarray(s, e), p);
    p += n;
  } else for (let k = s; k < e; k++) b[p++] = src[k];
  out.pos = p;
}

/** Rows of a row group of flat columns as JSON bytes, `rows` at a time (`next`). */
export class FlatRowGroupReader {
  private readonly columns: ColumnCursor[];
  private readonly outs: ByteOut[];
  private ends: Int32Array[];
  private readonly keys: Uint8Array[];
  /** The rows of the last `next`: row k is `out.buf[k ? rowEnds[k-1] : 0, rowEnds[k])`. */
  readonly out = new ByteOut(1 << 20);
  rowEnds = new Int32Array(0);

  constructor(file: ObjectSlices, metadata: FileMetaData, group: number, skipRows: number) {
    const root = parquetSchema(metadata);
    const rowGroup = metadata.row_groups[group];
    this.columns = root.children.map((node: SchemaTree, i: number) => {
      const chunk = rowGroup.columns[i];
      const meta = chunk.meta_data;
      if (!meta) throw new Error(`parquet column ${node.element.name} has no metadata`);
      const dictAt = meta.dictionary_page_offset;
      const start = dictAt !== undefined && dictAt > 0n ? Number(dictAt) : Number(meta.data_page_offset);
      const { converted_type: _c, logical_type: _l, ...raw } = node.element;
      const decoder: ColumnDecoder = {
        pathInSchema: meta.path_in_schema,
        type: meta.type,
        element: raw,
        schemaPath: [root, { ...node, element: raw }],
        codec: meta.codec,
        parsers: RAW_PARSERS as never,
        compressors,
        utf8: false,
      };
      const cursor = new ColumnCursor(
        file,
        start,
        Number(meta.total_compressed_size),
        decoder,
        encoderFor(node.element),
        node.element.repetition_type === 'REQUIRED' ? 0 : 1,
      );
      cursor.skip = skipRows;
      return cursor;
    });
    this.outs = this.columns.map(() => new ByteOut(64 * 1024));
    this.ends = this.columns.map(() => new Int32Array(0));
    this.keys = root.children.map((c, i) => Buffer.from(`${i > 0 ? ',' : '{'}${JSON.stringify(c.element.name)}:`));
  }

  /** The next `n` rows into `out` / `rowEnds` (the buffers are reused by the next call). */
  async next(n: number): Promise<void> {
    const cols = this.columns.length;
    if (this.rowEnds.length < n) {
      this.rowEnds = new Int32Array(n);
      this.ends = this.columns.map(() => new Int32Array(n));
    }
    let total = 0;
    for (let c = 0; c < cols; c++) {
      const o = this.outs[c];
      o.pos = 0;
      await this.columns[c].render(n, o, this.ends[c]);
      total += o.pos + this.keys[c].length * n;
    }
    const out = this.out;
    out.pos = 0;
    out.room(total + 2 * n);
    const b = out.buf;
    let p = 0;
    const rowEnds = this.rowEnds;
    if (cols === 0) {
      for (let r = 0; r < n; r++) {
        b[p++] = 123;
        b[p++] = 125;
        rowEnds[r] = p;
      }
      out.pos = p;
      return;
    }
    // Locals for the loop: every row copies each column's key and value bytes.
    const starts = new Int32Array(cols);
    const keys = this.keys;
    const srcs = this.outs.map((o) => o.buf);
    const colEnds = this.ends;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < cols; c++) {
        const key = keys[c];
        const kl = key.length;
        for (let k = 0; k < kl; k++) b[p + k] = key[k];
        p += kl;
        const src = srcs[c];
        const e = colEnds[c][r];
        let s = starts[c];
        starts[c] = e;
        if (e - s > 64) {
          src.copy(b, p, s, e);
          p += e - s;
        } else while (s < e) b[p++] = src[s++];
      }
      b[p++] = 125;
      rowEnds[r] = p;
    }
    out.pos = p;
  }
}
