// Avro → JSON conversion alone (no Kafka), as the mirror task runs it: source record batches of 500 Confluent
// wire-format Orders (bench/mirror/orders.mjs) through convertBatch into converted batches, schema cached, on
//   text      the general lane with avro-json.ts's text reader (decode to a JS string, Buffer.from, encodeBatch):
//             the converting path before the compiled writer;
//   compiled  the fast lane: the compiled writer writes JSON bytes straight into the new batch.
// It also checks the two produce the same batches record for record. With THREADS (a list, e.g. "1,2,4"), it then
// runs the compiled lane on that many worker threads at once, each over its own batches, and prints the combined
// rate: what converting on several cores gives on this machine. Prints; asserts nothing.
// Run: node_modules/.bin/tsc --strict --module NodeNext --moduleResolution NodeNext --target ES2023 --skipLibCheck \
//        --esModuleInterop --types node --outDir node_modules/.cache/dsc-bench --rootDir . bench/mirror-avro-bench.ts \
//      && node_modules/.bin/node node_modules/.cache/dsc-bench/bench/mirror-avro-bench.js [records] [lanes] [threads]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import avro from 'avsc';
import type { MirrorConnectorSpec } from '../shared/config/spec.js';
import { readBatchHeader } from '../shared/kafka/batch/batch-layout.js';
import { encodeBatch, stampBatch, type OutgoingRecord } from '../shared/kafka/batch/forwarded-batch.js';
import { AvroJsonReader } from '../shared/mirror/converters/avro-json.js';
import { AvroRegistryConverter } from '../shared/mirror/converters/avro-registry-converter.js';
import type { Converter } from '../shared/mirror/converters/converter.js';
import type { SchemaRegistryClient } from '../shared/mirror/converters/schema-registry-client.js';
import { convertBatch, type ConversionContext } from '../shared/mirror/record-conversion.js';

// Run from the repository root (as mirror-load.sh does): the compiled bench lives elsewhere, the records do not.
const { orderSchema: schema, order } = (await import(pathToFileURL(resolve('bench/mirror/orders.mjs')).href)) as {
  orderSchema: object;
  order: (i: number) => Record<string, unknown>;
};
const n = Number(process.argv[2] ?? 1_000_000);
const lanes = (process.argv[3] ?? 'text,compiled').split(',');
const PER_BATCH = 500;
const type = avro.Type.forSchema(schema as any);
const registry = { schemaById: async () => JSON.stringify(schema) } as unknown as SchemaRegistryClient;

/** Today's text reader behind the Converter port, without a fast lane. */
const reader = new AvroJsonReader(JSON.stringify(schema));
const text: Converter = {
  convert: async (value) => [Buffer.from(reader.readAll(value!, 5))],
};
const compiled = new AvroRegistryConverter({ kind: 'avro-registry', className: 'bench' }, registry);
await compiled.convert(Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), type.toBuffer(order(0))])); // schema cached

// 20 distinct source batches, with a key and a header per record as a producer would send them.
const batches = Array.from({ length: 20 }, (_, b) => {
  const records: OutgoingRecord[] = Array.from({ length: PER_BATCH }, (_, j) => {
    const i = b * PER_BATCH + j;
    return {
      timestamp: 1_700_000_000_000 + i,
      key: Buffer.from(`order-${i}`),
      value: Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), type.toBuffer(order(i))]),
      headers: [[Buffer.from('trace'), Buffer.from(`t-${i}`)]],
    };
  });
  const bytes = encodeBatch(records);
  return { header: readBatchHeader(bytes), bytes };
});
const inBytes = batches.reduce((a, b) => a + b.bytes.length, 0) / (batches.length * PER_BATCH);

const spec = { errors: { tolerance: 'none' } } as unknown as MirrorConnectorSpec;
const context = (converter: Converter): ConversionContext => ({
  spec,
  connector: 'bench',
  taskId: 0,
  converter,
  convert: (v) => converter.convert(v),
});

/** The compiled lane over `records` records, quietly (a worker thread's share). */
async function convertQuietly(records: number): Promise<number> {
  const ctx = context(compiled);
  const cpu0 = process.cpuUsage();
  for (let r = 0; r < Math.round(records / PER_BATCH); r++)
    await convertBatch(ctx, 'bench', 0, batches[r % batches.length], 0n);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / 1e6;
}

if (!isMainThread) {
  const port = parentPort!;
  port.once('message', async () => port.postMessage(await convertQuietly(workerData.records)));
  port.postMessage('ready');
}

async function threads(count: number): Promise<void> {
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL(import.meta.url), { workerData: { records: Math.round(n / count) } }),
  );
  await Promise.all(workers.map((w) => new Promise((ok) => w.once('message', ok))));
  const start = process.hrtime.bigint();
  const cpus = await Promise.all(
    workers.map((w) => {
      const done = new Promise<number>((ok) => w.once('message', ok));
      w.postMessage('go');
      return done;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await Promise.all(workers.map((w) => w.terminate()));
  const records = Math.round(n / count / PER_BATCH) * PER_BATCH * count;
  console.log(
    `avro→json compiled on ${count} worker thread(s): ${records} records in ${seconds.toFixed(2)} s = ` +
      `${Math.round(records / seconds)} records/s; CPU ${cpus.reduce((a, b) => a + b, 0).toFixed(2)} s`,
  );
}

async function run(name: string, converter: Converter): Promise<Buffer[]> {
  const ctx = context(converter);
  const firstBatches: Buffer[] = [];
  let outBytes = 0;
  const rounds = Math.max(1, Math.round(n / PER_BATCH));
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    const out = await convertBatch(ctx, 'bench', 0, batches[r % batches.length], 0n);
    outBytes += out.bytes!.length;
    if (r < batches.length) firstBatches.push(out.bytes!);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const records = rounds * PER_BATCH;
  console.log(
    `avro→json ${name.padEnd(8)}: ${records} records (~${inBytes.toFixed(0)} B per record in the source batch) in ` +
      `${seconds.toFixed(2)} s = ${Math.round(records / seconds)} records/s, ` +
      `${((records * inBytes) / seconds / 1e6).toFixed(1)} MB/s in, ${(outBytes / seconds / 1e6).toFixed(1)} MB/s out ` +
      `(${(outBytes / records).toFixed(0)} B per record); CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`,
  );
  return firstBatches;
}

const results = new Map<string, Buffer[]>();
if (isMainThread) await main();

async function main(): Promise<void> {
  for (const lane of lanes) results.set(lane, await run(lane, lane === 'text' ? text : compiled));
  if (results.has('text') && results.has('compiled')) {
    const a = results.get('text')!;
    const b = results.get('compiled')!;
    // Both as the producer sends them: stamped (producer fields and CRC; the compiled lane leaves the CRC to that).
    const sent = (x: Buffer) => {
      const c = Buffer.from(x);
      stampBatch(c, 1n, 0, 0);
      return c;
    };
    const same = a.length === b.length && a.every((x, i) => sent(x).equals(sent(b[i])));
    console.log(`batches of the two lanes, stamped for sending: ${same ? 'byte for byte the same' : 'DIFFERENT'}`);
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  for (const t of (process.argv[4] ?? '').split(',').filter(Boolean)) await threads(Number(t));
}
