// Checks a Parquet benchmark topic against DuckDB's JSON export of the same file, row by row in content: each JSON
// object is parsed and written again (JSON.stringify) after one spelling difference is undone, DuckDB's timestamp
// "2023-03-14 01:28:54.66971+00" against dsc's "2023-03-14T01:28:54.669710Z" (ISO 8601, the unit's digits); decimals
// and doubles compare by value once parsed (these columns fit a double exactly). The digest is order-independent
// (sums of each row's SHA-1 words), so several tasks writing one partition compare too; a changed, lost or repeated
// row changes it.
//   topic-rows.mjs digest < export.jsonl      prints "<rows> <digest>" of JSON lines on stdin
//   topic-rows.mjs topic TOPIC                prints "<rows> <digest>" of the topic's committed records
/* global process, console, Buffer */ // Node globals: eslint.config.js configures TypeScript sources only
import { createInterface } from 'node:readline';
import { hash } from 'node:crypto';
import { createKafkaClient } from '../../dist/shared/kafka/port/kafka-client.js';
import { committedRecords } from '../../dist/shared/kafka/batch/record-batch-reader.js';

const [command, topic] = process.argv.slice(2);
const TIMESTAMP = /"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d*?))?0*(?:\+00|Z)"/g;
const canonical = (text) =>
  JSON.stringify(JSON.parse(text.replace(TIMESTAMP, (_, d, t, f) => `"${d}T${t}${f ? `.${f}` : ''}Z"`)));
const acc = { a: 0, b: 0, count: 0 };
const add = (text) => {
  const d = hash('sha1', canonical(text), 'buffer');
  acc.a = (acc.a + d.readUInt32BE(0)) >>> 0;
  acc.b = (acc.b + d.readUInt32BE(4)) >>> 0;
  acc.count++;
};
const print = () =>
  console.log(`${acc.count} ${acc.a.toString(16).padStart(8, '0')}${acc.b.toString(16).padStart(8, '0')}`);

if (command === 'digest') {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) if (line) add(line);
  print();
} else if (command === 'topic' && topic) {
  const client = createKafkaClient(
    { brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','), security: { protocol: 'PLAINTEXT' } },
    'dsc-bench-check',
    'wire',
  );
  const admin = client.admin();
  await admin.connect();
  const ends = await admin.latestOffsets(topic);
  await admin.close();
  const consumer = client.consumer({ isolationLevel: 'read_committed', maxWaitMs: 100, partitionMaxBytes: 8 << 20 });
  await consumer.connect();
  consumer.assign(ends.map((e) => ({ topic, partition: e.partition, offset: 0n })));
  const end = new Map(ends.map((e) => [e.partition, e.offset]));
  const done = () => consumer.positions().every((p) => p.offset >= end.get(p.partition));
  while (!done()) {
    for (const f of await consumer.fetch()) {
      for (const r of committedRecords(f)) {
        if (r.offset < end.get(f.partition)) add((r.value ?? Buffer.alloc(0)).toString('utf8'));
      }
    }
  }
  await consumer.close();
  print();
} else {
  console.error('usage: topic-rows.mjs digest < rows.jsonl | topic TOPIC');
  process.exit(2);
}
