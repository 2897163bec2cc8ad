// Topic helpers for bench/file-load.sh (KAFKA_BROKERS, default 127.0.0.1:9092):
//   topic-offsets.mjs create TOPIC [PARTITIONS]        create the topic (1 partition by default) if missing
//   topic-offsets.mjs end TOPIC                        print the sum of its partitions' end offsets (0 if missing)
//   topic-offsets.mjs wait TOPIC COUNT [TIMEOUT_S]     poll every 100 ms until that sum reaches COUNT; exit 1 on timeout
//   topic-offsets.mjs delete TOPIC [TOPIC...]          delete the topics that exist (frees the broker's disk)
// One admin connection per call, so `wait` polls cheaply while a peer loads.
/* global process, console, setTimeout */ // Node globals: eslint.config.js configures TypeScript sources only
import { Kafka, logLevel } from 'kafkajs';

const [command, topic, arg, arg2] = process.argv.slice(2);
const usage =
  'usage: topic-offsets.mjs create TOPIC [PARTITIONS] | end TOPIC | wait TOPIC COUNT [TIMEOUT_S] | delete TOPIC...';
if (!command || !topic) {
  console.error(usage);
  process.exit(2);
}
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const admin = new Kafka({ clientId: 'dsc-bench', brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();

// Sum of high watermarks; a topic that does not exist (yet) has 0 records. Listing first keeps the metadata request
// from auto-creating the topic before the peer does.
async function endOffset() {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) return 0;
  const partitions = await admin.fetchTopicOffsets(topic);
  return partitions.reduce((sum, p) => sum + Number(p.high), 0);
}

let code = 0;
try {
  if (command === 'create') {
    const numPartitions = Number(arg ?? 1);
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }], waitForLeaders: true });
  } else if (command === 'end') {
    console.log(await endOffset());
  } else if (command === 'wait') {
    const want = Number(arg);
    const deadline = Date.now() + Number(arg2 ?? 3600) * 1000;
    let have = await endOffset();
    while (have < want && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      have = await endOffset();
    }
    console.log(have);
    if (have < want) {
      console.error(`topic-offsets: ${topic} has ${have} of ${want} records after ${arg2 ?? 3600} s`);
      code = 1;
    }
  } else if (command === 'delete') {
    const existing = new Set(await admin.listTopics());
    const topics = process.argv.slice(3).filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } else {
    console.error(usage);
    code = 2;
  }
} catch (err) {
  console.error(`topic-offsets: ${command} ${topic}: ${err.message}`);
  code = 1;
} finally {
  await admin.disconnect();
}
process.exit(code);
