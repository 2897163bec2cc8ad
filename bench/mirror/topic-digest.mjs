/* global process, console, Buffer */
// A content digest of a topic, per partition: every committed record's key, value, headers and timestamp, in offset
// order, hashed (SHA-256). Two topics with the same digest line hold the same records in the same partitions.
// Reads with dsc's own raw fetcher (dist/, after `npm run build`): fast enough for millions of records.
//   node bench/mirror/topic-digest.mjs BROKERS TOPIC      prints `<partition>:<records>:<sha256 prefix>` per partition
import { createHash } from 'node:crypto';
import { BrokerConnections } from '../../dist/shared/kafka/broker-connections.js';
import { batchesIn, decodeRecords } from '../../dist/shared/kafka/forwarded-batch.js';
import { fetchPartitions, listOffsets } from '../../dist/shared/kafka/partition-fetcher.js';

const [brokers, topic] = process.argv.slice(2);
if (!brokers || !topic) {
  console.error('usage: topic-digest.mjs BROKERS TOPIC');
  process.exit(2);
}
const cluster = new BrokerConnections(
  { brokers: brokers.split(','), security: { protocol: 'PLAINTEXT' } },
  'dsc-digest',
);
const len = Buffer.alloc(4);
const put = (hash, bytes) => {
  len.writeInt32BE(bytes === null ? -1 : bytes.length);
  hash.update(len);
  if (bytes) hash.update(bytes);
};
try {
  const { leaders } = await cluster.leaders([topic]);
  const partitions = (leaders.get(topic) ?? []).map((_, partition) => ({ topic, partition }));
  const ends = await listOffsets(cluster, leaders, partitions, 'latest');
  const out = [];
  for (const p of partitions) {
    const end = ends.get(`${topic}:${p.partition}`);
    const hash = createHash('sha256');
    let at = 0n;
    let count = 0;
    while (at < end) {
      const [f] = await fetchPartitions(cluster, leaders, [{ ...p, offset: at }], {
        maxWaitMs: 100,
        maxBytes: 16 << 20,
        partitionMaxBytes: 16 << 20,
        readCommitted: true,
      });
      if (f.error) throw new Error(`${topic}-${p.partition}: ${f.error}`);
      for (const b of batchesIn(f.records)) {
        if (b.header.control) continue;
        for (const r of decodeRecords(b.bytes, b.header)) {
          if (r.offset < at) continue;
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
      if (f.nextOffset <= at) break;
      at = f.nextOffset;
    }
    out.push(`${p.partition}:${count}:${hash.digest('hex').slice(0, 16)}`);
  }
  console.log(out.join(' '));
} finally {
  await cluster.close();
}
