// Data and dictionary pages of a top-level primitive column, decoded into buffers the column reuses from page to page:
// definition levels and dictionary indices into Int32Arrays, booleans into a Uint8Array, byte arrays as offsets into
// the page (ByteArrays), fixed-width numbers as typed-array views of the page. hyparquet's own page functions allocate
// a JS array per page for each of these (large-object space, freed only by full GCs): a 1 GB file grew the heap by
// hundreds of MB that way. Encodings other than PLAIN, dictionary and RLE booleans go through hyparquet's functions.
import type { DecodedArray, PageHeader } from 'hyparquet';
import { convert } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { compressors } from 'hyparquet-compressors';

export type ColumnDecoder = Parameters<typeof readDataPageV2>[2];

/** BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY values: value i is `bytes[starts[i], starts[i] + lengths[i])`. */
export class ByteArrays {
  constructor(
    readonly bytes: Uint8Array,
    readonly starts: Int32Array,
    readonly lengths: Int32Array,
    readonly length: number,
  ) {}
  at(i: number): Uint8Array {
    return this.bytes.subarray(this.starts[i], this.starts[i] + this.lengths[i]);
  }
  /** From hyparquet's array of byte arrays (its fallback decoders). */
  static from(values: ArrayLike<unknown>): ByteArrays {
    const n = values.length;
    const starts = new Int32Array(n);
    const lengths = new Int32Array(n);
    let size = 0;
    for (let i = 0; i < n; i++) size += (values[i] as Uint8Array).length;
    const bytes = new Uint8Array(size);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i] as Uint8Array;
      bytes.set(v, at);
      starts[i] = at;
      lengths[i] = v.length;
      at += v.length;
    }
    return new ByteArrays(bytes, starts, lengths, n);
  }
}

export type PageValues = DecodedArray | ByteArrays;

export interface FlatPage {
  rows: number;
  /** Definition levels, or undefined when the page has no nulls. */
  defs: ArrayLike<number> | undefined;
  /** Dictionary indices of the non-null values (a dictionary-encoded page), else undefined. */
  indices: Int32Array | undefined;
  /** The non-null values (not a dictionary-encoded page). */
  values: PageValues;
}

/** The buffers one column reuses from page to page. */
export class PageScratch {
  private defs = new Int32Array(0);
  private indices = new Int32Array(0);
  private bools = new Uint8Array(0);
  private starts = new Int32Array(0);
  private lengths = new Int32Array(0);

  defsOf(n: number): Int32Array {
    if (this.defs.length < n) this.defs = new Int32Array(n + (n >> 2));
    return this.defs.subarray(0, n);
  }
  indicesOf(n: number): Int32Array {
    if (this.indices.length < n) this.indices = new Int32Array(n + (n >> 2));
    return this.indices.subarray(0, n);
  }
  boolsOf(n: number): Uint8Array {
    if (this.bools.length < n) this.bools = new Uint8Array(n + (n >> 2));
    return this.bools.subarray(0, n);
  }
  offsetsOf(n: number): [Int32Array, Int32Array] {
    if (this.starts.length < n) {
      this.starts = new Int32Array(n + (n >> 2));
      this.lengths = new Int32Array(n + (n >> 2));
    }
    return [this.starts, this.lengths];
  }
}

interface Reader {
  view: DataView;
  offset: number;
}

const readerOf = (bytes: Uint8Array): Reader => ({
  view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  offset: 0,
});

const isDictionary = (encoding: string): boolean => encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';

/** PLAIN values (a dictionary page's too); INT96 converted as hyparquet does (to nanoseconds, see RAW_PARSERS). */
function plainValues(reader: Reader, count: number, decoder: ColumnDecoder, scratch: PageScratch): PageValues {
  const { type } = decoder;
  if (type === 'BOOLEAN') {
    const out = scratch.boolsOf(count);
    const view = reader.view;
    for (let i = 0; i < count; i++) out[i] = (view.getUint8(reader.offset + (i >> 3)) >> (i & 7)) & 1;
    reader.offset += Math.ceil(count / 8);
    return out;
  }
  if (type === 'BYTE_ARRAY' || type === 'FIXED_LEN_BYTE_ARRAY') {
    const [starts, lengths] = scratch.offsetsOf(count);
    const view = reader.view;
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    let at = reader.offset;
    const fixed = type === 'FIXED_LEN_BYTE_ARRAY' ? (decoder.element.type_length ?? 0) : -1;
    for (let i = 0; i < count; i++) {
      const length = fixed >= 0 ? fixed : view.getUint32(at, true);
      if (fixed < 0) at += 4;
      if (at + length > bytes.length) throw new Error('parquet byte array runs past its page');
      starts[i] = at;
      lengths[i] = length;
      at += length;
    }
    reader.offset = at;
    return new ByteArrays(bytes, starts, lengths, count);
  }
  const values = readPlain(reader, type, count, decoder.element.type_length);
  return type === 'INT96' ? convert(values, decoder) : values;
}

/** A dictionary page's values. */
export function dictionaryValues(
  header: PageHeader,
  compressed: Uint8Array,
  decoder: ColumnDecoder,
  scratch: PageScratch,
): PageValues {
  const count = header.dictionary_page_header?.num_values ?? 0;
  const page = decompressPage(compressed, Number(header.uncompressed_page_size), decoder.codec, compressors);
  return plainValues(readerOf(page), count, decoder, scratch);
}

/** The definition levels' nulls: the levels, or undefined when none is below `maxDef`. */
function withNulls(defs: Int32Array, maxDef: number): { defs: Int32Array | undefined; nulls: number } {
  let nulls = 0;
  for (let i = 0; i < defs.length; i++) if (defs[i] !== maxDef) nulls++;
  return { defs: nulls ? defs : undefined, nulls };
}

function values(
  encoding: string,
  reader: Reader,
  count: number,
  decoder: ColumnDecoder,
  scratch: PageScratch,
): Pick<FlatPage, 'indices' | 'values'> {
  if (count === 0) return { indices: undefined, values: [] };
  if (isDictionary(encoding)) {
    const indices = scratch.indicesOf(count);
    const width = reader.view.getUint8(reader.offset++);
    if (width === 0) indices.fill(0);
    else readRleBitPackedHybrid(reader, width, indices, reader.view.byteLength - reader.offset);
    return { indices, values: [] };
  }
  if (encoding === 'RLE') {
    const bools = scratch.boolsOf(count);
    readRleBitPackedHybrid(reader, 1, bools);
    return { indices: undefined, values: bools };
  }
  return { indices: undefined, values: plainValues(reader, count, decoder, scratch) };
}

const handled = (encoding: string, type: string): boolean =>
  encoding === 'PLAIN' || isDictionary(encoding) || (encoding === 'RLE' && type === 'BOOLEAN');

/** A data page (v1 or v2) of a column whose maximum definition level is `maxDef` (0 or 1). */
export function dataPage(
  header: PageHeader,
  compressed: Uint8Array,
  decoder: ColumnDecoder,
  maxDef: number,
  scratch: PageScratch,
): FlatPage {
  const { codec, type } = decoder;
  if (header.type === 'DATA_PAGE') {
    const daph = header.data_page_header!;
    const page = decompressPage(compressed, Number(header.uncompressed_page_size), codec, compressors);
    const rows = daph.num_values;
    if (!handled(daph.encoding, type)) return fallback(rows, readDataPage(page, daph, decoder), decoder);
    const reader = readerOf(page);
    let defs: Int32Array | undefined;
    let nulls = 0;
    if (maxDef) {
      const levels = scratch.defsOf(rows);
      readRleBitPackedHybrid(reader, 1, levels);
      ({ defs, nulls } = withNulls(levels, maxDef));
    }
    return { rows, defs, ...values(daph.encoding, reader, rows - nulls, decoder, scratch) };
  }
  const d2 = header.data_page_header_v2!;
  const rows = d2.num_rows;
  if (!handled(d2.encoding, type)) return fallback(rows, readDataPageV2(compressed, header, decoder), decoder);
  const levels = readerOf(compressed);
  levels.offset = d2.repetition_levels_byte_length;
  let defs: Int32Array | undefined;
  let nulls = 0;
  if (maxDef) {
    const l = scratch.defsOf(d2.num_values);
    readRleBitPackedHybrid(levels, 1, l, d2.definition_levels_byte_length);
    ({ defs, nulls } = withNulls(l, maxDef));
  }
  const skip = d2.repetition_levels_byte_length + d2.definition_levels_byte_length;
  const size = Number(header.uncompressed_page_size) - skip;
  let page = compressed.subarray(skip);
  if (d2.is_compressed !== false && size) page = decompressPage(page, size, codec, compressors);
  return { rows, defs, ...values(d2.encoding, readerOf(page), d2.num_values - nulls, decoder, scratch) };
}

/** Other encodings (delta, byte-stream-split, …): hyparquet decodes the page. */
function fallback(
  rows: number,
  page: { definitionLevels: number[] | undefined; dataPage: DecodedArray },
  decoder: ColumnDecoder,
): FlatPage {
  const defs = page.definitionLevels?.length ? page.definitionLevels : undefined;
  const raw = convert(page.dataPage, decoder);
  const bytes = decoder.type === 'BYTE_ARRAY' || decoder.type === 'FIXED_LEN_BYTE_ARRAY';
  return { rows, defs, indices: undefined, values: bytes ? ByteArrays.from(raw) : raw };
}

// hyparquet's conversions turned off: INT96 (converted even without annotation) stays its nanoseconds since the epoch
// as a bigint, and the other parsers hand over what they are given; parquet-json.ts maps the raw values exactly.
export const RAW_PARSERS = {
  timestampFromNanoseconds: (nanos: bigint) => nanos,
  timestampFromMilliseconds: (v: bigint) => v,
  timestampFromMicroseconds: (v: bigint) => v,
  dateFromDays: (v: number) => v,
  jsonFromBytes: (b: Uint8Array) => b,
  geometryFromBytes: (b: Uint8Array) => b,
  geographyFromBytes: (b: Uint8Array) => b,
  uuidFromBytes: (b: Uint8Array) => b,
};
