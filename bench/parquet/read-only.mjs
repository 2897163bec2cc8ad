// Parquet reader alone (no Kafka): reads a local file through readParquet and the same per-row hand-over the file
// task does, and prints rows, output bytes, CPU seconds and peak RSS. The fast loop for profiling the reader:
//   npm run build && node [--cpu-prof] bench/parquet/read-only.mjs FILE [tasks-range: START:END]
// With DSC_PARQUET_DECODE_THREAD=on the rows are decoded on a worker thread (parquet-thread.ts), as a task does.
/* global process, console, Buffer, performance */
import { open } from 'node:fs/promises';
import { readParquet, readParquetFooter } from '../../dist/shared/file/readers/parquet-reader.js';
import { parquetDecodeThread, readParquetOnThread } from '../../dist/shared/file/readers/parquet-thread.js';

const [path, rangeArg] = process.argv.slice(2);
const handle = await open(path, 'r');
const size = (await handle.stat()).size;
const file = {
  byteLength: size,
  async slice(start, end = size) {
    const out = Buffer.allocUnsafeSlow(end - start);
    let at = 0;
    while (at < out.length) {
      const { bytesRead } = await handle.read(out, at, out.length - at, start + at);
      if (bytesRead === 0) throw new Error('short read');
      at += bytesRead;
    }
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
  },
};
const range = rangeArg ? { start: Number(rangeArg.split(':')[0]), end: Number(rangeArg.split(':')[1]) } : undefined;
const t0 = process.cpuUsage();
const w0 = performance.now();
const metadata = await readParquetFooter(file);
let rows = 0;
let bytes = 0;
let check = 0;
let peak = 0;
const options = {
  ...(range && { range }),
  fromRowGroup: 0,
  fromRow: 0,
  maxRowGroupBytes: 512 << 20,
  sliceRows: 10000,
};
const read = parquetDecodeThread(size) ? readParquetOnThread : readParquet;
for await (const ev of read(file, metadata, options)) {
  if (ev.kind === 'bad') throw new Error(ev.reason);
  let s = 0;
  for (let k = 0; k < ev.count; k++) {
    const e = ev.ends[k];
    bytes += e - s;
    check = (check + ev.buf[s + ((e - s) >> 1)]) | 0;
    s = e;
  }
  rows += ev.count;
  const rss = process.memoryUsage.rss();
  if (rss > peak) {
    peak = rss;
    if (process.env.BENCH_MEMORY) console.error(JSON.stringify(process.memoryUsage()));
  }
}
const cpu = process.cpuUsage(t0);
console.log(
  JSON.stringify({
    rows,
    bytes,
    check,
    wallS: +((performance.now() - w0) / 1000).toFixed(2),
    cpuS: +((cpu.user + cpu.system) / 1e6).toFixed(2),
    peakRssMB: Math.round(peak / 1048576),
  }),
);
