// The file task against an in-memory fake of the Kafka port: records go out as bytes in order, one batch in flight,
// checkpoints only after acknowledgement, headers on or off, dead letters, and bytes passed through unchanged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConnectorConfig } from '../../../shared/config/index.js';
import type { FileConnectorSpec } from '../../../shared/config/spec.js';
import { InProcessDispatcher } from '../../../shared/dispatch/in-process-dispatcher.js';
import type { FileCheckpoint } from '../../../shared/file/file-assignment.js';
import type { FileConnectorContext } from '../../../shared/file/file-connector-context.js';
import { fileHandlers } from '../../../shared/file/file-handlers.js';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import type { ConnectorStore } from '../../../shared/lifecycle/store.js';
import { silentLogger } from '../../../shared/runtime/log.js';
import { FakeKafka } from '../kafka/fake-kafka.js';

let store: ConnectorStore | undefined;
let seq = 0;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

function spec(keys: Record<string, string | number>): FileConnectorSpec {
  const name = `t${++seq}`;
  const lines = Object.entries({
    'connector.class': 'com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    mode: 'eof',
    topic: name,
    ...keys,
  }).map(([k, v]) => `${k}=${v}`);
  const parsed = parseConnectorConfig(`${lines.join('\n')}\n[${name}]\nname=${name}\n`, { fileName: 'x.conf' });
  return parsed.specs[0] as FileConnectorSpec;
}

function file(content: string | Buffer, name = 'f.csv'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'dsc-task-')), name);
  writeFileSync(path, content);
  return path;
}

async function run(fake: FakeKafka, s: FileConnectorSpec): Promise<ConnectorStore> {
  store = await SqliteConnectorStore.open(':memory:');
  const dispatcher = new InProcessDispatcher(undefined, silentLogger);
  const ctx: FileConnectorContext = {
    store,
    dispatcher,
    log: silentLogger,
    target: { brokers: ['fake:9092'], security: { protocol: 'PLAINTEXT' } },
    kafka: () => fake.client(),
  };
  dispatcher.setHandlers(fileHandlers(ctx, { leaseMs: 5_000 }));
  const now = new Date().toISOString();
  await store.createConnectors([
    { name: s.name, kind: 'file', spec: s, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
  ]);
  await dispatcher.plan({ connector: s.name, epoch: 1 });
  await dispatcher.idle();
  return store;
}

const LINES = Array.from({ length: 250 }, (_, i) => `${i},name ${i},caf\u00e9`);

describe('file task over the Kafka port', () => {
  it('sends every line in order as bytes, one batch in flight, with provenance headers', async () => {
    const fake = new FakeKafka();
    const s = spec({
      'file.uris': file(LINES.join('\n') + '\n'),
      'file.reader.batch.size': 100,
      'file.reader.provenance.headers': 'true',
    });
    const st = await run(fake, s);
    expect(fake.values(s.topic)).toEqual(LINES);
    // 250 records at 100 per batch: 3 batches (each one send), then the final empty checkpoint batch sends nothing.
    expect(fake.sends.map((r) => r.reduce((n, x) => n + x.batch.recordCount, 0))).toEqual([100, 100, 50]);
    expect(fake.maxInFlightSeen).toBe(1);
    const [first] = fake.records(s.topic);
    expect(first.headers.map(([k, v]) => [k, v?.toString()])).toEqual([
      ['dsc.source', `file://${s.uris[0]}`],
      ['dsc.line', '1'],
    ]);
    const [task] = await st.listTasks(s.name);
    expect(task.state).toBe('FINISHED');
    expect(task.progress.records).toBe(250);
  });

  it('by default records carry no headers: bare values', async () => {
    const fake = new FakeKafka();
    const s = spec({ 'file.uris': file('a\nb\n') });
    await run(fake, s);
    expect(fake.records(s.topic).map((r) => [r.value!.toString(), r.headers])).toEqual([
      ['a', []],
      ['b', []],
    ]);
  });

  it('passes invalid UTF-8 and value.default-filled lines through as bytes', async () => {
    const fake = new FakeKafka();
    const bad = Buffer.from([0x61, 0x2c, 0xff, 0xfe, 0x2c, 0x62]);
    const content = Buffer.concat([bad, Buffer.from('\nx,,\xff\n', 'latin1')]);
    const s = spec({ 'file.uris': file(content), 'file.reader.delimited.value.default': 'NULL' });
    await run(fake, s);
    const values = fake.records(s.topic).map((r) => r.value!);
    expect(values[0]).toEqual(bad);
    expect(values[1]).toEqual(Buffer.from('x,NULL,\xff', 'latin1'));
  });

  it('splits a batch into record batches under the topic max.message.bytes', async () => {
    const fake = new FakeKafka();
    fake.maxBatchBytes = 4096 + 1024;
    const s = spec({ 'file.uris': file(LINES.join('\n')), 'file.reader.batch.size': 1000 });
    await run(fake, s);
    expect(fake.values(s.topic)).toEqual(LINES);
    expect(fake.sends).toHaveLength(1);
    expect(fake.sends[0].length).toBeGreaterThan(1);
    expect(fake.sends[0].every((r) => r.batch.bytes.length <= 4096)).toBe(true);
  });

  it('bad records go to the dead-letter topic with provenance and error context', async () => {
    const fake = new FakeKafka();
    const s = spec({
      'file.uris': file('{"a":1}\n{oops\n{"b":2}\n', 'x.json'),
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'dlq-t',
      'errors.deadletterqueue.context.headers.enable': 'true',
    });
    fake.createTopic('dlq-t');
    const st = await run(fake, s);
    expect(fake.values(s.topic)).toEqual(['{"a":1}', '{"b":2}']);
    const [dead] = fake.records('dlq-t');
    expect(dead.value!.toString()).toBe('{oops');
    const h = Object.fromEntries(dead.headers.map(([k, v]) => [k, v?.toString()]));
    expect(h['dsc.line']).toBe('2');
    expect(h['__connect.errors.stage']).toBe('TASK_POLL');
    expect((await st.listTasks(s.name))[0].progress.errors).toBe(1);
  });

  it('a failed send fails the task and checkpoints only what was acknowledged', async () => {
    const fake = new FakeKafka();
    const s = spec({ 'file.uris': file(LINES.join('\n') + '\n'), 'file.reader.batch.size': 100 });
    let sends = 0;
    const client = fake.client();
    const producer = client.producer;
    client.producer = (o) => {
      const p = producer(o);
      const send = p.send.bind(p);
      p.send = (r) => (++sends === 2 ? Promise.reject(new Error('NOT_ENOUGH_REPLICAS')) : send(r));
      return p;
    };
    fake.client = () => client;
    const st = await run(fake, s);
    const [task] = await st.listTasks(s.name);
    expect(task.state).toBe('FAILED');
    expect(task.lastError).toContain('NOT_ENOUGH_REPLICAS');
    expect(task.progress.records).toBe(100);
    expect((task.checkpoint as FileCheckpoint).offset).toBe(Buffer.byteLength(LINES.slice(0, 100).join('\n') + '\n'));
  });
});
