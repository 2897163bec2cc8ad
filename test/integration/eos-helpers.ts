// Exactly-once checks shared by the tests that break a real load (file-exactly-once, file-broker-restart): what a
// read_committed consumer holds by content (lost, duplicated), the task positions committed in the offsets topic, and
// a `dsc run` config file. Each takes the brokers, so a test on a broker of its own checks that broker.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { join } from 'node:path';
import { createKafkaClient } from '../../shared/kafka/port/kafka-client.js';
import { OffsetsTopic, offsetsTopicName, type SourceOffset } from '../../shared/kafka/delivery/offsets-topic.js';
import { fenceTasks } from '../../shared/lifecycle/offsets-cleanup.js';
import { exited, startDscRun } from './dsc-child.js';
import { BROKERS, consumeAll, sleep, tally, values } from './file-helpers.js';

const client = (brokers: string) =>
  createKafkaClient({ brokers: brokers.split(','), security: { protocol: 'PLAINTEXT' } }, 'dsc-eos-test', 'wire');

/** Lost and duplicated lines, by content, as a read_committed consumer sees `topic`. */
export async function delivery(
  topic: string,
  expected: string[],
  brokers = BROKERS(),
): Promise<{ lost: number; duplicated: number }> {
  const counts = tally(values(await consumeAll(topic, brokers)));
  let lost = 0;
  let duplicated = 0;
  for (const line of expected) {
    const n = counts.get(line) ?? 0;
    if (n === 0) lost++;
    if (n > 1) duplicated += n - 1;
  }
  return { lost, duplicated };
}

/**
 * The connector's committed source offsets (source-partition key → offset), read exactly: a transaction that wrote
 * them and is still open is waited for (after a SIGKILL, `fenceKilledRun` first).
 */
export async function storedOffsets(connector: string, brokers = BROKERS()): Promise<Map<string, SourceOffset>> {
  const kafka = client(brokers);
  const admin = kafka.admin();
  const consumer = kafka.consumer({ isolationLevel: 'read_uncommitted', maxWaitMs: 100 });
  await admin.connect();
  await consumer.connect();
  try {
    const offsets = new OffsetsTopic(offsetsTopicName(), admin);
    if (!(await offsets.exists())) return new Map();
    return await offsets.read(consumer, connector, 10_000);
  } finally {
    await consumer.close();
    await admin.close();
  }
}

/**
 * After a SIGKILL, fences the connector's tasks (what the next run does first), so that their transactions left open
 * are aborted now: an exact read of the offsets waits for an open transaction's marker, which otherwise comes only
 * at the restart or at the broker's transaction timeout. `conf` is the run's config file (its `tasks.max`).
 */
export async function fenceKilledRun(connector: string, conf: string, brokers = BROKERS()): Promise<void> {
  const tasksMax = Number(/^tasks\.max=(\d+)$/m.exec(readFileSync(conf, 'utf8'))?.[1] ?? 1);
  await fenceTasks(client(brokers), connector, tasksMax);
}

/** Records committed for a file connector: its tasks' committed counts (each written with its records). */
export async function committedRecords(connector: string, brokers = BROKERS()): Promise<number> {
  let sum = 0;
  for (const offset of (await storedOffsets(connector, brokers)).values()) sum += Number(offset.records ?? 0);
  return sum;
}

/** The sum of `topic`'s end offsets (records, open or aborted ones and transaction markers included); 0 if missing. */
export async function topicEnd(topic: string, brokers = BROKERS()): Promise<bigint> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    const ends = await admin.latestOffsets(topic).catch(() => []);
    return ends.reduce((s, p) => s + p.offset, 0n);
  } finally {
    await admin.close();
  }
}

/** Waits until `check()` holds, polling every 50 ms. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** A `dsc run` config file in `dir`: one mode=eof file connector named `topic`, loading `file` into `topic`. */
export function loadConf(dir: string, topic: string, file: string, keys: Record<string, string | number>): string {
  const conf = join(dir, 'load.conf');
  writeFileSync(
    conf,
    [
      'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
      'mode=eof',
      `topic=${topic}`,
      `file.uris=${file}`,
      ...Object.entries(keys).map(([k, v]) => `${k}=${v}`),
      `[${topic}]`,
      `name=${topic}`,
      '',
    ].join('\n'),
  );
  return conf;
}

/**
 * `dsc run` (on `state`) SIGKILLed twice, each time once more of the connector's records have committed, and each time
 * before all `total` records are in: the crash loop of the process tests. The run is stopped (SIGSTOP) the moment the
 * commit is seen, so it cannot load on to the end before the kill however fast the machine; where the kill lands
 * relative to the run's transactions varies with how long the look took (a read of the topic, tens of ms).
 */
export async function killMidLoadTwice(state: string, conf: string, connector: string, total: number): Promise<void> {
  let fresh = true;
  for (let round = 0; round < 2; round++) {
    const before = await committedRecords(connector);
    const child = startDscRun(state, conf, fresh);
    fresh = false;
    await until(`${connector} commits past ${before}`, async () => (await committedRecords(connector)) > before);
    child.kill('SIGSTOP');
    child.kill('SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    await fenceKilledRun(connector, conf);
    expect(await committedRecords(connector)).toBeLessThan(total);
  }
}
