// `dsc tigergraph` against a deployment (DSC_URL): the CLI talks to a live management API (functions-framework
// server, token auth, the file vault standing in for Secret Manager), which never returns a secret. Each secret in
// datasource.json is a placeholder naming the Secret Manager secret that holds it; nothing secret is printed; the
// files are 0600. The test then plays the user: pastes each value from the vault into the placeholders, follows the
// printed store conversion steps, and reads the topic with kcat (librdkafka, as TigerGraph's loader) record by record.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../shared/cli/io.js';
import { main } from '../../shared/cli/main.js';
import { parseJaasConfig } from '../../shared/config/jaas-config.js';
import { NoopDispatcher } from '../../shared/dispatch/noop-dispatcher.js';
import { tokenAuth } from '../../shared/lifecycle/auth.js';
import { FileSecretVault } from '../../shared/lifecycle/file-secret-vault.js';
import { createManagementHandler } from '../../shared/lifecycle/management-api.js';
import { connectorLabel, secretId } from '../../shared/lifecycle/secret-manager-vault.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { requireService } from '../services/env.js';
import { BROKERS } from './file-helpers.js';
import { createTopic, produce, sourceKafka, unique } from './mirror-helpers.js';

const run = promisify(execFile);
const env = (k: string) => requireService(k);
const FILE_CLASS = 'com.tigergraph.kafka.connect.filesystem.FsSourceConnector';
const SCRAM_PASSWORD = () => env('SOURCE_KAFKA_SCRAM_PASSWORD');
const scramJaas = () =>
  'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
  `username="${env('SOURCE_KAFKA_SCRAM_USER')}" password="${SCRAM_PASSWORD()}";`;

interface DataSource {
  broker: string;
  kafka_config: Record<string, string>;
}

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every record of each partition, read by kcat with exactly this data source's broker and kafka_config. */
async function kcatRead(
  ds: DataSource,
  topic: string,
  partitions: number[],
  extraEnv: Record<string, string> = {},
): Promise<string[][]> {
  const x = Object.entries(ds.kafka_config).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  const out: string[][] = [];
  for (const p of partitions) {
    const args = ['-C', '-b', ds.broker, '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-q', '-f', '%s\\n'];
    // kinit (librdkafka's sasl.kerberos.kinit.cmd) reads the KDC from KRB5_CONFIG.
    const { stdout } = await run('kcat', [...args, ...x], {
      maxBuffer: 16 << 20,
      env: { ...process.env, ...extraEnv },
    });
    out.push(stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n'));
  }
  return out;
}

describe('dsc tigergraph against a deployment (DSC_URL)', () => {
  const root = mkdtempSync(join(tmpdir(), 'dsc-tg-deploy-'));
  const vaultFile = join(root, 'state', 'secrets.json');
  let store: SqliteConnectorStore;
  let server: ReturnType<typeof getTestServer>;
  let url = '';

  beforeAll(async () => {
    store = await SqliteConnectorStore.openStateDir(join(root, 'state'));
    const handler = createManagementHandler({
      store,
      dispatcher: new NoopDispatcher(),
      vault: new FileSecretVault(vaultFile),
      auth: tokenAuth('tg-token'),
      log: silentLogger,
    });
    http('manage-tigergraph-test', handler);
    server = getTestServer('manage-tigergraph-test');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Runs the CLI in a fresh working directory holding `config`, against the API; returns what it printed. */
  async function dsc(config: string, name: string, extraEnv: Record<string, string> = {}) {
    const cwd = mkdtempSync(join(root, 'cli-'));
    writeFileSync(join(cwd, 'c.conf'), config);
    const lines: string[] = [];
    const io: CliIo = {
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
      // The CLI's own state folder is never used: everything goes over HTTP.
      env: { PATH: process.env.PATH, DSC_STATE_DIR: 'local-state', DSC_URL: url, DSC_TOKEN: 'tg-token', ...extraEnv },
      cwd,
    };
    expect(await main(['create', '--c', 'c.conf'], io)).toBe(0);
    const code = await main(['tigergraph', name, '--out', 'out'], io);
    const out = join(cwd, 'out');
    const files = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    return { code, printed: lines.join('\n'), out, files, cwd };
  }

  const vaulted = (): Record<string, Record<string, string>> =>
    (JSON.parse(readFileSync(vaultFile, 'utf8')) as { secrets: Record<string, Record<string, string>> }).secrets;

  /** The user's paste: each `<paste option="..." of secret ID>` gets that JAAS option of the secret's value. */
  function paste(ds: DataSource, connector: string): DataSource {
    const byId = new Map(Object.entries(vaulted()[connector]).map(([key, value]) => [secretId(connector, key), value]));
    const config = Object.fromEntries(
      Object.entries(ds.kafka_config).map(([k, v]) => {
        const m = /^<paste (\w+)="\.\.\." of secret ([\w-]+)>$/.exec(v);
        if (!m) return [k, v];
        const jaas = parseJaasConfig(byId.get(m[2])!);
        if (!jaas.ok) throw new Error(jaas.reason);
        return [k, jaas.config.options[m[1]]];
      }),
    );
    return { ...ds, kafka_config: config };
  }

  it('SASL_SSL + SCRAM target: placeholders name the secret, nothing secret printed, 0600; the pasted values log in', async () => {
    const topic = unique('tg-dep-scram');
    const name = unique('tg-dep');
    const src = sourceKafka();
    await createTopic(src, topic, 2);
    const messages = Array.from({ length: 120 }, (_, i) => ({ value: `v${i},${topic}`, partition: i % 2 }));
    await produce(src, topic, messages);
    const config = [
      `connector.class=${FILE_CLASS}`,
      'mode=eof',
      `topic=${topic}`,
      'file.uris=gs://unused-bucket/in/',
      `target.cluster.bootstrap.servers=${env('SOURCE_KAFKA_SASL_SSL_BROKERS')}`,
      'producer.security.protocol=SASL_SSL',
      'producer.sasl.mechanism=SCRAM-SHA-512',
      `producer.sasl.jaas.config=${scramJaas()}`,
      'producer.ssl.truststore.type=PEM',
      `producer.ssl.truststore.location=${env('SOURCE_KAFKA_CA_PEM')}`,
      `[${name}]`,
      `name=${name}`,
      '',
    ].join('\n');
    const r = await dsc(config, name, { STORAGE_EMULATOR_HOST: env('STORAGE_EMULATOR_HOST') });
    expect(r.code).toBe(0);

    // The secret the placeholders name is the one the vault holds the JAAS config under (Secret Manager's id is
    // secretId(connector, key): the same key gives the same id).
    expect(vaulted()[name]['producer.sasl.jaas.config']).toBe(scramJaas());
    const id = secretId(name, 'producer.sasl.jaas.config');
    const ds = JSON.parse(r.files['datasource.json']) as DataSource;
    expect(ds).toEqual({
      broker: env('SOURCE_KAFKA_SASL_SSL_BROKERS'),
      kafka_config: {
        'isolation.level': 'read_committed',
        'security.protocol': 'sasl_ssl',
        'sasl.mechanisms': 'SCRAM-SHA-512',
        'sasl.username': `<paste username="..." of secret ${id}>`,
        'sasl.password': `<paste password="..." of secret ${id}>`,
        'ssl.ca.location': join(r.out, 'ca.pem'),
      },
    });
    // The PEM trust store needs no secret: copied, public.
    expect(r.files['ca.pem'].trim()).toBe(readFileSync(env('SOURCE_KAFKA_CA_PEM'), 'utf8').trim());
    expect(mode(join(r.out, 'datasource.json'))).toBe(0o600);
    expect(mode(join(r.out, 'ca.pem'))).toBe(0o644);
    expect(r.printed).toContain(`gcloud secrets versions access latest --secret=${id}`);
    expect(r.printed).toContain(`labels.dsc-connector=${connectorLabel(name)}`);
    expect(r.printed).toContain('datasource.json (mode 0600');
    // The bucket does not exist: the sample is missing, said so, and the command still succeeds.
    expect(r.printed).toMatch(/LOAD line not sampled \(.*\): finish it by hand/);
    expect(JSON.parse(r.files[`topic_${topic}.json`])).toEqual({ topic, default_start_offset: -2 });
    for (const text of [r.printed, ...Object.values(r.files)]) {
      expect(text).not.toContain(SCRAM_PASSWORD());
      expect(text).not.toContain('ScramLoginModule');
    }

    // The pasted credentials are the connector's: they log in and see every record. (Not kcat here: Debian's
    // librdkafka 2.0.2 cannot SCRAM against Kafka 4, which rejects its nonce; fixed in librdkafka 2.6.1, #4895.)
    const pasted = paste(ds, name).kafka_config;
    const client = new Kafka({
      brokers: [ds.broker],
      ssl: { ca: [readFileSync(pasted['ssl.ca.location'], 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username: pasted['sasl.username'], password: pasted['sasl.password'] },
      logLevel: logLevel.NOTHING,
    });
    const admin = client.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.map((o) => Number(o.high)).sort()).toEqual([60, 60]);
    } finally {
      await admin.disconnect();
    }
  });

  it("GSSAPI + JKS stores (the seed's producer.* keys): principal and keytab from the secret, stores to convert", async () => {
    const name = unique('tg-dep-krb');
    const topic = unique('tg-dep-krb');
    const pw = env('DSC_TEST_STORE_PASSWORD');
    const config = [
      `connector.class=${FILE_CLASS}`,
      'mode=eof',
      `topic=${topic}`,
      'file.uris=/nonexistent/in/',
      `target.cluster.bootstrap.servers=${env('KAFKA_GSSAPI_BROKERS')}`,
      'producer.security.protocol=SASL_SSL',
      'producer.sasl.mechanism=GSSAPI',
      'producer.sasl.kerberos.service.name=kafka',
      'producer.sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true ' +
        `keyTab="${env('DSC_TEST_KEYTAB')}" principal="${env('DSC_TEST_PRINCIPAL')}";`,
      `producer.ssl.keystore.location=${env('DSC_TEST_KEYSTORE_JKS')}`,
      `producer.ssl.keystore.password=${pw}`,
      `producer.ssl.key.password=${pw}`,
      `producer.ssl.truststore.location=${env('DSC_TEST_TRUSTSTORE_JKS')}`,
      `producer.ssl.truststore.password=${pw}`,
      `[${name}]`,
      `name=${name}`,
      '',
    ].join('\n');
    const r = await dsc(config, name);
    expect(r.code).toBe(0);
    const id = secretId(name, 'producer.sasl.jaas.config');
    const ds = JSON.parse(r.files['datasource.json']) as DataSource;
    expect(ds.kafka_config).toMatchObject({
      'sasl.kerberos.principal': `<paste principal="..." of secret ${id}>`,
      'sasl.kerberos.keytab': `<paste keyTab="..." of secret ${id}>`,
      'ssl.ca.location': join(r.out, 'ca.pem'),
      'ssl.certificate.location': join(r.out, 'client.crt.pem'),
      'ssl.key.location': join(r.out, 'client.key.pem'),
    });
    // The stores need their passwords, which the API does not return: not converted, the steps printed instead.
    expect(Object.keys(r.files).sort()).toEqual(
      ['datasource.json', `load_${name.replace(/-/g, '_')}.gsql`, `topic_${topic}.json`].sort(),
    );
    expect(r.printed).toContain(`write ca.pem from producer.ssl.truststore.location ${env('DSC_TEST_TRUSTSTORE_JKS')}`);
    expect(r.printed).toContain(`from producer.ssl.keystore.location ${env('DSC_TEST_KEYSTORE_JKS')}`);
    expect(mode(join(r.out, 'datasource.json'))).toBe(0o600);
    for (const text of [r.printed, ...Object.values(r.files)]) expect(text).not.toContain(pw);

    // The user's steps: paste the principal and keytab, convert the stores with the printed commands, and the loader
    // (kcat) reads what the connector's topic holds.
    const pasted = paste(ds, name);
    expect(pasted.kafka_config).toMatchObject({
      'sasl.kerberos.principal': env('DSC_TEST_PRINCIPAL'),
      'sasl.kerberos.keytab': env('DSC_TEST_KEYTAB'),
    });
    const tool = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { cwd: r.out, stdio: 'pipe' });
    tool(
      'keytool',
      '-exportcert',
      '-rfc',
      '-alias',
      'dsc-test-ca',
      '-keystore',
      env('DSC_TEST_TRUSTSTORE_JKS'),
      '-file',
      'ca.pem',
      '-storepass',
      pw,
    );
    tool(
      'keytool',
      '-importkeystore',
      '-srckeystore',
      env('DSC_TEST_KEYSTORE_JKS'),
      '-destkeystore',
      'client.p12',
      '-deststoretype',
      'PKCS12',
      '-srcstorepass',
      pw,
      '-deststorepass',
      pw,
    );
    tool(
      'openssl',
      'pkcs12',
      '-in',
      'client.p12',
      '-clcerts',
      '-nokeys',
      '-out',
      'client.crt.pem',
      '-passin',
      `pass:${pw}`,
    );
    tool(
      'openssl',
      'pkcs12',
      '-in',
      'client.p12',
      '-nocerts',
      '-nodes',
      '-out',
      'client.key.pem',
      '-passin',
      `pass:${pw}`,
    );
    const target = new Kafka({ brokers: [BROKERS()], logLevel: logLevel.NOTHING });
    await createTopic(target, topic, 2);
    const messages = Array.from({ length: 80 }, (_, i) => ({ value: `k${i}`, partition: i % 2 }));
    await produce(target, topic, messages);
    const read = await kcatRead(pasted, topic, [0, 1], { KRB5CCNAME: `FILE:${join(r.out, 'krb5cc')}` });
    expect(read).toEqual([0, 1].map((p) => messages.filter((m) => m.partition === p).map((m) => m.value)));
  });

  it("the deployment's own target (KAFKA_* here): the username from the environment, the password named by infra", async () => {
    const name = unique('tg-dep-env');
    const topic = unique('tg-dep-env');
    const config = [
      `connector.class=${FILE_CLASS}`,
      'mode=eof',
      `topic=${topic}`,
      'file.uris=/nonexistent/',
      `[${name}]`,
      `name=${name}`,
      '',
    ].join('\n');
    const r = await dsc(config, name, {
      KAFKA_BROKERS: env('SOURCE_KAFKA_SASL_SSL_BROKERS'),
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: env('SOURCE_KAFKA_SCRAM_USER'),
      KAFKA_SASL_PASSWORD: SCRAM_PASSWORD(),
      KAFKA_SSL_CA_PEM: env('SOURCE_KAFKA_CA_PEM'),
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.files['datasource.json']).kafka_config).toMatchObject({
      'sasl.username': env('SOURCE_KAFKA_SCRAM_USER'),
      'sasl.password':
        '<paste the Kafka password: Secret Manager secret named by infra variable kafka_sasl_password_secret>',
      'ssl.ca.location': join(r.out, 'ca.pem'),
    });
    expect(r.files['ca.pem']).toContain('BEGIN CERTIFICATE');
    for (const text of [r.printed, ...Object.values(r.files)]) expect(text).not.toContain(SCRAM_PASSWORD());
  });

  it('a PLAINTEXT target needs no secret: partitions read, no placeholder', async () => {
    const name = unique('tg-dep-plain');
    const topic = unique('tg-dep-plain');
    const config = [
      `connector.class=${FILE_CLASS}`,
      'mode=eof',
      `topic=${topic}`,
      'num.partitions=3',
      'file.uris=/nonexistent/',
      `[${name}]`,
      `name=${name}`,
      '',
    ].join('\n');
    const r = await dsc(config, name, { KAFKA_BROKERS: BROKERS() });
    expect(r.code).toBe(0);
    expect(r.printed).not.toContain('<paste');
    expect(r.printed).not.toContain('the API returns no secrets');
    expect(JSON.parse(r.files['datasource.json']).kafka_config).toEqual({
      'isolation.level': 'read_committed',
      'security.protocol': 'plaintext',
    });
  });
});
