// `dsc tigergraph` end to end: a connector loads into the target, the hand-off files are written, and kcat —
// librdkafka, as TigerGraph's Kafka loader is — reads every listed partition with exactly the generated broker and
// kafka_config. What it reads must equal the file (or the mirrored source), record by record.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../shared/cli/main.js';
import type { CliIo } from '../../shared/cli/io.js';
import type { ConnectorSpec } from '../../shared/config/spec.js';
import { writeHandoff } from '../../shared/tigergraph/gather.js';
import { requireService } from '../services/env.js';
import { BROKERS, csvLines, fileSpec, harnessPerTest, tempDir, unique } from './file-helpers.js';
import {
  createConnector,
  createTopic,
  mirrorSpec,
  mirrorWorkerForSuite,
  produce,
  sourceKafka,
} from './mirror-helpers.js';

const run = promisify(execFile);
const env = (k: string) => requireService(k);
const PLAINTEXT_TARGET = () => ({ brokers: BROKERS().split(','), security: { protocol: 'PLAINTEXT' as const } });

interface DataSource {
  broker: string;
  kafka_config: Record<string, string>;
}
interface TopicFile {
  topic: string;
  partition_list: { start_offset: number; partition: number }[];
}

/** Every record of every partition the topic file lists, read by kcat with the data source's settings only. */
async function kcatRead(dir: string, topicFile: string): Promise<string[][]> {
  const ds = JSON.parse(readFileSync(join(dir, 'datasource.json'), 'utf8')) as DataSource;
  const tf = JSON.parse(readFileSync(join(dir, topicFile), 'utf8')) as TopicFile;
  const x = Object.entries(ds.kafka_config).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  const out: string[][] = [];
  for (const { partition, start_offset } of tf.partition_list) {
    expect(start_offset).toBe(-2);
    const args = ['-C', '-b', ds.broker, '-t', tf.topic, '-p', String(partition), '-o', 'beginning', '-e', '-q'];
    const { stdout } = await run('kcat', [...args, '-f', '%s\\n', ...x], {
      // kinit (librdkafka's sasl.kerberos.kinit.cmd) reads the KDC from KRB5_CONFIG; a private ticket cache.
      env: { ...process.env, KRB5CCNAME: `FILE:${join(dir, 'krb5cc')}` },
      maxBuffer: 64 << 20,
    });
    out.push(stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n'));
  }
  return out;
}

const mode = (path: string) => statSync(path).mode & 0o777;

function kerberosProducer(): Record<string, string> {
  const krb5 =
    'com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true ' +
    `keyTab=\\"${env('DSC_TEST_KEYTAB')}\\" principal=\\"${env('DSC_TEST_PRINCIPAL')}\\";`;
  const pw = env('DSC_TEST_STORE_PASSWORD');
  return {
    'target.cluster.bootstrap.servers': env('KAFKA_GSSAPI_BROKERS'),
    'producer.security.protocol': 'SASL_SSL',
    'producer.sasl.mechanism': 'GSSAPI',
    'producer.sasl.kerberos.service.name': 'kafka',
    'producer.sasl.jaas.config': krb5,
    'producer.ssl.endpoint.identification.algorithm': '',
    'producer.ssl.keystore.location': env('DSC_TEST_KEYSTORE_JKS'),
    'producer.ssl.keystore.password': pw,
    'producer.ssl.key.password': pw,
    'producer.ssl.truststore.location': env('DSC_TEST_TRUSTSTORE_JKS'),
    'producer.ssl.truststore.password': pw,
  };
}

const options = (name: string, dir: string) => ({ name, graph: 'social', dataSource: 'k1', pathPrefix: dir });

describe('dsc tigergraph: kcat reads what the hand-off files point at', () => {
  const newHarness = harnessPerTest();

  it('file connector → plaintext listener, 3 partitions', async () => {
    const lines = csvLines(600, 'plain');
    const src = tempDir({ 'people.csv': `id,name,rest\n${lines.join('\n')}\n` });
    const topic = unique('tg-plain');
    const h = await newHarness();
    const spec = fileSpec(topic, {
      topic,
      'file.uris': join(src, 'people.csv'),
      'file.reader.text.header': true,
      'num.partitions': 3,
      'tasks.max': 1,
    });
    await h.create(spec);
    await h.waitFor(topic, ['FINISHED'], 60_000);
    const dir = mkdtempSync(join(tmpdir(), 'dsc-tg-'));
    const written = await writeHandoff(spec, PLAINTEXT_TARGET(), dir, options(topic, dir));
    expect(written.topics[0].partitions).toEqual([0, 1, 2]);
    const read = (await kcatRead(dir, `topic_${topic}.json`)).flat();
    expect(read.sort()).toEqual([...lines].sort());
    const ds = JSON.parse(readFileSync(join(dir, 'datasource.json'), 'utf8')) as DataSource;
    expect(ds.kafka_config['isolation.level']).toBe('read_committed');
    expect(mode(join(dir, 'datasource.json'))).toBe(0o600);
    expect(readFileSync(join(dir, `load_${topic.replace(/-/g, '_')}.gsql`), 'utf8')).toContain('$0=id, $1=name');
  });

  it("file connector → GSSAPI + mutual TLS listener with the seed's producer.* keys (keytab, JKS stores)", async () => {
    const lines = csvLines(400, 'krb');
    const src = tempDir({ 'people.csv': `${lines.join('\n')}\n` });
    const topic = unique('tg-gssapi');
    const h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': join(src, 'people.csv'), ...kerberosProducer() });
    await h.create(spec);
    await h.waitFor(topic, ['FINISHED'], 60_000);
    const dir = mkdtempSync(join(tmpdir(), 'dsc-tg-'));
    await writeHandoff(spec, PLAINTEXT_TARGET(), dir, options(topic, dir));
    const ds = JSON.parse(readFileSync(join(dir, 'datasource.json'), 'utf8')) as DataSource;
    expect(ds.broker).toBe(env('KAFKA_GSSAPI_BROKERS'));
    expect(ds.kafka_config).toMatchObject({
      'security.protocol': 'sasl_ssl',
      'sasl.mechanisms': 'GSSAPI',
      'sasl.kerberos.service.name': 'kafka',
      'sasl.kerberos.principal': env('DSC_TEST_PRINCIPAL'),
      'sasl.kerberos.keytab': env('DSC_TEST_KEYTAB'),
      'ssl.ca.location': join(dir, 'ca.pem'),
      'ssl.certificate.location': join(dir, 'client.crt.pem'),
      'ssl.key.location': join(dir, 'client.key.pem'),
    });
    for (const f of ['datasource.json', 'client.key.pem', 'client.crt.pem']) expect(mode(join(dir, f))).toBe(0o600);
    expect((await kcatRead(dir, `topic_${topic}.json`)).flat()).toEqual(lines);
  });
});

describe('dsc tigergraph: a mirror connector', () => {
  const worker = mirrorWorkerForSuite();

  it('lists every alias-prefixed target topic; kcat reads each partition as the source has it', async () => {
    const topic = unique('tg-mirror');
    const src = sourceKafka();
    await createTopic(src, topic, 2);
    const messages = Array.from({ length: 200 }, (_, i) => ({ value: `{"n":${i}}`, partition: i % 2 }));
    await produce(src, topic, messages);
    const name = unique('m-tg');
    const spec: ConnectorSpec = mirrorSpec(name, { topics: topic });
    await createConnector(worker.store, spec as never);
    const dir = mkdtempSync(join(tmpdir(), 'dsc-tg-'));
    const file = `topic_src.${topic}.json`;
    // Wait until the mirror created the topic and copied everything (a generous deadline, polled).
    const deadline = Date.now() + 60_000;
    let read: string[][] = [];
    for (;;) {
      await writeHandoff(spec, PLAINTEXT_TARGET(), dir, options(name, dir));
      try {
        read = await kcatRead(dir, file);
      } catch {
        read = [];
      }
      if (read.flat().length >= 200 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const expected = [0, 1].map((p) => messages.filter((m) => m.partition === p).map((m) => m.value));
    expect(read).toEqual(expected);
  });
});

describe('dsc tigergraph: no secret is printed', () => {
  it('the CLI prints paths, never the passwords it writes into the files', async () => {
    const state = mkdtempSync(join(tmpdir(), 'dsc-tg-state-'));
    const lines: string[] = [];
    const io: CliIo = {
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      env: { ...process.env, DSC_STATE_DIR: state },
      cwd: state,
    };
    delete io.env.DSC_URL;
    const topic = unique('tg-secret');
    const keys = Object.entries(kerberosProducer()).map(([k, v]) => `${k}=${v}`);
    const config = [
      'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
      'mode=eof',
      `topic=${topic}`,
      `file.uris=${tempDir({ 'a.csv': 'x\n' })}/a.csv`,
      ...keys,
      `[${topic}]`,
      `name=${topic}`,
      '',
    ].join('\n');
    writeFileSync(join(state, 'c.conf'), config);
    expect(await main(['create', '--c', 'c.conf'], io)).toBe(0);
    expect(await main(['tigergraph', topic, '--out', 'out'], io)).toBe(0);
    const printed = lines.join('\n');
    expect(printed).toContain('datasource.json');
    expect(printed).not.toContain(env('DSC_TEST_STORE_PASSWORD'));
    expect(printed).not.toContain('PRIVATE KEY');
    // The files do hold what TigerGraph needs.
    expect(readFileSync(join(state, 'out', 'client.key.pem'), 'utf8')).toContain('PRIVATE KEY');
    // And the API answers with no secret either.
    lines.length = 0;
    expect(await main(['list', topic, '--json'], io)).toBe(0);
    expect(lines.join('\n')).not.toContain(env('DSC_TEST_STORE_PASSWORD'));
  });
});
