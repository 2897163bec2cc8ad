// Checks a benchmark topic against its file: the count and a content hash of the records' values must equal those
// of the file's non-empty lines (without eol or a CRLF's \r). The hash is order-independent (a sum of each line's
// SHA-1 words, mod 2^32 each), so several tasks writing one partition compare too; any changed, lost or repeated line
// changes it. Reads the topic through dsc's own wire consumer (dist/, built by file-load.sh).
//   topic-content.mjs FILE TOPIC     prints "<lines> <hash> <records> <hash> ok|MISMATCH"; exit 1 on a mismatch
/* global process, console, Buffer */ // Node globals: eslint.config.js configures TypeScript sources only
import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hash } from 'node:crypto';
import { createKafkaClient } from '../../dist/shared/kafka/port/kafka-client.js';
import { committedRecords } from '../../dist/shared/kafka/batch/record-batch-reader.js';

const [file, topic] = process.argv.slice(2);
// Two 32-bit sums of each line's SHA-1 words: a 64-bit multiset hash without a BigInt per line.
const add = (acc, buf) => {
  const d = hash('sha1', buf, 'buffer');
  acc.a = (acc.a + d.readUInt32BE(0)) >>> 0;
  acc.b = (acc.b + d.readUInt32BE(4)) >>> 0;
  acc.count++;
};
const digestText = (acc) => `${acc.a.toString(16).padStart(8, '0')}${acc.b.toString(16).padStart(8, '0')}`;

// The file's digest is cached beside it (keyed by size and mtime): one file is checked against many topics.
async function fileDigest() {
  const { size, mtimeMs } = statSync(file);
  const cache = `${file}.digest`;
  if (existsSync(cache)) {
    const c = JSON.parse(readFileSync(cache, 'utf8'));
    if (c.size === size && c.mtimeMs === mtimeMs) return c.acc;
  }
  const acc = { a: 0, b: 0, count: 0 };
  let rest = Buffer.alloc(0);
  const take = (buf, s, e) => {
    if (e > s && buf[e - 1] === 0x0d) e--;
    if (e > s) add(acc, buf.subarray(s, e));
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let from = 0;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, from)) {
      take(buf, from, i);
      from = i + 1;
    }
    rest = Buffer.from(buf.subarray(from));
  }
  take(rest, 0, rest.length);
  writeFileSync(cache, JSON.stringify({ size, mtimeMs, acc }));
  return acc;
}

async function topicDigest() {
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
  const acc = { a: 0, b: 0, count: 0 };
  const end = new Map(ends.map((e) => [e.partition, e.offset]));
  const done = () => consumer.positions().every((p) => p.offset >= end.get(p.partition));
  while (!done()) {
    for (const f of await consumer.fetch()) {
      // read_committed: aborted transactions' batches and commit markers are no records of the topic.
      for (const r of committedRecords(f)) {
        if (r.offset >= end.get(f.partition)) continue;
        add(acc, r.value ?? Buffer.alloc(0));
      }
    }
  }
  await consumer.close();
  return acc;
}

const [want, have] = await Promise.all([fileDigest(), topicDigest()]);
const ok = want.count === have.count && want.a === have.a && want.b === have.b;
console.log(`${want.count} ${digestText(want)} ${have.count} ${digestText(have)} ${ok ? 'ok' : 'MISMATCH'}`);
process.exit(ok ? 0 : 1);
