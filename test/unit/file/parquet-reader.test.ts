// The Parquet reader against files written by pyarrow (test/fixtures/parquet/make-pyarrow.py, which also wrote the
// expected JSON of every row from the source values) and by hyparquet-writer: every type of the mapping, nulls,
// nested values, each codec, data pages v1 and v2, dictionary on and off, many row groups, and bad input.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DecodedArray } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ColumnSource, ParquetWriteOptions } from 'hyparquet-writer/src/types.js';

// hyparquet-writer's own copy of hyparquet's types (it pins an older hyparquet).
type SchemaElement = NonNullable<ParquetWriteOptions['schema']>[number];
import { describe, expect, it } from 'vitest';
import { LocalObjectStorage } from '../../../shared/storage/local-object-storage.js';
import { objectSlices, type ObjectSlices } from '../../../shared/storage/object-slice.js';
import {
  readParquet,
  readParquetFooter,
  rowGroupStart,
  rowTexts,
  type ParquetEvent,
  type ParquetReadOptions,
} from '../../../shared/file/readers/parquet-reader.js';

const DIR = join(import.meta.dirname, '../../fixtures/parquet/pyarrow');
const lines = (file: string): string[] => readFileSync(join(DIR, file), 'utf8').split('\n').filter(Boolean);

function fileSlices(path: string): ObjectSlices {
  const size = readFileSync(path).length;
  return objectSlices(new LocalObjectStorage(), pathToFileURL(path).href, size);
}

export function memorySlices(bytes: Uint8Array): ObjectSlices {
  return {
    byteLength: bytes.length,
    slice: async (start, end = bytes.length) => bytes.slice(start, end).buffer,
  };
}

const OPTIONS: ParquetReadOptions = { fromRowGroup: 0, fromRow: 0, maxRowGroupBytes: 1 << 28, sliceRows: 17 };

export async function readEvents(file: ObjectSlices, options: Partial<ParquetReadOptions> = {}) {
  const metadata = await readParquetFooter(file);
  const events: ParquetEvent[] = [];
  // A slice's buffers are reused by the next one: its rows are read as it comes.
  const rows: string[] = [];
  for await (const ev of readParquet(file, metadata, { ...OPTIONS, ...options })) {
    events.push(ev);
    if (ev.kind === 'rows') rows.push(...rowTexts(ev));
  }
  return { metadata, events, rows };
}

describe('Parquet files written by pyarrow', () => {
  const expected = lines('expected.jsonl');
  const files = readdirSync(DIR).filter(
    (f) => f.endsWith('.parquet') && !['int96.parquet', 'empty.parquet'].includes(f),
  );

  // flat-*.parquet: the primitive columns alone, read by the column path; the others have nested columns.
  it.each(files)('%s: every row is the expected JSON, byte for byte', async (name) => {
    const want = name.startsWith('flat-') ? lines('flat.expected.jsonl') : expected;
    const { rows } = await readEvents(fileSlices(join(DIR, name)));
    expect(rows.length).toBe(want.length);
    for (let i = 0; i < rows.length; i++) expect(rows[i], `row ${i}`).toBe(want[i]);
  });

  it('legacy INT96 timestamps: 9 digits and Z', async () => {
    const { rows } = await readEvents(fileSlices(join(DIR, 'int96.parquet')));
    expect(rows).toEqual(lines('int96.expected.jsonl'));
  });

  it('an empty file has no rows and no bad record', async () => {
    const { events, rows } = await readEvents(fileSlices(join(DIR, 'empty.parquet')));
    expect(rows).toEqual([]);
    expect(events.filter((e) => e.kind === 'bad')).toEqual([]);
  });

  it('byte ranges own the row groups starting in them: every row once, in order, whatever the cut', async () => {
    const path = join(DIR, 'snappy-v2-groups.parquet');
    const file = fileSlices(path);
    const { metadata } = await readEvents(file);
    expect(metadata.row_groups.length).toBeGreaterThan(10);
    for (const parts of [2, 3, 7]) {
      const got: string[] = [];
      for (let k = 0; k < parts; k++) {
        const range = {
          start: Math.floor((file.byteLength * k) / parts),
          end: Math.floor((file.byteLength * (k + 1)) / parts),
        };
        got.push(...(await readEvents(file, { range })).rows);
      }
      expect(got, `${parts} ranges`).toEqual(expected);
    }
    expect(rowGroupStart(metadata.row_groups[0])).toBe(4);
  });

  it('resumes at (row group, row)', async () => {
    const file = fileSlices(join(DIR, 'none-v1-groups-plain.parquet'));
    const { metadata } = await readEvents(file);
    const sizes = metadata.row_groups.map((g) => Number(g.num_rows));
    const before = sizes[0] + sizes[1] + sizes[2] + 5;
    const { rows, events } = await readEvents(file, { fromRowGroup: 3, fromRow: 5, sliceRows: 4 });
    expect(rows).toEqual(expected.slice(before));
    const first = events[0];
    expect(first.kind === 'rows' && [first.rowGroup, first.firstRow, first.fileRow]).toEqual([3, 5, before]);
  });

  it('a row group above the size limit is one bad event naming the key; the rest is read', async () => {
    const file = fileSlices(join(DIR, 'snappy-v1-dict.parquet'));
    const { events } = await readEvents(file, { maxRowGroupBytes: 1000 });
    expect(events).toHaveLength(1);
    expect(events[0].kind).toBe('bad');
    expect(events[0].kind === 'bad' && events[0].reason).toMatch(
      /row group 0 is \d+ bytes uncompressed \(it has nested columns, decoded whole\), more than file\.reader\.parquet\.max\.row\.group\.bytes \(1000\)/,
    );
  });
});

// hyparquet-writer's files: the same mapping, worked out here from the source values with Date and BigInt arithmetic.
const ROWS = 1000;
const pad = (n: number | bigint, w: number) => String(n).padStart(w, '0');
function isoOf(units: bigint, perMilli: bigint, digits: number, utc: boolean): string {
  const ms = units / perMilli - (units % perMilli < 0n ? 1n : 0n);
  const frac = units - ms * perMilli;
  const text = new Date(Number(ms)).toISOString().slice(0, -1); // ...SS.mmm
  return `"${text}${digits > 3 ? pad(frac, digits - 3) : ''}${utc ? 'Z' : ''}"`;
}

function writerColumns(): { columns: ColumnSource[]; schema: SchemaElement[]; expected: string[] } {
  const id: bigint[] = [];
  const amount: (bigint | null)[] = [];
  const day: (number | null)[] = [];
  const at: (bigint | null)[] = [];
  const atNs: (bigint | null)[] = [];
  const name: (string | null)[] = [];
  const blob: (Uint8Array | null)[] = [];
  const score: (number | null)[] = [];
  const ratio: (number | null)[] = [];
  const ok: (boolean | null)[] = [];
  const expected: string[] = [];
  const specials = [NaN, Infinity, -Infinity, 0.1, 1e21, -3.5];
  for (let i = 0; i < ROWS; i++) {
    const nul = i % 7 === 3;
    id.push((1n << 62n) + BigInt(i));
    amount.push(nul ? null : BigInt(i * 1001 - 500_000));
    day.push(nul ? null : i * 37 - 10_000);
    at.push(nul ? null : BigInt(i) * 123_456_789_012n - 5_000_000n);
    atNs.push(i % 5 === 0 ? null : (BigInt(i) * 1_700_000_000_123_456_789n) / 1000n);
    name.push(nul ? null : `name ${i} "q" ✓`);
    blob.push(i % 4 === 0 ? null : Uint8Array.from([i & 255, 0, 255, (i * 7) & 255]));
    score.push(nul ? null : i < specials.length ? specials[i] : i / 8);
    ratio.push(i % 3 === 0 ? null : Math.fround(i / 4));
    ok.push(nul ? null : i % 2 === 0);
  }
  const dec = (v: bigint) => {
    const s = (v < 0n ? -v : v).toString().padStart(3, '0');
    return `${v < 0n ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
  };
  const dbl = (v: number) =>
    Number.isNaN(v) ? '"NaN"' : Number.isFinite(v) ? String(v) : v > 0 ? '"Infinity"' : '"-Infinity"';
  for (let i = 0; i < ROWS; i++) {
    const q = (x: string | null) => (x === null ? 'null' : x);
    expected.push(
      '{' +
        [
          `"id":${id[i]}`,
          `"amount":${q(amount[i] === null ? null : dec(amount[i]!))}`,
          `"day":${q(day[i] === null ? null : `"${new Date(day[i]! * 86_400_000).toISOString().slice(0, 10)}"`)}`,
          `"at":${q(at[i] === null ? null : isoOf(at[i]!, 1000n, 6, true))}`,
          `"at_ns":${q(atNs[i] === null ? null : isoOf(atNs[i]!, 1_000_000n, 9, false))}`,
          `"name":${q(name[i] === null ? null : JSON.stringify(name[i]))}`,
          `"blob":${q(blob[i] === null ? null : `"${Buffer.from(blob[i]!).toString('base64')}"`)}`,
          `"score":${q(score[i] === null ? null : dbl(score[i]!))}`,
          `"ratio":${q(ratio[i] === null ? null : String(ratio[i]))}`,
          `"ok":${q(ok[i] === null ? null : String(ok[i]))}`,
        ].join(',') +
        '}',
    );
  }
  const opt = 'OPTIONAL' as const;
  const schema: SchemaElement[] = [
    { name: 'root', num_children: 10 },
    { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
    { name: 'amount', type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18, repetition_type: opt },
    { name: 'day', type: 'INT32', converted_type: 'DATE', repetition_type: opt },
    { name: 'at', type: 'INT64', converted_type: 'TIMESTAMP_MICROS', repetition_type: opt },
    {
      name: 'at_ns',
      type: 'INT64',
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' },
      repetition_type: opt,
    },
    { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: opt },
    { name: 'blob', type: 'BYTE_ARRAY', repetition_type: opt },
    { name: 'score', type: 'DOUBLE', repetition_type: opt },
    { name: 'ratio', type: 'FLOAT', repetition_type: opt },
    { name: 'ok', type: 'BOOLEAN', repetition_type: opt },
  ];
  const data = { id, amount, day, at, at_ns: atNs, name, blob, score, ratio, ok } as Record<string, DecodedArray>;
  const columns = schema.slice(1).map((e) => ({ name: e.name, data: data[e.name] }));
  return { columns, schema, expected };
}

describe('Parquet files written by hyparquet-writer', () => {
  const { columns, schema, expected } = writerColumns();
  const cases: [string, Partial<ParquetWriteOptions>][] = [
    ['snappy, one row group', { codec: 'SNAPPY' }],
    ['uncompressed, 10 row groups, small pages', { codec: 'UNCOMPRESSED', rowGroupSize: 100, pageSize: 512 }],
    ['snappy, plain encoding (no dictionary)', { codec: 'SNAPPY', rowGroupSize: 333 }],
  ];
  it.each(cases)('%s: every row is the expected JSON, byte for byte', async (label, options) => {
    const cols = label.includes('plain') ? columns.map((c) => ({ ...c, encoding: 'PLAIN' as const })) : columns;
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: cols, schema, ...options }));
    // 90 rows at a time: slices start and end inside pages.
    const { rows, metadata } = await readEvents(memorySlices(bytes), { sliceRows: 90 });
    if (options.rowGroupSize)
      expect(metadata.row_groups.length).toBe(Math.ceil(ROWS / (options.rowGroupSize as number)));
    expect(rows.length).toBe(ROWS);
    for (let i = 0; i < ROWS; i++) expect(rows[i], `row ${i}`).toBe(expected[i]);
  });

  it('bad input: bad magic and a truncated file fail at the footer with a reason', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: columns, schema }));
    const badMagic = bytes.slice();
    badMagic.set([0x58, 0x58, 0x58, 0x58], bytes.length - 4);
    await expect(readParquetFooter(memorySlices(badMagic))).rejects.toThrow(/parquet/i);
    await expect(readParquetFooter(memorySlices(bytes.slice(0, bytes.length - 100)))).rejects.toThrow();
    await expect(readParquetFooter(memorySlices(new Uint8Array(0)))).rejects.toThrow();
  });

  it('bad input: a corrupt column chunk is a bad event for its row group, and the next row groups are read', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: columns, schema, rowGroupSize: 250 }));
    const metadata = await readParquetFooter(memorySlices(bytes));
    const g1 = metadata.row_groups[1];
    const start = rowGroupStart(g1);
    const corrupt = bytes.slice();
    for (let i = start; i < start + 64; i++) corrupt[i] = 0xff; // the page header of the first column chunk
    const { events, rows } = await readEvents(memorySlices(corrupt));
    const bad = events.filter((e) => e.kind === 'bad');
    expect(bad).toHaveLength(1);
    expect(bad[0].kind === 'bad' && bad[0].rowGroup).toBe(1);
    expect(rows).toEqual([...expected.slice(0, 250), ...expected.slice(500)]);
  });

  it('flat columns: the limit is on the stored bytes', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: columns, schema, rowGroupSize: 500 }));
    const { events } = await readEvents(memorySlices(bytes), { maxRowGroupBytes: 100 });
    expect(events.map((e) => e.kind === 'bad' && e.reason)).toEqual([
      expect.stringMatching(
        /^row group 0 is \d+ bytes stored, more than file\.reader\.parquet\.max\.row\.group\.bytes \(100\)$/,
      ),
      expect.stringMatching(/^row group 1 is \d+ bytes stored/),
    ]);
  });

  it('an unsupported codec is a bad event naming it', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: columns, schema, rowGroupSize: 500 }));
    const file = memorySlices(bytes);
    const metadata = await readParquetFooter(file);
    for (const c of metadata.row_groups[0].columns) c.meta_data!.codec = 'LZO';
    const events: ParquetEvent[] = [];
    const rows: string[] = [];
    for await (const ev of readParquet(file, metadata, OPTIONS)) {
      events.push(ev);
      if (ev.kind === 'rows') rows.push(...rowTexts(ev));
    }
    const bad = events.filter((e) => e.kind === 'bad');
    expect(bad).toHaveLength(1);
    expect(bad[0].kind === 'bad' && bad[0].reason).toMatch(/LZO/);
    expect(rows).toEqual(expected.slice(500));
  });
});
