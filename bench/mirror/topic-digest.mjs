/* global process, console, Buffer */
// A content digest of a topic, per partition: every committed record's key, value, headers and timestamp, in offset
// order, hashed (SHA-256). Two topics with the same digest line hold the same records in the same partitions.
// Reads with dsc's own raw fetcher (dist/, after `npm run build`): fast enough for millions of records.
//   node bench/mirror/topic-digest.mjs BROKERS TOPIC      prints `<partition>:<records>:<sha256 prefix>` per partition
import { createHash } from 'node:crypto';
import { batchesIn, decodeRecords } from '../../dist/shared/kafka/batch/record-batch-reader.js';
import { wireClient } from '../../dist/shared/kafka/wire/wire-client.js';

const [brokers, topic] = process.argv.slice(2);
if (!brokers || !topic) {
  console.error('usage: topic-digest.mjs BROKERS TOPIC');
  process.exit(2);
}
const client = wireClient({ brokers: brokers.split(','), security: { protocol: 'PLAINTEXT' } }, 'dsc-digest');
const admin = client.admin();
const len = Buffer.alloc(4);
const put = (hash, bytes) => {
  len.writeInt32BE(bytes === null ? -1 : bytes.length);
  hash.update(len);
  if (bytes) hash.update(bytes);
};
try {
  await admin.connect();
  const out = [];
  for (const { partition, offset: end } of await admin.latestOffsets(topic)) {
    const consumer = client.consumer({ maxBytes: 16 << 20, partitionMaxBytes: 16 << 20, maxWaitMs: 100 });
    await consumer.connect();
    consumer.assign([{ topic, partition, offset: 0n }]);
    const hash = createHash('sha256');
    let count = 0;
    while (consumer.positions()[0].offset < end) {
      for (const f of await consumer.fetch()) {
        if (f.error) throw new Error(`${topic}-${partition}: ${f.error}`);
        for (const b of batchesIn(f.records)) {
          if (b.header.control) continue;
          for (const r of decodeRecords(b.bytes, b.header)) {
            put(hash, r.key);
            put(hash, r.value);
            hash.update(String(r.timestamp));
            for (const [k, v] of r.headers) {
              put(hash, k);
              put(hash, v);
            }
            count++;
          }
        }
      }
    }
    await consumer.close();
    out.push(`${partition}:${count}:${hash.digest('hex').slice(0, 16)}`);
  }
  console.log(out.sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0])).join(' '));
} finally {
  await admin.close();
}
