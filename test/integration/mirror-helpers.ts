// Shared by the mirror integration tests: connector specs from config text (the real parser), a worker in-process,
// and produce/consume helpers on the two real clusters.
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type IHeaders, type KafkaMessage, type Message, type Producer } from 'kafkajs';
import { parseConnectorConfig } from '../../shared/config/index.js';
import { hasErrors, type MirrorConnectorSpec } from '../../shared/config/spec.js';
import { waitFor } from '../wait-for.js';
import { storedOffsets } from './eos-helpers.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import type { ConnectorStore } from '../../shared/lifecycle/store.js';
import { runMirrorWorker } from '../../shared/mirror/mirror-worker.js';
import { silentLogger } from '../../shared/runtime/log.js';

export const SOURCE = () => process.env.SOURCE_KAFKA_BROKERS ?? '127.0.0.1:19092';
export const TARGET = () => process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export const REGISTRY = () => process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';

/** Registers a schema with the test registry; its id. */
export async function register(subject: string, schema: object): Promise<number> {
  const res = await fetch(`${REGISTRY()}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  if (!res.ok) throw new Error(`register ${subject}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

/** A value in Confluent's wire format: magic byte 0, the schema id, the Avro body. */
export const wire = (id: number, body: Buffer) => {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(id, 1);
  return Buffer.concat([head, body]);
};

export const sourceKafka = () => new Kafka({ brokers: [SOURCE()], clientId: 'test-src', logLevel: logLevel.NOTHING });
export const targetKafka = () => new Kafka({ brokers: [TARGET()], clientId: 'test-tgt', logLevel: logLevel.NOTHING });

/** A mirror connector spec from config text, as a user writes it (globals + one section). */
export function mirrorSpec(name: string, lines: Record<string, string | number>): MirrorConnectorSpec {
  const settings: Record<string, string | number> = {
    'connector.class': 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
    'source.cluster.alias': 'src',
    'target.cluster.alias': 'tgt',
    'source.cluster.bootstrap.servers': SOURCE(),
    'target.cluster.bootstrap.servers': TARGET(),
    'source->target.enabled': 'true',
    'replication.factor': 1,
    'refresh.topics.interval.seconds': 2,
    'key.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'header.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    'value.converter': 'org.apache.kafka.connect.converters.ByteArrayConverter',
    ...lines,
  };
  const text =
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n') + `\n[${name}]\nname=${name}\n`;
  const parsed = parseConnectorConfig(text, { fileName: `${name}.conf` });
  if (hasErrors(parsed.issues)) throw new Error(JSON.stringify(parsed.issues));
  return parsed.specs[0] as MirrorConnectorSpec;
}

export async function tempStore(): Promise<ConnectorStore> {
  return SqliteConnectorStore.openStateDir(mkdtempSync(join(tmpdir(), 'dsc-mirror-')));
}

export async function createConnector(store: ConnectorStore, spec: MirrorConnectorSpec): Promise<void> {
  const now = new Date().toISOString();
  await store.createConnectors([
    { name: spec.name, kind: 'mirror', spec, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
  ]);
}

export function startWorker(store: ConnectorStore): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const done = runMirrorWorker({ store, log: silentLogger, signal: controller.signal, pollIntervalMs: 300 });
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

export async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor: 1 }] });
    await topicLeaders(admin, topic, numPartitions);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until each of the topic's `numPartitions` partitions has a leader. Not kafkajs' waitForLeaders: it gives up
 * when the broker does not list the new topic yet (a loaded broker answers UNKNOWN_TOPIC_OR_PARTITION for a moment
 * after CreateTopics), where waiting a little more is the answer.
 */
export async function topicLeaders(admin: Admin, topic: string, numPartitions: number): Promise<void> {
  await waitFor(
    async () => {
      const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      return (
        (described.partitions.length === numPartitions && described.partitions.every((p) => p.leader >= 0)) || undefined
      );
    },
    { what: `a leader for each of the ${numPartitions} partitions of ${topic}` },
  );
}

/**
 * A producer that writes each record once, for filling source topics. kafkajs retries a whole Produce request when
 * the broker refuses one partition of it (a partition just added answers NOT_LEADER_OR_FOLLOWER for a moment), so
 * without idempotence the partitions accepted the first time get the same records again, and a mirror test blames
 * the mirror for them. Idempotent, the broker drops those repeats by their sequence numbers.
 */
export function sourceProducer(kafka: Kafka): Producer {
  return kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
}

/**
 * Fills `topic` (create it with one partition) from one transactional producer: committed transactions, aborted
 * ones and a record outside any transaction between them. Each record has key `k-<value>`, a timestamp from `base`
 * and header `t` = its value. Returns the values a read_committed reader sees, in log order.
 */
export async function transactionalSource(kafka: Kafka, topic: string, base: number): Promise<string[]> {
  const producer = kafka.producer({ transactionalId: `${topic}-txid`, maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  try {
    const inTxn = async (values: string[], commit: boolean) => {
      const t = await producer.transaction();
      await t.send({
        topic,
        messages: values.map((value, i) => ({
          key: `k-${value}`,
          value,
          timestamp: String(base + i),
          headers: { t: value },
        })),
      });
      await (commit ? t.commit() : t.abort());
    };
    await inTxn(['c1', 'c2', 'c3'], true);
    await inTxn(['aborted-1', 'aborted-2'], false);
    await producer.send({ topic, messages: [{ value: 'plain' }] });
    await inTxn(['c4', 'c5'], true);
    await inTxn(['aborted-3'], false);
    await inTxn(['c6'], true);
  } finally {
    await producer.disconnect();
  }
  return ['c1', 'c2', 'c3', 'plain', 'c4', 'c5', 'c6'];
}

export async function produce(kafka: Kafka, topic: string, messages: Message[]): Promise<void> {
  const producer = sourceProducer(kafka);
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 5000)
      await producer.send({ topic, messages: messages.slice(i, i + 5000) });
  } finally {
    await producer.disconnect();
  }
}

export interface Consumed {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: string;
  raw: KafkaMessage;
}

const headerText = (h: IHeaders | undefined) =>
  Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)]));

/** Reads a topic from the beginning until `count` records arrived (or the timeout passed: then returns what came). */
export async function consume(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 40_000,
  /** Instead of counting: read until this says the records so far are enough (e.g. all distinct values seen). */
  until?: (record: Consumed) => boolean,
): Promise<Consumed[]> {
  const consumer = kafka.consumer({ groupId: unique('test-reader'), maxWaitTimeInMs: 200 });
  const out: Consumed[] = [];
  // A group rebalance (e.g. the topic grew partitions while we read) hands out records again from the last commit:
  // the same stored record twice is one record (a record written twice has two offsets and is still counted twice).
  const seen = new Set<string>();
  await consumer.connect();
  try {
    await waitFor(async () => (await topicExists(kafka, topic)) || undefined, { timeoutMs, what: `topic ${topic}` });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let resolve!: () => void;
    const enough = new Promise<void>((r) => (resolve = r));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const at = `${partition}:${message.offset}`;
        if (seen.has(at)) return;
        seen.add(at);
        const record: Consumed = {
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: headerText(message.headers),
          timestamp: message.timestamp,
          raw: message,
        };
        out.push(record);
        if (until ? until(record) : out.length >= count) resolve();
      },
    });
    await Promise.race([enough, new Promise((r) => setTimeout(r, timeoutMs))]);
    return out;
  } finally {
    await consumer.disconnect();
  }
}

export async function topicExists(kafka: Kafka, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

export async function partitionCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0].partitions.length;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The barrier before checking that nothing more arrives on the target: the connector's positions in the offsets topic
 * reached the source topic's end on every partition (or on `partitions`). A position commits in the transaction of
 * the records before it, so once there, everything the connector copied from the topic is committed and visible to
 * a read_committed read; a later read that finds nothing more is no matter of waiting long enough.
 */
export async function positionsAtSourceEnd(connector: string, topic: string, partitions?: number[]): Promise<void> {
  const admin = sourceKafka().admin();
  await admin.connect();
  let ends: { partition: number; high: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const wanted = ends.filter((e) => !partitions || partitions.includes(e.partition));
  await waitFor(
    async () => {
      const at = new Map<number, bigint>();
      for (const [key, value] of await storedOffsets(connector, TARGET())) {
        const [, where] = JSON.parse(key) as [string, { topic: string; partition: number }];
        if (where.topic === topic) at.set(where.partition, BigInt(String(value.offset)));
      }
      return wanted.every((e) => (at.get(e.partition) ?? -1n) >= BigInt(e.high)) || undefined;
    },
    { what: `${connector}'s positions at the end of ${topic} (${JSON.stringify(wanted)})`, everyMs: 250 },
  );
}

/** One mirror worker on a temp store for a whole describe block: started before its tests, stopped after. */
export function mirrorWorkerForSuite(): { readonly store: ConnectorStore } {
  let store: ConnectorStore | undefined;
  let worker: { stop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    store = await tempStore();
    worker = startWorker(store);
  });
  afterAll(async () => {
    await worker?.stop();
    await store?.close();
  });
  return {
    get store(): ConnectorStore {
      if (!store) throw new Error('the mirror worker starts in beforeAll');
      return store;
    },
  };
}
