/* global process, console, Buffer, fetch */
// Fills a source topic with Avro Orders (bench/mirror/orders.mjs), the input of the end-to-end Avro → JSON runs:
//   registry  the Confluent wire format (magic 0, schema id, Avro binary), the schema registered in the registry
//             under `<topic>-value`;
//   embedded  single-object encoding (C3 01, the schema's CRC-64-AVRO fingerprint, Avro binary): the readers take the
//             schema from their configuration (value.converter.schema = SCHEMA_FILE, written here).
// Each record has a key (`order-<i>`) and a header (`trace`), records i go to partition i % PARTITIONS.
//   node bench/mirror/avro-source.mjs BROKERS TOPIC PARTITIONS RECORDS (REGISTRY_URL | embedded SCHEMA_FILE)
// Prints `records=<n> bytes=<average value bytes>`.
import { writeFileSync } from 'node:fs';
import avro from 'avsc';
import { fingerprint64 } from '../../dist/shared/mirror/converters/avro-framing.js';
import { Kafka, logLevel } from 'kafkajs';
import { order, orderSchema as schema } from './orders.mjs';

const [brokers, topic, partitions, count, registry, schemaFile] = process.argv.slice(2);
if (!registry || (registry === 'embedded' && !schemaFile)) {
  console.error('usage: avro-source.mjs BROKERS TOPIC PARTITIONS RECORDS (REGISTRY_URL | embedded SCHEMA_FILE)');
  process.exit(2);
}
const type = avro.Type.forSchema(schema);
let head;
if (schemaFile) writeFileSync(schemaFile, JSON.stringify(schema));
if (registry === 'embedded') {
  head = Buffer.alloc(10);
  head[0] = 0xc3;
  head[1] = 0x01;
  head.writeBigUInt64LE(fingerprint64(JSON.stringify(type.schema())), 2);
} else {
  const res = await fetch(`${registry}/subjects/${topic}-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  if (!res.ok) throw new Error(`cannot register the schema: HTTP ${res.status} ${await res.text()}`);
  const { id } = await res.json();
  head = Buffer.alloc(5);
  head.writeUInt32BE(id, 1);
}
const n = Number(count);
const p = Number(partitions);
let bytes = 0;
const value = (i) => {
  const v = Buffer.concat([head, type.toBuffer(order(i))]);
  bytes += v.length;
  return v;
};
const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'dsc-bench-avro', logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
try {
  const per = 6000;
  for (let i = 0; i < n; i += per) {
    const messages = [];
    for (let j = i; j < Math.min(n, i + per); j++)
      messages.push({ key: `order-${j}`, value: value(j), partition: j % p, headers: { trace: `t-${j}` } });
    await producer.send({ topic, acks: -1, messages });
  }
} finally {
  await producer.disconnect();
}
console.log(`records=${n} bytes=${Math.round(bytes / n)}`);
