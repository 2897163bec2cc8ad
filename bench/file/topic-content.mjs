// Checks a benchmark topic against its file: the count and a content hash of the records' values must equal those
// of the file's non-empty lines (without eol or a CRLF's \r). The hash is order-independent (a sum of each line's
// SHA-1 prefix, mod 2^64), so several tasks writing one partition compare too; any changed, lost or repeated line
// changes it. Reads the topic through dsc's own wire consumer (dist/, built by file-load.sh).
//   topic-content.mjs FILE TOPIC     prints "<lines> <hash> <records> <hash> ok|MISMATCH"; exit 1 on a mismatch
/* global process, console */ // Node globals: eslint.config.js configures TypeScript sources only
import { createReadStream } from 'node:fs';
import { hash } from 'node:crypto';
import { createKafkaClient } from '../../dist/shared/kafka/kafka-client.js';
import { decodeRecordBatches } from '../../dist/shared/kafka/record-batch-reader.js';

const [file, topic] = process.argv.slice(2);
const MASK = (1n << 64n) - 1n;
const lineHash = (buf) => BigInt('0x' + hash('sha1', buf, 'hex').slice(0, 16));

async function fileDigest() {
  let count = 0;
  let sum = 0n;
  let rest = Buffer.alloc(0);
  const take = (buf, s, e) => {
    if (e > s && buf[e - 1] === 0x0d) e--;
    if (e === s) return;
    count++;
    sum = (sum + lineHash(buf.subarray(s, e))) & MASK;
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
  return { count, sum };
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
  const consumer = client.consumer({ maxWaitMs: 100, partitionMaxBytes: 8 << 20 });
  await consumer.connect();
  consumer.assign(ends.map((e) => ({ topic, partition: e.partition, offset: 0n })));
  let count = 0;
  let sum = 0n;
  const end = new Map(ends.map((e) => [e.partition, e.offset]));
  const done = () => consumer.positions().every((p) => p.offset >= end.get(p.partition));
  while (!done()) {
    for (const f of await consumer.fetch()) {
      for (const b of decodeRecordBatches(f.records)) {
        for (const r of b.records) {
          if (r.offset >= end.get(f.partition)) continue;
          count++;
          sum = (sum + lineHash(r.value ?? Buffer.alloc(0))) & MASK;
        }
      }
    }
  }
  await consumer.close();
  return { count, sum };
}

const [want, have] = await Promise.all([fileDigest(), topicDigest()]);
const ok = want.count === have.count && want.sum === have.sum;
console.log(`${want.count} ${want.sum.toString(16)} ${have.count} ${have.sum.toString(16)} ${ok ? 'ok' : 'MISMATCH'}`);
process.exit(ok ? 0 : 1);
