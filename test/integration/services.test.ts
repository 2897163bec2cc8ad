// Smoke tests of the local test services (npm run services:up) with the clients the project uses:
// kafkajs 2.2.4 against Kafka 4.x (admin, produce, consumer group, transactions, SASL_SSL+SCRAM),
// fake-gcs-server, the Firestore emulator and the Schema Registry.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll } from 'vitest';
import { Kafka, logLevel, type KafkaConfig, type KafkaMessage } from 'kafkajs';
import { Storage } from '@google-cloud/storage';
import { Firestore } from '@google-cloud/firestore';
import { loadServicesEnv, requireReachableService, requireService } from '../services/env.js';
import { createTopic, topicLeaders } from './mirror-helpers.js';

loadServicesEnv();

const uid = () => randomUUID().slice(0, 8);

function kafka(brokers: string, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'dsc-services-test',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
    ...extra,
  });
}

function saslSsl(mechanism: 'scram-sha-512' | 'scram-sha-256'): Partial<KafkaConfig> {
  return {
    ssl: { ca: [readFileSync(requireService('SOURCE_KAFKA_CA_PEM'), 'utf8')] },
    sasl: {
      mechanism,
      username: requireService('SOURCE_KAFKA_SCRAM_USER'),
      password: requireService('SOURCE_KAFKA_SCRAM_PASSWORD'),
    } as KafkaConfig['sasl'],
  };
}

/** Consumes `topic` from the beginning with a fresh group until `count` messages arrived. */
async function consume(
  client: Kafka,
  topic: string,
  count: number,
  opts: { readUncommitted?: boolean; settleMs?: number } = {},
): Promise<KafkaMessage[]> {
  const consumer = client.consumer({
    groupId: `g-${topic}-${uid()}`,
    readUncommitted: opts.readUncommitted ?? false,
    maxWaitTimeInMs: 200,
  });
  const got: KafkaMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length}/${count} messages from ${topic}`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            got.push(message);
            if (got.length >= count) {
              clearTimeout(timer);
              // give a late/unexpected extra message a moment to show up
              setTimeout(resolve, opts.settleMs ?? 0);
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe('target Kafka (PLAINTEXT) with kafkajs', () => {
  let client: Kafka;
  beforeAll(async () => {
    client = kafka(await requireReachableService('kafka'));
  });

  it('creates a topic with the admin client and reads its metadata', async () => {
    const topic = `svc-admin-${uid()}`;
    const admin = client.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(true);
      await topicLeaders(admin, topic, 3);
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(md.topics[0].partitions).toHaveLength(3);
      expect(await admin.listTopics()).toContain(topic);
      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toHaveLength(1);
      await admin.deleteTopics({ topics: [topic] });
    } finally {
      await admin.disconnect();
    }
  });

  it('produces and consumes with a consumer group, committing offsets', async () => {
    const topic = `svc-pc-${uid()}`;
    await createTopic(client, topic, 2);
    const admin = client.admin();
    await admin.connect();
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { h: 'x' } })),
    });
    await producer.disconnect();

    const groupId = `g-commit-${uid()}`;
    const consumer = client.consumer({ groupId, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${values.length}/10`)), 30_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value!.toString());
            expect(message.headers?.h?.toString()).toBe('x');
            if (values.length === 10) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect(); // commits the consumed offsets
    expect(values.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());

    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0);
    expect(committed).toBe(10);
    await admin.disconnect();
  });

  it('runs a transactional producer (commit visible, abort invisible to read_committed)', async () => {
    const topic = `svc-tx-${uid()}`;
    await createTopic(client, topic, 1);

    const producer = client.producer({
      transactionalId: `tx-${uid()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ value: 'c1' }, { value: 'c2' }] });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ value: 'a1' }] });
    await aborted.abort();

    const last = await producer.transaction();
    await last.send({ topic, messages: [{ value: 'c3' }] });
    await last.commit();
    await producer.disconnect();

    const got = await consume(client, topic, 3, { settleMs: 500 });
    expect(got.map((m) => m.value!.toString())).toEqual(['c1', 'c2', 'c3']);
  });
});

describe('source Kafka with kafkajs', () => {
  it('produces and consumes over PLAINTEXT (19092)', async () => {
    const client = kafka(await requireReachableService('source-kafka'));
    const topic = `svc-src-${uid()}`; // auto-created
    const producer = client.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'plain' }] });
    await producer.disconnect();
    const got = await consume(client, topic, 1);
    expect(got[0].value!.toString()).toBe('plain');
  });

  for (const mechanism of ['scram-sha-512', 'scram-sha-256'] as const) {
    it(`admin + produce + consume over SASL_SSL with ${mechanism.toUpperCase()} and the CA PEM`, async () => {
      const client = kafka(await requireReachableService('source-kafka-sasl-ssl'), saslSsl(mechanism));
      const topic = `svc-sasl-${mechanism}-${uid()}`;
      await createTopic(client, topic, 1);
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'a', value: 'secure' }] });
      await producer.disconnect();
      const got = await consume(client, topic, 1);
      expect(got[0].value!.toString()).toBe('secure');
    });
  }

  it('rejects a wrong SCRAM password', async () => {
    const brokers = requireService('source-kafka-sasl-ssl');
    const cfg = saslSsl('scram-sha-512');
    const client = kafka(brokers, {
      ...cfg,
      sasl: { mechanism: 'scram-sha-512', username: 'dsc', password: 'wrong' },
      retry: { retries: 0 },
    });
    const admin = client.admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|authentic/i);
    await admin.disconnect();
  });
});

describe('fake-gcs-server', () => {
  it('stores and reads an object with @google-cloud/storage', async () => {
    await requireReachableService('gcs');
    const endpoint = requireService('gcs');
    const storage = new Storage({ apiEndpoint: endpoint, projectId: 'dsc-test' });
    // @google-cloud/storage 8 takes STORAGE_EMULATOR_HOST (when set in process.env) verbatim as its JSON
    // API base URL, without the /storage/v1 prefix fake-gcs-server serves: fix it up as the product does.
    storage.baseUrl = `${endpoint}/storage/v1`;
    const bucket = storage.bucket(`svc-${uid()}`);
    await bucket.create();
    await bucket.file('dir/hello.txt').save('hello gcs', { resumable: false });
    const [content] = await bucket.file('dir/hello.txt').download();
    expect(content.toString()).toBe('hello gcs');
    const [files] = await bucket.getFiles({ prefix: 'dir/' });
    expect(files.map((f) => f.name)).toEqual(['dir/hello.txt']);
  });
});

describe('Firestore emulator', () => {
  it('writes, reads and transacts with @google-cloud/firestore', async () => {
    await requireReachableService('firestore');
    const db = new Firestore({ projectId: 'dsc-test' }); // FIRESTORE_EMULATOR_HOST from env
    try {
      const ref = db.collection(`svc-${uid()}`).doc('state');
      await ref.set({ offset: 1, name: 'x' });
      await db.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        tx.update(ref, { offset: (snap.get('offset') as number) + 1 });
      });
      const snap = await ref.get();
      expect(snap.data()).toEqual({ offset: 2, name: 'x' });
    } finally {
      await db.terminate();
    }
  });
});

describe('Schema Registry (Confluent API)', () => {
  const schema = JSON.stringify({
    type: 'record',
    name: `Svc${uid()}`,
    fields: [{ name: 'id', type: 'long' }],
  });
  const headers = { 'content-type': 'application/vnd.schemaregistry.v1+json' };

  it('registers (idempotently) and fetches a schema by id and by subject', async () => {
    const base = await requireReachableService('schema-registry');
    const subject = `svc-${uid()}-value`;
    const register = () =>
      fetch(`${base}/subjects/${subject}/versions`, { method: 'POST', headers, body: JSON.stringify({ schema }) });
    const r1 = await register();
    expect(r1.status).toBe(200);
    const { id } = (await r1.json()) as { id: number };
    expect(((await (await register()).json()) as { id: number }).id).toBe(id);
    const byId = (await (await fetch(`${base}/schemas/ids/${id}`)).json()) as { schema: string };
    expect(JSON.parse(byId.schema)).toEqual(JSON.parse(schema));
    const latest = (await (await fetch(`${base}/subjects/${subject}/versions/latest`)).json()) as {
      id: number;
      version: number;
    };
    expect(latest).toMatchObject({ id, version: 1 });
    expect(await (await fetch(`${base}/subjects`)).json()).toContain(subject);
  });

  it('enforces basic auth on the auth endpoint', async () => {
    const base = await requireReachableService('schema-registry-auth');
    expect((await fetch(`${base}/subjects`)).status).toBe(401);
    const auth = Buffer.from(
      `${requireService('SCHEMA_REGISTRY_USER')}:${requireService('SCHEMA_REGISTRY_PASSWORD')}`,
    ).toString('base64');
    const res = await fetch(`${base}/subjects`, { headers: { authorization: `Basic ${auth}` } });
    expect(res.status).toBe(200);
    expect(Array.isArray(await res.json())).toBe(true);
  });
});
