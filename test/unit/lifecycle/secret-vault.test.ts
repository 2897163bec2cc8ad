// Sealing specs (secrets out, references in), the owner-only file vault, and the Secret Manager adapter's naming.
// The Secret Manager adapter itself needs the real service (there is no emulator), so only its id/label mapping
// and reference parsing are tested here.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileConnectorSpec, KafkaSecurity, MirrorConnectorSpec } from '../../../shared/config/spec.js';
import { parseConnectorConfig } from '../../../shared/config/index.js';
import { redactSpec } from '../../../shared/config/secrets.js';
import { FileSecretVault } from '../../../shared/lifecycle/file-secret-vault.js';
import {
  connectorLabel,
  keySlug,
  SecretManagerVault,
  secretId,
} from '../../../shared/lifecycle/secret-manager-vault.js';
import { isSecretReference, sealSpec, type SecretVault, unsealSpec } from '../../../shared/lifecycle/secret-vault.js';
import { vaultFromEnv } from '../../../shared/lifecycle/vault-factory.js';

const root = mkdtempSync(join(tmpdir(), 'dsc-vault-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const vaultFile = () => join(root, `v${++n}`, 'secrets.json');

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw\n-----END PRIVATE KEY-----\n';
const JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="hunter2-jaas";';
const SOURCE_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="s" password="src-pw";';

function fileSpec(): FileConnectorSpec {
  return {
    kind: 'file',
    name: 'gcs-load',
    connectorClass: 'com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    tasksMax: 1,
    section: 'gcs-load',
    settings: {
      'file.uris': 'gs://bucket/',
      'file.reader.settings.fs.gs.auth.service.account.private.key': PEM,
      'file.reader.settings.fs.gs.auth.service.account.private.key.id': 'key-id-not-secret',
      'target.cluster.sasl.jaas.config': JAAS,
      // A key isSecretKey does not know, carrying a secret value: must not survive sealing either.
      'custom.copy.of.key': PEM,
    },
    origins: {},
    errors: { tolerance: 'none', deadLetterContextHeaders: true },
    topic: 't',
    uris: ['gs://bucket/'],
    mode: 'eof',
    regexp: '.*',
    recursive: true,
    reader: {} as FileConnectorSpec['reader'],
    numPartitions: 1,
    replicationFactor: -1,
    gcs: { clientEmail: 'sa@example.iam.gserviceaccount.com', privateKeyId: 'key-id-not-secret', privateKey: PEM },
    target: {
      brokers: ['k:9092'],
      security: { protocol: 'SASL_SSL', saslMechanism: 'SCRAM-SHA-512', saslJaasConfig: JAAS },
    },
  };
}

const security = (jaas: string, extra: Partial<KafkaSecurity> = {}): KafkaSecurity => ({
  protocol: 'SASL_SSL',
  saslMechanism: 'PLAIN',
  saslJaasConfig: jaas,
  ...extra,
});

function mirrorSpec(): MirrorConnectorSpec {
  return {
    kind: 'mirror',
    name: 'mirror/one',
    connectorClass: 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
    tasksMax: 2,
    section: 'm',
    settings: {
      'source.admin.sasl.jaas.config': SOURCE_JAAS,
      'consumer.sasl.jaas.config': SOURCE_JAAS,
      'producer.ssl.keystore.password': 'ks-pass',
      'producer.ssl.key.password': 'key-pass',
      'value.converter.basic.auth.user.info': 'sr-user:sr-pass',
      'value.converter.schema.registry.url': 'https://sr-user:sr-url-pass@registry:8081',
      'source.cluster.bootstrap.servers': 'src:9092',
    },
    origins: {},
    errors: { tolerance: 'all', deadLetterContextHeaders: true },
    sourceAlias: 'src',
    targetAlias: 'dst',
    source: { brokers: ['src:9092'], security: security(SOURCE_JAAS) },
    sourceAdmin: security(SOURCE_JAAS),
    target: {
      brokers: ['dst:9092'],
      security: {
        protocol: 'SSL',
        sslKeystorePassword: 'ks-pass',
        sslKeyPassword: 'key-pass',
        sslTruststorePassword: 'ts-pass',
      },
    },
    topics: ['.*'],
    topicsExclude: [],
    separator: '.',
    identityPolicy: false,
    replicationFactor: -1,
    refreshTopicsIntervalSeconds: 600,
    startFrom: 'earliest',
    valueConverter: {
      kind: 'avro-registry',
      className: 'io.confluent.connect.avro.AvroConverter',
      basicAuthUserInfo: 'sr-user:sr-pass',
      schemaRegistryUrl: 'https://sr-user:sr-url-pass@registry:8081',
    },
  };
}

/** Counts puts, to show a value used in several places is stored once. */
function counting(vault: SecretVault): SecretVault & { puts: string[] } {
  const puts: string[] = [];
  return {
    puts,
    put: (c, k, v) => (puts.push(k), vault.put(c, k, v)),
    resolve: (r) => vault.resolve(r),
    deleteConnector: (c) => vault.deleteConnector(c),
  };
}

describe('sealSpec / unsealSpec', () => {
  const secretsOf = {
    file: [PEM, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw', 'hunter2-jaas'],
    mirror: ['src-pw', 'ks-pass', 'key-pass', 'ts-pass', 'sr-pass', 'sr-url-pass'],
  };

  it.each([
    ['file', fileSpec, secretsOf.file, 2],
    ['mirror', mirrorSpec, secretsOf.mirror, 6],
  ] as const)(
    '%s spec: the sealed JSON holds references only, and unseal restores it',
    async (_kind, make, secrets, distinct) => {
      const vault = counting(new FileSecretVault(vaultFile()));
      const spec = make();
      const sealed = await sealSpec(spec, vault);
      const text = JSON.stringify(sealed);
      for (const s of secrets) expect(text).not.toContain(s);
      expect(text).toContain('secret://');
      // The input is not touched; shared values are stored once.
      expect(spec).toEqual(make());
      expect(vault.puts).toHaveLength(distinct);

      expect(await unsealSpec(sealed, vault)).toEqual(make());
    },
  );

  it('seals the typed fields and leaves non-secrets alone', async () => {
    const vault = new FileSecretVault(vaultFile());
    const sealed = await sealSpec(fileSpec(), vault);
    expect(isSecretReference(sealed.gcs.privateKey)).toBe(true);
    expect(isSecretReference(sealed.target!.security.saslJaasConfig)).toBe(true);
    expect(isSecretReference(sealed.settings['custom.copy.of.key'])).toBe(true);
    expect(sealed.gcs.privateKeyId).toBe('key-id-not-secret');
    expect(sealed.gcs.clientEmail).toBe('sa@example.iam.gserviceaccount.com');
    expect(sealed.settings['file.uris']).toBe('gs://bucket/');

    const m = await sealSpec(mirrorSpec(), vault);
    expect(isSecretReference(m.valueConverter.basicAuthUserInfo)).toBe(true);
    expect(isSecretReference(m.sourceAdmin.saslJaasConfig)).toBe(true);
    expect(isSecretReference(m.target.security.sslTruststorePassword)).toBe(true);
    expect(m.settings['source.cluster.bootstrap.servers']).toBe('src:9092');
  });

  it('sealing a sealed spec changes nothing; unsealing a plain spec changes nothing', async () => {
    const vault = counting(new FileSecretVault(vaultFile()));
    const sealed = await sealSpec(mirrorSpec(), vault);
    const puts = vault.puts.length;
    expect(await sealSpec(sealed, vault)).toEqual(sealed);
    expect(vault.puts).toHaveLength(puts);
    expect(await unsealSpec(mirrorSpec(), vault)).toEqual(mirrorSpec());
  });

  it('unseal names a reference the vault does not know, and leaks no value', async () => {
    const vault = new FileSecretVault(vaultFile());
    const sealed = await sealSpec(fileSpec(), vault);
    await vault.deleteConnector('gcs-load');
    const err = (await unsealSpec(sealed, vault).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/secret reference secret:\/\/file\/gcs-load\/.* no such secret/);
    expect(err.message).not.toContain('PRIVATE KEY');
  });
});

describe('FileSecretVault', () => {
  it('writes secrets.json 0600 in a 0700 folder; resolves, and forgets one connector only', async () => {
    const file = vaultFile();
    const vault = new FileSecretVault(file);
    const a = await vault.put('a', 'sasl.jaas.config', 'pw-a');
    const b = await vault.put('b/with slash', 'ssl.key.password', 'pw-b');
    expect(a).toBe('secret://file/a/sasl.jaas.config');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(await vault.resolve(a)).toBe('pw-a');
    expect(await vault.resolve(b)).toBe('pw-b');
    // A second instance (another process) reads the same file.
    expect(await new FileSecretVault(file).resolve(b)).toBe('pw-b');

    await vault.deleteConnector('a');
    await expect(vault.resolve(a)).rejects.toThrow(/no such secret/);
    expect(await vault.resolve(b)).toBe('pw-b');
    expect(readFileSync(file, 'utf8')).not.toContain('pw-a');
  });

  it('concurrent puts in one process lose nothing', async () => {
    const vault = new FileSecretVault(vaultFile());
    const refs = await Promise.all(Array.from({ length: 20 }, (_, i) => vault.put('c', `k${i}.password`, `v${i}`)));
    expect(await Promise.all(refs.map((r) => vault.resolve(r)))).toEqual(refs.map((_, i) => `v${i}`));
  });

  it('refuses a secrets file group/others can read, saying how to fix it', async () => {
    const file = vaultFile();
    const vault = new FileSecretVault(file);
    const ref = await vault.put('a', 'password', 'pw');
    chmodSync(file, 0o644);
    const err = (await vault.resolve(ref).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(file);
    expect(err.message).toContain('mode 0644');
    expect(err.message).toContain(`chmod 600 ${file}`);
    expect(err.message).not.toContain('pw"');
    await expect(vault.put('a', 'other.password', 'x')).rejects.toThrow(/group\/others can read it/);
    chmodSync(file, 0o600);
    expect(await vault.resolve(ref)).toBe('pw');
  });

  it('a corrupt file is reported without quoting its content; a foreign reference is rejected', async () => {
    const file = vaultFile();
    const vault = new FileSecretVault(file);
    await vault.put('a', 'password', 'seed');
    writeFileSync(file, '{"version":1,"secrets":{"a":{"password":"leaky-secret"', { mode: 0o600 });
    const err = (await vault.resolve('secret://file/a/password').catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`secrets file ${file}: not valid JSON`);
    await expect(vault.resolve('secret://projects/p/secrets/s/versions/1')).rejects.toThrow(/not a secret:\/\/file\//);
  });
});

describe('SecretManagerVault naming (no emulator exists: mapping only)', () => {
  const ID = /^[a-zA-Z0-9_-]{1,255}$/;

  it('secret ids are dsc-<connector>-<key-slug>-<hash>, valid and stable', () => {
    const id = secretId('gcs-load', 'file.reader.settings.fs.gs.auth.service.account.private.key');
    expect(id).toMatch(/^dsc-gcs-load-file-reader-settings-fs-gs-auth-service-account-private-key-[0-9a-f]{8}$/);
    expect(id).toMatch(ID);
    expect(secretId('gcs-load', 'file.reader.settings.fs.gs.auth.service.account.private.key')).toBe(id);
  });

  it('pairs that slug alike get different ids; odd and long names stay valid', () => {
    expect(secretId('a', 'b.password')).not.toBe(secretId('a-b', 'password'));
    expect(secretId('A', 'password')).not.toBe(secretId('a', 'password'));
    for (const [c, k] of [
      ['Ünïcödé connector 🚀', 'sasl.jaas.config'],
      ['x'.repeat(500), 'y.'.repeat(300)],
      ['---', '...'],
    ]) {
      expect(secretId(c, k)).toMatch(ID);
    }
    expect(keySlug('Source.Admin.SASL.jaas.config')).toBe('source-admin-sasl-jaas-config');
    expect(keySlug('***')).toBe('x');
  });

  it('the connector label is a valid label value and differs between connectors', () => {
    expect(connectorLabel('mirror/one')).toMatch(/^[a-z0-9_-]{1,63}$/);
    expect(connectorLabel('a')).not.toBe(connectorLabel('A'));
  });

  it('resolve rejects anything but a version resource reference before calling the service', async () => {
    const vault = new SecretManagerVault({ projectId: 'p' });
    await expect(vault.resolve('secret://file/a/b')).rejects.toThrow(/not a secret:\/\/projects\/\*\/secrets/);
    await expect(vault.resolve('secret://projects/p/secrets/s')).rejects.toThrow(/not a secret:\/\/projects/);
  });
});

describe('vaultFromEnv', () => {
  it('defaults to <DSC_STATE_DIR>/secrets.json; secretmanager picks Secret Manager; others are rejected', async () => {
    const dir = join(root, 'env');
    const vault = await vaultFromEnv({ DSC_STATE_DIR: dir });
    expect(vault).toBeInstanceOf(FileSecretVault);
    await vault.put('c', 'password', 'pw');
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(await vaultFromEnv({ DSC_SECRETS: 'secretmanager', GOOGLE_CLOUD_PROJECT: 'p' })).toBeInstanceOf(
      SecretManagerVault,
    );
    await expect(vaultFromEnv({ DSC_SECRETS: 'vault' })).rejects.toThrow(/DSC_SECRETS.*'vault'/);
  });
});

describe("the seed's GSSAPI + JKS mirror config", () => {
  it('seals every store password and JAAS line; redacted output holds none of them', async () => {
    const seed = readFileSync(new URL('../../fixtures/config/seed-mirror.conf', import.meta.url), 'utf8');
    let i = 0;
    // Each `******` becomes its own password, so that a leak of any one of them shows.
    const text = seed.replace(/\*{6}/g, () => `store-pw-${++i}-x`);
    const spec = parseConnectorConfig(text, { fileName: 'seed-mirror.conf' }).specs[0] as MirrorConnectorSpec;
    const vault = new FileSecretVault(vaultFile());
    const sealed = JSON.stringify(await sealSpec(spec, vault));
    const shown = JSON.stringify(redactSpec(spec));
    expect(i).toBe(9); // keystore, key and truststore passwords for producer, consumer and source.admin
    for (let k = 1; k <= i; k++) {
      expect(sealed).not.toContain(`store-pw-${k}-x`);
      expect(shown).not.toContain(`store-pw-${k}-x`);
    }
    expect(sealed).not.toContain('.keytab');
    const unsealed = await unsealSpec(JSON.parse(sealed) as MirrorConnectorSpec, vault);
    expect(unsealed.source.security.sslTruststorePassword).toMatch(/^store-pw-\d+-x$/);
    expect(unsealed.target.security.saslJaasConfig).toContain('keyTab="/path/to/kafka-producer.keytab"');
  });
});
