// Reader throughput on 1 M generated lines of ~55 bytes, in memory (no I/O): the figures the design notes compare.
// Run: npx vite-node bench/readers.ts
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { FileReaderSpec } from '../shared/config/spec.js';
import { readRecordBatches, readRecords } from '../shared/file/readers/read-records.js';
import { readerSpec } from '../test/unit/file/reader-fixtures.js';

const LINES = 1_000_000;
// The seed's reader defaults, as the reader tests use them.
const spec: FileReaderSpec = readerSpec();

function makeData(json: boolean): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const id = String(i).padStart(8, '0');
    lines.push(
      json
        ? `{"id":"${id}","name":"user-${id}","n":${i % 977}}`
        : `${id},user-${id},${i % 977},,alpha-beta-gamma-delta,xyz`,
    );
  }
  return Buffer.from(lines.join('\n') + '\n');
}

function chunks(data: Buffer): Readable {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 65536) out.push(data.subarray(i, i + 65536));
  return Readable.from(out, { objectMode: false });
}

async function measure(label: string, data: Buffer, run: (input: Readable) => Promise<number>): Promise<void> {
  await run(chunks(data.subarray(0, 1_000_000))); // warm-up
  const t0 = process.hrtime.bigint();
  const n = await run(chunks(data));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const mlps = (n / s / 1e6).toFixed(2);
  const mbps = (data.length / s / 1e6).toFixed(0);
  console.log(`${label.padEnd(48)} ${n} records  ${s.toFixed(3)} s  ${mlps} M lines/s  ${mbps} MB/s`);
}

const countRecords =
  (spec: FileReaderSpec, format: 'delimited' | 'jsonl' = 'delimited') =>
  async (input: Readable) => {
    let n = 0;
    for await (const r of readRecords(input, { format, reader: spec, skipHeader: false })) if (r.kind === 'record') n++;
    return n;
  };
const countBatches = (spec: FileReaderSpec) => async (input: Readable) => {
  let n = 0;
  for await (const batch of readRecordBatches(input, { format: 'delimited', reader: spec, skipHeader: false }))
    n += batch.length;
  return n;
};

const csv = makeData(false);
const json = makeData(true);
console.log(`data: ${LINES} lines, ${(csv.length / LINES).toFixed(1)} bytes/line (csv), node ${process.version}`);
await measure('splitter only (indexOf, no decode)', csv, async (input) => {
  let n = 0;
  for await (const c of input)
    for (let i = (c as Buffer).indexOf(10); i >= 0; i = (c as Buffer).indexOf(10, i + 1)) n++;
  return n;
});
await measure('fast path (quote empty), readRecords', csv, countRecords(spec));
await measure('fast path (quote empty), readRecordBatches', csv, countBatches(spec));
await measure('fast path + value.default fill', csv, countRecords({ ...spec, valueDefault: 'NULL' }));
await measure('quoted path (quote ") on quote-free data', csv, countRecords({ ...spec, quote: '"' }));
const quoted = Buffer.from(csv.toString().replace(/user-(\d+)/g, '"user,$1"'));
await measure('quoted path, every record quoted', quoted, countRecords({ ...spec, quote: '"' }));
await measure('csv-parse streaming alone (reference)', csv, async (input) => {
  let n = 0;
  for await (const _ of input.pipe(parse({ relax_column_count: true }))) n++;
  return n;
});
await measure('jsonl (JSON.parse per line)', json, countRecords(spec, 'jsonl'));
