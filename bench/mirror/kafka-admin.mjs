/* global process, console, setTimeout */
// Topic and group helpers for bench/mirror-load.sh; every command names the cluster it talks to:
//   kafka-admin.mjs topics BROKERS                              list the topics, one a line
//   kafka-admin.mjs create BROKERS TOPIC PARTITIONS             create the topic (replication factor 1)
//   kafka-admin.mjs offsets BROKERS TOPIC                       each partition's end offset, space-separated, by
//                                                               partition number (empty when the topic is missing)
//   kafka-admin.mjs wait BROKERS TOPIC COUNT TIMEOUT_S          poll every 100 ms until the end offsets sum to COUNT;
//                                                               prints `first=<s> done=<s> count=<n>` (epoch seconds
//                                                               of the first record seen and of COUNT reached; done=0
//                                                               on timeout, exit 1)
//   kafka-admin.mjs delete BROKERS TOPIC...                     delete those of the topics that exist
//   kafka-admin.mjs delete-groups BROKERS GROUP...              delete consumer groups (errors ignored)
// One admin connection per call, so `wait` polls cheaply while a mirror runs.
import { Kafka, logLevel } from 'kafkajs';

const [command, brokers, ...args] = process.argv.slice(2);
const usage =
  'usage: kafka-admin.mjs topics BROKERS | create BROKERS TOPIC PARTITIONS | offsets BROKERS TOPIC | ' +
  'wait BROKERS TOPIC COUNT TIMEOUT_S | delete BROKERS TOPIC... | delete-groups BROKERS GROUP...';
if (!command || !brokers) {
  console.error(usage);
  process.exit(2);
}
const admin = new Kafka({
  clientId: 'dsc-bench-mirror',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
}).admin();
await admin.connect();

// End offsets by partition number; a topic that does not exist (yet) has none. Listing first keeps the metadata
// request from auto-creating the topic before the mirror does.
async function endOffsets(topic) {
  if (!(await admin.listTopics()).includes(topic)) return [];
  const partitions = await admin.fetchTopicOffsets(topic);
  return partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

let code = 0;
try {
  if (command === 'topics') {
    for (const t of (await admin.listTopics()).sort()) console.log(t);
  } else if (command === 'create') {
    const [topic, partitions] = args;
    await admin.createTopics({
      topics: [{ topic, numPartitions: Number(partitions), replicationFactor: 1 }],
      waitForLeaders: true,
    });
  } else if (command === 'offsets') {
    console.log((await endOffsets(args[0])).join(' '));
  } else if (command === 'wait') {
    const [topic, count, timeout] = args;
    const want = Number(count);
    const deadline = Date.now() + Number(timeout) * 1000;
    let first = 0;
    let have = 0;
    for (;;) {
      try {
        have = sum(await endOffsets(topic));
      } catch {
        // a topic being created answers with a leader error for a moment: poll again
      }
      if (have > 0 && first === 0) first = Date.now();
      if (have >= want || Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = have >= want ? Date.now() : 0;
    console.log(`first=${first / 1000} done=${done / 1000} count=${have}`);
    if (!done) {
      console.error(`kafka-admin: ${topic} has ${have} of ${want} records after ${timeout} s`);
      code = 1;
    }
  } else if (command === 'delete') {
    const existing = new Set(await admin.listTopics());
    const topics = args.filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } else if (command === 'delete-groups') {
    await admin.deleteGroups(args).catch(() => {});
  } else {
    console.error(usage);
    code = 2;
  }
} catch (err) {
  console.error(`kafka-admin: ${command} ${args.join(' ')}: ${err.message}`);
  code = 1;
} finally {
  await admin.disconnect();
}
process.exit(code);
