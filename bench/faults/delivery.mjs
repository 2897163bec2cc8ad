// Delivery check for bench/faults.sh, by content: what a read_committed consumer of TOPIC sees, against the
// expected records. Records are lines that start with a 10-digit id (bench/file/generate-csv.go writes them; the
// mirror case produces them too), so each received record is matched to its expected line by id and compared byte
// for byte (a 32-bit FNV-1a of each line, kept per id).
//
//   delivery.mjs file CSV TOPIC                     expected = the lines of CSV; TOPIC on KAFKA_BROKERS
//   delivery.mjs topic SOURCE_BROKERS SOURCE TOPIC  expected = the records of SOURCE (read_committed) on SOURCE_BROKERS
//
// Prints one line of JSON: {expected, received, lost, duplicated, foreign}. Needs `npm run build` (dist/).
/* global process, console, Buffer */ // Node globals: eslint.config.js configures TypeScript sources only
import { createReadStream } from 'node:fs';
import { createKafkaClient } from '../../dist/shared/kafka/port/kafka-client.js';
import { committedRecords } from '../../dist/shared/kafka/batch/record-batch-reader.js';

const fnv = (buf, start, end) => {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193) >>> 0;
  return h;
};
const idOf = (buf, start) => {
  let id = 0;
  for (let i = start; i < start + 10; i++) {
    const d = buf[i] - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    id = id * 10 + d;
  }
  return id;
};

class Expected {
  hashes = new Uint32Array(1 << 20);
  size = 0;
  add(id, hash) {
    if (id < 0) return;
    while (id >= this.hashes.length) {
      const next = new Uint32Array(this.hashes.length * 2);
      next.set(this.hashes);
      this.hashes = next;
    }
    // 0 means "no such line"; a real hash of 0 is nudged (a 2^-32 chance of a false "foreign")
    this.hashes[id] = hash || 1;
    this.size = Math.max(this.size, id + 1);
  }
}

async function linesOfFile(path, expected) {
  let rest = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      if (nl > start) expected.add(idOf(buf, start), fnv(buf, start, nl));
      start = nl + 1;
    }
    rest = buf.subarray(start);
  }
  if (rest.length) expected.add(idOf(rest, 0), fnv(rest, 0, rest.length));
}

/** Calls `each(value)` for every record a read_committed reader sees in `topic`, up to the current end offsets. */
async function readTopic(brokers, topic, each) {
  const client = createKafkaClient(
    { brokers: brokers.split(','), security: { protocol: 'PLAINTEXT' } },
    'dsc-faults',
    'wire',
  );
  const admin = client.admin();
  await admin.connect();
  const low = new Map((await admin.earliestOffsets(topic)).map((p) => [p.partition, p.offset]));
  const ends = new Map((await admin.latestOffsets(topic)).map((p) => [p.partition, p.offset]));
  await admin.close();
  const consumer = client.consumer({
    isolationLevel: 'read_committed',
    maxWaitMs: 200,
    maxBytes: 64 << 20,
    partitionMaxBytes: 8 << 20,
  });
  await consumer.connect();
  consumer.assign([...ends.keys()].map((partition) => ({ topic, partition, offset: low.get(partition) ?? 0n })));
  const pending = () => consumer.positions().filter((p) => p.offset < ends.get(p.partition));
  let idle = 0;
  while (pending().length > 0) {
    const fetched = await consumer.fetch();
    idle = fetched.length === 0 ? idle + 1 : 0;
    if (idle > 300)
      throw new Error(
        `stalled reading ${topic} (an open transaction?) at ${JSON.stringify(pending().map((p) => [p.partition, String(p.offset)]))}`,
      );
    for (const f of fetched) {
      if (f.error) throw new Error(`${topic}[${f.partition}]: ${f.error}`);
      for (const r of committedRecords(f)) if (r.offset < ends.get(f.partition)) each(r.value ?? Buffer.alloc(0));
    }
  }
  await consumer.close();
}

const [mode, ...args] = process.argv.slice(2);
const expected = new Expected();
let topic;
const brokers = process.env.KAFKA_BROKERS || '127.0.0.1:9092';
if (mode === 'file' && args.length === 2) {
  await linesOfFile(args[0], expected);
  topic = args[1];
} else if (mode === 'topic' && args.length === 3) {
  await readTopic(args[0], args[1], (v) => expected.add(idOf(v, 0), fnv(v, 0, v.length)));
  topic = args[2];
} else {
  console.error('usage: delivery.mjs file CSV TOPIC | topic SOURCE_BROKERS SOURCE TOPIC');
  process.exit(2);
}
const counts = new Uint16Array(expected.size);
let received = 0;
let foreign = 0;
await readTopic(brokers, topic, (v) => {
  received++;
  const id = idOf(v, 0);
  if (id < 0 || id >= expected.size || expected.hashes[id] !== (fnv(v, 0, v.length) || 1)) foreign++;
  else if (counts[id] < 65535) counts[id]++;
});
let lines = 0;
let lost = 0;
let duplicated = 0;
for (let id = 0; id < expected.size; id++) {
  if (expected.hashes[id] === 0) continue;
  lines++;
  if (counts[id] === 0) lost++;
  else duplicated += counts[id] - 1;
}
console.log(JSON.stringify({ expected: lines, received, lost, duplicated, foreign }));
