// Avro → JSON conversion rate alone (no Kafka): Confluent wire-format records of ~200 bytes through the registry
// converter with a pre-seeded schema cache. Prints; asserts nothing.
// Run: node_modules/.bin/tsc --strict --module NodeNext --moduleResolution NodeNext --target ES2023 --skipLibCheck \
//        --esModuleInterop --types node --outDir node_modules/.cache/dsc-bench --rootDir . bench/mirror-avro-bench.ts \
//      && node_modules/.bin/node node_modules/.cache/dsc-bench/bench/mirror-avro-bench.js [records]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import avro from 'avsc';
import { AvroRegistryConverter } from '../shared/mirror/converters/avro-registry-converter.js';
import type { SchemaRegistryClient } from '../shared/mirror/converters/schema-registry-client.js';

// Run from the repository root (as mirror-load.sh does): the compiled bench lives elsewhere, the records do not.
const { orderSchema: schema, order } = (await import(pathToFileURL(resolve('bench/mirror/orders.mjs')).href)) as {
  orderSchema: object;
  order: (i: number) => Record<string, unknown>;
};
const n = Number(process.argv[2] ?? 1_000_000);
const type = avro.Type.forSchema(schema as any);
const registry = { schemaById: async () => JSON.stringify(schema) } as unknown as SchemaRegistryClient;
const converter = new AvroRegistryConverter({ kind: 'avro-registry', className: 'bench' }, registry);
const records = Array.from({ length: 1000 }, (_, i) => {
  const body = type.toBuffer(order(i));
  return Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), body]);
});
const inBytes = records.reduce((a, r) => a + r.length, 0) / records.length;
let outBytes = 0;
const start = process.hrtime.bigint();
for (let i = 0; i < n; i++) outBytes += (await converter.convert(records[i % records.length]))[0]!.length;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(
  `avro→json: ${n} records of ~${inBytes.toFixed(0)} B in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)} records/s, ` +
    `${((n * inBytes) / seconds / 1e6).toFixed(1)} MB/s in, ${(outBytes / seconds / 1e6).toFixed(1)} MB/s JSON out; ` +
    `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
