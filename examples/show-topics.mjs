/* global process, console, setTimeout, clearTimeout, setInterval, clearInterval */
// Prints what is on Kafka topics, from the beginning to the current end offsets, then exits.
// usage: node examples/show-topics.mjs [--delete] TOPIC [TOPIC...]   (KAFKA_BROKERS, default 127.0.0.1:9092)
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

const args = process.argv.slice(2);
const reset = args[0] === '--delete';
const topics = reset ? args.slice(1) : args;
if (topics.length === 0) {
  console.error('usage: show-topics.mjs [--delete] TOPIC [TOPIC...]');
  process.exit(2);
}
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const kafka = new Kafka({ clientId: 'dsc-demo', brokers, logLevel: logLevel.NOTHING });

if (reset) {
  // --delete: remove the topics (so a demo run shows only what it loaded), waiting until the broker forgot them.
  const admin = kafka.admin();
  await admin.connect();
  const existing = (await admin.listTopics()).filter((t) => topics.includes(t));
  if (existing.length > 0) await admin.deleteTopics({ topics: existing, timeout: 30_000 });
  for (let i = 0; i < 100 && (await admin.listTopics()).some((t) => topics.includes(t)); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin.disconnect();
  process.exit(0);
}

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
    // dsc loads in transactions: their commit markers take the last offsets and never arrive as messages, so the
    // end may not be reached through a message. Once records came, 2 s with nothing more is the end too.
    let lastMessageAt = 0;
    const quiet = setInterval(() => {
      if (lastMessageAt > 0 && Date.now() - lastMessageAt > 2_000) {
        clearInterval(quiet);
        clearTimeout(timer);
        resolve();
      }
    }, 200);
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          lastMessageAt = Date.now();
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
            clearInterval(quiet);
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
