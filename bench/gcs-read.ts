// GCS read throughput against fake-gcs-server: GcsObjectStorage.read (one ranged media GET over node:http) beside
// @google-cloud/storage's createReadStream (teeny-request + node-fetch streams), same object, same process. Prints
// MB/s, the MaxListenersExceededWarnings each path caused, and checks both delivered the object's exact bytes.
// Run: flock /tmp/dsc-bench.lock npx vite-node bench/gcs-read.ts   (STORAGE_EMULATOR_HOST from services.env)
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Storage } from '@google-cloud/storage';
import { GcsObjectStorage } from '../shared/storage/gcs-object-storage.js';

const MB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MB ?? 200) * MB;
const endpoint = process.env.STORAGE_EMULATOR_HOST ?? 'http://127.0.0.1:4443';

const warnings = { count: 0 };
process.on('warning', (w) => {
  if (w.name === 'MaxListenersExceededWarning') warnings.count++;
});

async function timed(name: string, open: () => Readable, expected: string): Promise<void> {
  const before = warnings.count;
  const started = performance.now();
  const md5 = createHash('md5');
  let bytes = 0;
  for await (const chunk of open()) {
    bytes += (chunk as Buffer).length;
    md5.update(chunk as Buffer);
  }
  await new Promise((r) => setImmediate(r));
  const seconds = (performance.now() - started) / 1000;
  const intact = bytes === SIZE && md5.digest('base64') === expected;
  console.log(
    `${name.padEnd(34)} ${(bytes / MB / seconds).toFixed(1).padStart(7)} MB/s  ${seconds.toFixed(2)} s  ` +
      `warnings ${warnings.count - before}  ${intact ? 'intact' : 'BYTES DIFFER'}`,
  );
  if (!intact) process.exitCode = 1;
}

const storage = new Storage({ apiEndpoint: endpoint, projectId: 'bench' });
storage.baseUrl = `${endpoint.replace(/\/+$/, '')}/storage/v1`;
const bucket = `bench-gcs-read-${Date.now()}`;
await storage.createBucket(bucket);
const data = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i += 64)
  data.write(`${String(i).padStart(12, '0')},payload-payload-payload-payload-abcdefghijk\n`, i);
const expected = createHash('md5').update(data).digest('base64');
await storage.bucket(bucket).file('big.csv').save(data, { resumable: false });
const dsc = new GcsObjectStorage({ apiEndpoint: endpoint });
console.log(`object: ${SIZE / MB} MB on ${endpoint}`);
for (let round = 1; round <= 2; round++) {
  await timed(
    `@google-cloud/storage createReadStream`,
    () => storage.bucket(bucket).file('big.csv').createReadStream({ decompress: false }),
    expected,
  );
  await timed(`dsc GcsObjectStorage.read`, () => dsc.read(`gs://${bucket}/big.csv`), expected);
}
await storage.bucket(bucket).deleteFiles({ force: true });
await storage.bucket(bucket).delete();
