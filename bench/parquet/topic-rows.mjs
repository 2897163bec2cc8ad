// Checks a Parquet benchmark topic against DuckDB's JSON export of the same file, row by row in content: each JSON
// object is parsed and written again (JSON.stringify) after one spelling difference is undone, DuckDB's timestamp
// "2023-03-14 01:28:54.66971+00" against dsc's "2023-03-14T01:28:54.669710Z" (ISO 8601, the unit's digits); decimals
// and doubles compare by value once parsed (these columns fit a double exactly). The digest is order-independent
// (sums of each row's SHA-1 words), so several tasks writing one partition compare too; a changed, lost or repeated
// row changes it.
//   topic-rows.mjs digest < export.jsonl      prints "<rows> <digest>" of JSON lines on stdin
//   topic-rows.mjs topic TOPIC                prints "<rows> <digest>" of the topic's committed records
// Bounded: the topic is read one fetch (8 MB) at a time and rows are hashed on worker threads (one per core, at most
// two fetches queued for each), so 23 M rows take minutes, not a quarter of an hour. A topic whose read position
// stops moving for BENCH_CHECK_STALL_S seconds (60; e.g. a transaction left open holds read_committed back) ends the
// check with exit code 3 and the offset it stopped at, rather than waiting forever.
/* global process, console, Buffer, URL */ // Node globals: eslint.config.js configures TypeScript sources only
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { hash } from 'node:crypto';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

const TIMESTAMP = /"(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d*?))?0*(?:\+00|Z)"/g;
const canonical = (text) =>
  JSON.stringify(JSON.parse(text.replace(TIMESTAMP, (_, d, t, f) => `"${d}T${t}${f ? `.${f}` : ''}Z"`)));
/** Adds the rows of `text` (JSON lines) to `acc`. */
const addLines = (acc, text) => {
  for (const line of text.split('\n')) {
    if (!line) continue;
    const d = hash('sha1', canonical(line), 'buffer');
    acc.a = (acc.a + d.readUInt32BE(0)) >>> 0;
    acc.b = (acc.b + d.readUInt32BE(4)) >>> 0;
    acc.count++;
  }
};

if (!isMainThread) {
  // A hashing thread: each message is a batch of JSON lines; it answers with the batch's sums.
  parentPort.on('message', (bytes) => {
    const acc = { a: 0, b: 0, count: 0 };
    addLines(acc, Buffer.from(bytes).toString('utf8'));
    parentPort.postMessage(acc);
  });
} else {
  await main();
}

async function main() {
  const [command, topic] = process.argv.slice(2);
  const acc = { a: 0, b: 0, count: 0 };
  const print = () =>
    console.log(`${acc.count} ${acc.a.toString(16).padStart(8, '0')}${acc.b.toString(16).padStart(8, '0')}`);

  if (command === 'digest') {
    let lines = [];
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      lines.push(line);
      if (lines.length === 10_000) {
        addLines(acc, lines.join('\n'));
        lines = [];
      }
    }
    addLines(acc, lines.join('\n'));
    print();
    return;
  }
  if (command !== 'topic' || !topic) {
    console.error('usage: topic-rows.mjs digest < rows.jsonl | topic TOPIC');
    process.exit(2);
  }
  const stallMs = Number(process.env.BENCH_CHECK_STALL_S || 60) * 1000;
  const { createKafkaClient } = await import('../../dist/shared/kafka/port/kafka-client.js');
  const { committedRecords } = await import('../../dist/shared/kafka/batch/record-batch-reader.js');
  const client = createKafkaClient(
    { brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','), security: { protocol: 'PLAINTEXT' } },
    'dsc-bench-check',
    'wire',
  );
  const admin = client.admin();
  await admin.connect();
  const ends = await admin.latestOffsets(topic);
  await admin.close();

  // Hashing threads, each with at most two batches queued.
  const workers = Array.from({ length: Math.max(1, Math.min(2, availableParallelism())) }, () => {
    const w = { worker: new Worker(new URL(import.meta.url)), queued: 0, freed: undefined };
    w.worker.on('message', (part) => {
      acc.a = (acc.a + part.a) >>> 0;
      acc.b = (acc.b + part.b) >>> 0;
      acc.count += part.count;
      w.queued--;
      w.freed?.();
      w.freed = undefined;
    });
    w.worker.on('error', (err) => {
      console.error(`hashing thread failed: ${err.message}`);
      process.exit(1);
    });
    return w;
  });
  const NEWLINE = Buffer.from('\n');
  let next = 0;
  const hashLater = async (values) => {
    if (values.length === 0) return;
    const w = workers[next++ % workers.length];
    while (w.queued >= 2) await new Promise((resolve) => (w.freed = resolve));
    w.queued++;
    const bytes = Buffer.concat(values.flatMap((v) => [v, NEWLINE]));
    const own = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    w.worker.postMessage(own, [own]);
  };

  const consumer = client.consumer({ isolationLevel: 'read_committed', maxWaitMs: 100, partitionMaxBytes: 8 << 20 });
  await consumer.connect();
  consumer.assign(ends.map((e) => ({ topic, partition: e.partition, offset: 0n })));
  const end = new Map(ends.map((e) => [e.partition, e.offset]));
  const position = () => consumer.positions().reduce((n, p) => n + p.offset, 0n);
  const done = () => consumer.positions().every((p) => p.offset >= end.get(p.partition));
  let moved = Date.now();
  let last = position();
  while (!done()) {
    const values = [];
    for (const f of await consumer.fetch()) {
      for (const r of committedRecords(f)) {
        if (r.offset < end.get(f.partition)) values.push(r.value ?? Buffer.alloc(0));
      }
    }
    await hashLater(values);
    const now = position();
    if (now !== last) {
      last = now;
      moved = Date.now();
    } else if (Date.now() - moved > stallMs) {
      const at = consumer.positions().map((p) => `partition ${p.partition} at ${p.offset} of ${end.get(p.partition)}`);
      console.error(`${topic}: no progress for ${stallMs / 1000} s (${at.join(', ')}); an open transaction?`);
      process.exit(3);
    }
  }
  await consumer.close();
  for (const w of workers) while (w.queued > 0) await new Promise((resolve) => (w.freed = resolve));
  await Promise.all(workers.map((w) => w.worker.terminate()));
  print();
}
