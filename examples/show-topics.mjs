// Prints what is on Kafka topics, from the beginning to the current end offsets, then exits.
// usage: node examples/show-topics.mjs TOPIC [TOPIC...]   (KAFKA_BROKERS, default 127.0.0.1:9092)
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

const topics = process.argv.slice(2);
if (topics.length === 0) {
  console.error('usage: show-topics.mjs TOPIC [TOPIC...]');
  process.exit(2);
}
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'dsc-demo', brokers, logLevel: logLevel.NOTHING });

const admin = kafka.admin();
await admin.connect();
// What "the end" is: the high watermark of every partition now.
const remaining = new Map();
for (const topic of topics) {
  for (const p of await admin.fetchTopicOffsets(topic)) {
    const left = Number(p.high) - Number(p.low);
    if (left > 0) remaining.set(`${topic}/${p.partition}`, Number(p.high));
  }
}
await admin.disconnect();

const byTopic = new Map(topics.map((t) => [t, []]));
if (remaining.size > 0) {
  const consumer = kafka.consumer({ groupId: `dsc-demo-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out reading the topics')), 30_000);
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          const key = `${topic}/${partition}`;
          const end = remaining.get(key);
          if (end === undefined || Number(message.offset) >= end) return;
          const h = message.headers ?? {};
          byTopic.get(topic).push({
            value: message.value?.toString() ?? '',
            source: h['dsc.source']?.toString() ?? '',
            line: h['dsc.line']?.toString() ?? '',
          });
          if (Number(message.offset) + 1 >= end) remaining.delete(key);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
}

for (const [topic, records] of byTopic) {
  console.log(`\n${topic}: ${records.length} record${records.length === 1 ? '' : 's'}`);
  for (const r of records) console.log(`  ${r.value.padEnd(28)} ${r.source}${r.line ? ` line ${r.line}` : ''}`);
}
