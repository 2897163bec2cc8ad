/* global process, console, Buffer, fetch */
// Fills a source topic with Avro records in the Confluent wire format (magic 0, schema id, Avro binary), the schema
// registered in the registry under `<topic>-value`: the input of the end-to-end Avro → JSON mirror run.
//   node bench/mirror/avro-source.mjs BROKERS TOPIC PARTITIONS RECORDS REGISTRY_URL
// Prints `records=<n> bytes=<average record bytes>`.
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import { order, orderSchema as schema } from './orders.mjs';

const [brokers, topic, partitions, count, registry] = process.argv.slice(2);
if (!registry) {
  console.error('usage: avro-source.mjs BROKERS TOPIC PARTITIONS RECORDS REGISTRY_URL');
  process.exit(2);
}
const res = await fetch(`${registry}/subjects/${topic}-value/versions`, {
  method: 'POST',
  headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
  body: JSON.stringify({ schema: JSON.stringify(schema) }),
});
if (!res.ok) throw new Error(`cannot register the schema: HTTP ${res.status} ${await res.text()}`);
const { id } = await res.json();
const type = avro.Type.forSchema(schema);
const head = Buffer.alloc(5);
head.writeUInt32BE(id, 1);
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
    for (let j = i; j < Math.min(n, i + per); j++) messages.push({ value: value(j), partition: j % p });
    await producer.send({ topic, acks: -1, messages });
  }
} finally {
  await producer.disconnect();
}
console.log(`records=${n} bytes=${Math.round(bytes / n)}`);
