// Parquet decoded on a worker thread (parquet-thread.ts + parquet-thread-worker.ts) as the compiled CLI runs it (a
// worker script must exist as JavaScript): for every pyarrow fixture, a resume inside a row group, byte ranges, a
// corrupt column chunk, an unsupported codec and failing ranged reads, the thread's events are exactly those the
// task's own thread yields (same rows, positions and bad-record reasons), and a task that stops early stops the thread.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as ReaderModule from '../../shared/file/readers/parquet-reader.js';
import type * as ThreadModule from '../../shared/file/readers/parquet-thread.js';
import type { ParquetEvent, ParquetReadOptions } from '../../shared/file/readers/parquet-reader.js';
import type { ObjectSlices } from '../../shared/storage/object-slice.js';
import { BUILD, buildCli } from './dsc-child.js';

const DIR = join(import.meta.dirname, '../fixtures/parquet/pyarrow');
const OPTIONS: ParquetReadOptions = { fromRowGroup: 0, fromRow: 0, maxRowGroupBytes: 1 << 28, sliceRows: 17 };

const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(BUILD, path)).href)) as T;

/** Every slice a fresh ArrayBuffer, as objectSlices' are (the thread takes them over). */
function memorySlices(bytes: Uint8Array, failAt?: number): ObjectSlices {
  return {
    byteLength: bytes.length,
    slice: async (start, end = bytes.length) => {
      // The footer's read (from byte 0 of a small file) succeeds; a column chunk's read holding `failAt` fails.
      if (failAt !== undefined && start > 0 && start <= failAt && failAt < end)
        throw new Error(`storage refused bytes ${start}-${end}`);
      return Uint8Array.prototype.slice.call(bytes, start, end).buffer; // a copy, also of a Buffer
    },
  };
}

/** Events as plain values, each rows event with its rows as strings (the buffers are reused by the next event). */
type Seen = Omit<Extract<ParquetEvent, { kind: 'rows' }>, 'buf' | 'ends'> & { rows: string[] };

describe('Parquet decoded on a worker thread', () => {
  let reader: typeof ReaderModule;
  let thread: typeof ThreadModule;
  beforeAll(async () => {
    await buildCli();
    reader = await load<typeof ReaderModule>('shared/file/readers/parquet-reader.js');
    thread = await load<typeof ThreadModule>('shared/file/readers/parquet-thread.js');
  }, 300_000);

  async function seen(events: AsyncGenerator<ParquetEvent>): Promise<(Seen | ParquetEvent)[]> {
    const out: (Seen | ParquetEvent)[] = [];
    for await (const ev of events) {
      if (ev.kind === 'bad') out.push({ ...ev });
      else {
        const { buf: _b, ends: _e, ...rest } = ev;
        out.push({ ...rest, rows: reader.rowTexts(ev) });
      }
    }
    return out;
  }

  /** What the thread yields, next to what the task's own thread yields. */
  async function both(file: ObjectSlices, options: Partial<ParquetReadOptions> = {}, edit?: (m: any) => void) {
    const metadata = await reader.readParquetFooter(file);
    edit?.(metadata);
    const o = { ...OPTIONS, ...options };
    const own = await seen(reader.readParquet(file, metadata, o));
    const threaded = await seen(thread.readParquetOnThread(file, metadata, o));
    return { own, threaded };
  }

  it('every pyarrow fixture (nested, flat, each codec, INT96, empty): the same events', async () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.parquet'));
    expect(files.length).toBeGreaterThan(15);
    for (const name of files) {
      const { own, threaded } = await both(memorySlices(new Uint8Array(readFileSync(join(DIR, name)))));
      expect(threaded, name).toEqual(own);
    }
  }, 120_000);

  it('resume inside a row group, byte ranges and small slices: the same events', async () => {
    for (const name of ['none-v1-groups-plain.parquet', 'flat-snappy-v2-groups.parquet']) {
      const bytes = new Uint8Array(readFileSync(join(DIR, name)));
      const file = memorySlices(bytes);
      const resumed = await both(file, { fromRowGroup: 3, fromRow: 5, sliceRows: 4 });
      expect(resumed.own.length).toBeGreaterThan(5);
      expect(resumed.threaded, name).toEqual(resumed.own);
      const range = { start: Math.floor(bytes.length / 3), end: Math.floor((bytes.length * 2) / 3) };
      const ranged = await both(file, { range, sliceRows: 1 });
      expect(ranged.threaded, name).toEqual(ranged.own);
    }
  }, 120_000);

  const rows = 1000;
  const columns = [
    { name: 'id', data: Array.from({ length: rows }, (_, i) => BigInt(i)), type: 'INT64' as const, nullable: false },
    { name: 's', data: Array.from({ length: rows }, (_, i) => (i % 7 ? `v${i}` : null)), type: 'STRING' as const },
  ];
  const written = () => new Uint8Array(parquetWriteBuffer({ columnData: columns, rowGroupSize: 250 }));

  it('bad input: a corrupt column chunk, an unsupported codec and a failing read are the same bad events', async () => {
    const bytes = written();
    const metadata = await reader.readParquetFooter(memorySlices(bytes));
    const start = reader.rowGroupStart(metadata.row_groups[1]);
    const corrupt = bytes.slice();
    for (let i = start; i < start + 64; i++) corrupt[i] = 0xff;
    const cases = [
      await both(memorySlices(corrupt)),
      await both(memorySlices(bytes), {}, (m) => {
        for (const c of m.row_groups[2].columns) c.meta_data.codec = 'LZO';
      }),
      await both(memorySlices(bytes, reader.rowGroupStart(metadata.row_groups[3]) + 10)),
    ];
    for (const [k, { own, threaded }] of cases.entries()) {
      const bad = threaded.filter((e) => e.kind === 'bad');
      expect(bad, `case ${k}`).toHaveLength(1);
      expect(threaded, `case ${k}`).toEqual(own);
    }
    expect(cases[1].threaded.find((e) => e.kind === 'bad')).toMatchObject({ rowGroup: 2, reason: /LZO/ });
    expect(cases[2].threaded.find((e) => e.kind === 'bad')).toMatchObject({ rowGroup: 3, reason: /storage refused/ });
  }, 120_000);

  it('a task that stops after its first slice stops the thread; a new read starts over', async () => {
    const file = memorySlices(written());
    const metadata = await reader.readParquetFooter(file);
    const events = thread.readParquetOnThread(file, metadata, { ...OPTIONS, sliceRows: 10 });
    const first = await events.next();
    expect(first.value).toMatchObject({ kind: 'rows', rowGroup: 0, firstRow: 0, count: 10 });
    await events.return(undefined);
    const again = await seen(thread.readParquetOnThread(file, metadata, OPTIONS));
    expect(again.flatMap((e) => ('rows' in e ? e.rows : [])).length).toBe(rows);
  });

  it('DSC_PARQUET_DECODE_THREAD: on, off, auto (more than one core and 16 MiB to read)', () => {
    expect(thread.parquetDecodeThread(1, 'on', 1)).toBe(true);
    expect(thread.parquetDecodeThread(1 << 30, 'off', 8)).toBe(false);
    expect(thread.parquetDecodeThread(1 << 30, undefined, 2)).toBe(true);
    expect(thread.parquetDecodeThread(1 << 30, 'auto', 1)).toBe(false);
    expect(thread.parquetDecodeThread(1 << 20, undefined, 2)).toBe(false);
    expect(() => thread.parquetDecodeThread(1, 'yes', 2)).toThrow(/DSC_PARQUET_DECODE_THREAD=yes/);
  });
});
