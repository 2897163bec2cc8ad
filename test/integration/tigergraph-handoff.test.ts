// `dsc tigergraph` end to end: a connector loads into the target, the hand-off files are written, and kcat —
// librdkafka, as TigerGraph's Kafka loader is — reads every listed partition with exactly the generated broker and
// kafka_config. What it reads must equal the file (or the mirrored source), record by record.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../shared/cli/main.js';
import type { CliIo } from '../../shared/cli/io.js';
import type { ConnectorSpec } from '../../shared/config/spec.js';
import type { ObjectStorage, ReadOptions } from '../../shared/storage/object-storage.js';
import { storageFor } from '../../shared/storage/storage-router.js';
import { sampleFirstLine, writeHandoff } from '../../shared/tigergraph/gather.js';
import { requireService } from '../services/env.js';
import { BROKERS, csvLines, fileSpec, gcsBucket, gzip, harnessPerTest, tempDir, unique } from './file-helpers.js';
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

/**
 * The same client certificate and CA as the JKS stores (test/services/kdc.sh), exported by `openssl pkcs12 -export`
 * as users without a JDK make them: `legacy` uses RC2/3DES (OpenSSL 1.x's default), else OpenSSL 3's PBES2/AES-256.
 */
function opensslStores(legacy: { keyStore: boolean; trustStore: boolean }): Record<string, string> {
  const tls = dirname(env('DSC_TEST_KEYSTORE_JKS'));
  const dir = mkdtempSync(join(tmpdir(), 'dsc-tg-p12-'));
  const pw = 'openssl-store-pw';
  const exportP12 = (out: string, isLegacy: boolean, ...args: string[]) =>
    execFileSync(
      'openssl',
      ['pkcs12', '-export', ...(isLegacy ? ['-legacy'] : []), ...args, '-out', out, '-passout', `pass:${pw}`],
      { stdio: 'pipe' },
    );
  const key = join(dir, 'client.p12');
  const trust = join(dir, 'trust.p12');
  exportP12(key, legacy.keyStore, '-in', join(tls, 'client.pem'), '-inkey', join(tls, 'client.key'));
  exportP12(trust, legacy.trustStore, '-nokeys', '-in', join(tls, 'ca.pem'));
  return {
    'producer.ssl.keystore.type': 'PKCS12',
    'producer.ssl.keystore.location': key,
    'producer.ssl.keystore.password': pw,
    'producer.ssl.truststore.type': 'PKCS12',
    'producer.ssl.truststore.location': trust,
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

describe('dsc tigergraph: PKCS12 stores made by openssl pkcs12 -export', () => {
  const newHarness = harnessPerTest();

  it.each([
    ['AES key store, legacy (RC2) trust store', { keyStore: false, trustStore: true }],
    ['legacy (3DES) key store, AES trust store', { keyStore: true, trustStore: false }],
  ])('%s: the connector writes over mutual TLS, kcat reads with the converted PEM files', async (_, legacy) => {
    const lines = csvLines(300, 'p12');
    const src = tempDir({ 'people.csv': `${lines.join('\n')}\n` });
    const topic = unique('tg-p12');
    const h = await newHarness();
    const { 'producer.ssl.key.password': _keyPassword, ...producer } = {
      ...kerberosProducer(),
      ...opensslStores(legacy),
    };
    const spec = fileSpec(topic, { topic, 'file.uris': join(src, 'people.csv'), ...producer });
    await h.create(spec);
    await h.waitFor(topic, ['FINISHED'], 60_000);
    const dir = mkdtempSync(join(tmpdir(), 'dsc-tg-'));
    await writeHandoff(spec, PLAINTEXT_TARGET(), dir, options(topic, dir));
    const ds = JSON.parse(readFileSync(join(dir, 'datasource.json'), 'utf8')) as DataSource;
    expect(ds.kafka_config).toMatchObject({
      'ssl.ca.location': join(dir, 'ca.pem'),
      'ssl.certificate.location': join(dir, 'client.crt.pem'),
      'ssl.key.location': join(dir, 'client.key.pem'),
    });
    for (const f of ['client.key.pem', 'client.crt.pem']) expect(mode(join(dir, f))).toBe(0o600);
    expect((await kcatRead(dir, `topic_${topic}.json`)).flat()).toEqual(lines);
  });
});

/** The real storage adapters, counting the bytes each read returns (to show a sample is a ranged read). */
function countingStorage(): { storage: ObjectStorage; bytesRead: Map<string, number> } {
  const inner = storageFor();
  const bytesRead = new Map<string, number>();
  const storage: ObjectStorage = {
    handles: (uri) => inner.handles(uri),
    list: (uri, o) => inner.list(uri, o),
    stat: (uri) => inner.stat(uri),
    read: (uri: string, o?: ReadOptions) =>
      inner.read(uri, o).on('data', (c: Buffer) => bytesRead.set(uri, (bytesRead.get(uri) ?? 0) + c.length)),
  };
  return { storage, bytesRead };
}

const gsqlOf = (dir: string, name: string) => readFileSync(join(dir, `load_${name.replace(/-/g, '_')}.gsql`), 'utf8');

describe('dsc tigergraph: gs:// connectors (fake-gcs-server)', () => {
  const newHarness = harnessPerTest();

  it('CSV: the LOAD line names the columns from the header of the first matching object, read by range', async () => {
    const lines = csvLines(20_000, 'gcs'); // ~1 MB: a sample must not read it whole
    const bucket = await gcsBucket({
      'in/0-notes.txt': 'not,selected,by,file.regexp\n',
      'in/a.csv': `id,name,rest\n${lines.slice(0, 15_000).join('\n')}\n`,
      'in/b.csv': `id,name,rest\n${lines.slice(15_000).join('\n')}\n`,
    });
    const topic = unique('tg-gcs-csv');
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `gs://${bucket}/in/`,
      'file.regexp': '.*\\.csv',
      'file.reader.text.header': true,
      'num.partitions': 2,
    });
    const { storage, bytesRead } = countingStorage();
    const sample = await sampleFirstLine(spec, storage);
    expect(sample).toEqual({ uri: `gs://${bucket}/in/a.csv`, line: 'id,name,rest' });
    expect([...bytesRead.keys()]).toEqual([`gs://${bucket}/in/a.csv`]);
    expect(bytesRead.get(`gs://${bucket}/in/a.csv`)).toBeLessThanOrEqual(4096);

    const h = await newHarness();
    await h.create(spec);
    await h.waitFor(topic, ['FINISHED'], 60_000);
    const dir = mkdtempSync(join(tmpdir(), 'dsc-tg-'));
    const written = await writeHandoff(spec, PLAINTEXT_TARGET(), dir, options(topic, dir));
    expect(written.topics[0].sample).toEqual({ from: `gs://${bucket}/in/a.csv` });
    const gsql = gsqlOf(dir, topic);
    expect(gsql).toContain('  // $0=id, $1=name, $2=rest\n');
    expect(gsql).toContain('VALUES ($0, $1, $2) USING separator=",";');
    expect((await kcatRead(dir, `topic_${topic}.json`)).flat().sort()).toEqual([...lines].sort());
  });

  it('JSON lines: the LOAD line names the fields of the first record', async () => {
    const records = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i, name: `n${i}`, tags: ['a', i] }));
    const bucket = await gcsBucket({ 'events.jsonl': `\n${records.join('\n')}\n` });
    const topic = unique('tg-gcs-json');
    const spec = fileSpec(topic, { topic, 'file.uris': `gs://${bucket}/events.jsonl` });
    const h = await newHarness();
    await h.create(spec);
    await h.waitFor(topic, ['FINISHED'], 60_000);
    const dir = mkdtempSync(join(tmpdir(), 'dsc-tg-'));
    await writeHandoff(spec, PLAINTEXT_TARGET(), dir, options(topic, dir));
    expect(gsqlOf(dir, topic)).toContain('VALUES ($"id", $"name", $"tags") USING JSON_FILE="true";');
    expect((await kcatRead(dir, `topic_${topic}.json`)).flat()).toEqual(records);
  });

  it('a gzip object is inflated as far as the first bytes go; a header past 256 KiB is not sampled', async () => {
    const body = `{"k":1,"v":"x"}\n${csvLines(50_000, 'z').join('\n')}\n`;
    const long = `${'c'.repeat(300 * 1024)},d\n1,2\n`;
    const bucket = await gcsBucket({ 'a/x.jsonl.gz': gzip(body), 'b/long.csv': long });
    const { storage, bytesRead } = countingStorage();
    const gz = fileSpec('gz', { topic: 't', 'file.uris': `gs://${bucket}/a/` });
    expect(await sampleFirstLine(gz, storage)).toEqual({ uri: `gs://${bucket}/a/x.jsonl.gz`, line: '{"k":1,"v":"x"}' });
    expect(bytesRead.get(`gs://${bucket}/a/x.jsonl.gz`)).toBeLessThanOrEqual(4096);
    const wide = fileSpec('wide', {
      topic: 't',
      'file.uris': `gs://${bucket}/b/long.csv`,
      'file.reader.text.header': true,
    });
    expect(await sampleFirstLine(wide, storage)).toEqual({
      uri: `gs://${bucket}/b/long.csv`,
      reason: 'no end of line in its first 256 KiB',
    });
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
    // Wait until the mirror created the topic and copied everything (a generous deadline, polled: a loaded machine's
    // mirror start, topic creation and kcat runs can take a minute).
    const deadline = Date.now() + 180_000;
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
