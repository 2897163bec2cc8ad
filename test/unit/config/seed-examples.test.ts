// The seed's two example files (§2.1.4 and §3.1.4), copied byte for byte, parse to the expected specs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatIssue,
  hasErrors,
  parseConnectorConfig,
  type FileConnectorSpec,
  type MirrorConnectorSpec,
} from '../../../shared/config/index.js';
import { seedGcs } from '../cli/seed-configs.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), 'utf8');

describe('seed GCS example (§2.1.4)', () => {
  const parsed = parseConnectorConfig(fixture('seed-gcs.conf'), { fileName: 'seed-gcs.conf' });
  const specs = parsed.specs as FileConnectorSpec[];

  it('reports only its elided private key, naming the key and the "..." line, once for both sections', () => {
    expect(parsed.issues.map((i) => formatIssue(i, 'seed-gcs.conf'))).toEqual([
      'seed-gcs.conf:5 (global) file.reader.settings.fs.gs.auth.service.account.private.key: is not a parseable PEM ' +
        "private key (ERR_OSSL_PEM_NOT_PROC_TYPE): paste the whole private_key of the service account's JSON key " +
        'file; this line holds an elided part ("...")',
    ]);
  });

  it('is valid once the key is whole: no errors and no warnings', () => {
    expect(parseConnectorConfig(seedGcs(), { fileName: 'seed-gcs.conf' }).issues).toEqual([]);
  });

  it('makes one file connector per section', () => {
    expect(specs.map((s) => [s.kind, s.section, s.name, s.topic, s.tasksMax, s.uris])).toEqual([
      ['file', 'connector_person', 'fs-person-demo-104', 'person-demo-104', 10, ['gs://example/p.csv']],
      ['file', 'connector_friend', 'fs-friend-demo-104', 'friend-demo-104', 10, ['gs://example/f.csv']],
    ]);
  });

  it('applies the global keys to each connector', () => {
    for (const s of specs) {
      expect(s.connectorClass).toBe('com.tigergraph.kafka.connect.filesystem.FsSourceConnector');
      expect(s.mode).toBe('eof');
      expect(s.regexp).toBe('.*');
      expect(s.recursive).toBe(true);
      expect(s.reader).toEqual({
        type: 'text',
        parquetMaxRowGroupBytes: 268435456,
        separator: ',',
        quote: '',
        valueDefault: '',
        batchSize: 10000,
        eol: '\n',
        header: true,
        archiveType: 'auto',
        archiveExtensions: { tar: ['tar'], zip: ['zip'], gzip: ['tar.gz', 'tgz'] },
        maxLineBytes: 1024 * 1024,
      });
      expect(s.numPartitions).toBe(1);
      expect(s.replicationFactor).toBe(-1);
      expect(s.errors).toEqual({ tolerance: 'none', deadLetterContextHeaders: true });
      expect(s.target).toBeUndefined();
    }
  });

  it('reads the GCS credentials, including the multi-line quoted private key', () => {
    const gcs = specs[0].gcs;
    expect(gcs.clientEmail).toBe('gcsconnect@example.iam.gserviceaccount.com');
    expect(gcs.privateKeyId).toBe('55c1d79a46c1f3f598ec38');
    expect(gcs.projectId).toBe('example');
    expect(gcs.privateKey?.startsWith('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw')).toBe(true);
    expect(gcs.privateKey?.endsWith('+Uu87tgHhcGFJfmQMQNeQWM=\n-----END PRIVATE KEY-----\n')).toBe(true);
    // The elided middle (`...` on its own line) is part of the quoted value.
    expect(gcs.privateKey).toContain('MAMeltz\n...\n\nokX4AaXPZj5');
    expect(specs[1].gcs).toEqual(gcs);
  });

  it('keeps the raw merged settings and where each was set', () => {
    const s = specs[0];
    expect(s.settings['file.reader.text.eol']).toBe('\\n');
    expect(s.settings['file.regexp']).toBe('.*');
    expect(s.settings['file.reader.settings.fs.AbstractFileSystem.gs.impl']).toBe(
      'com.google.cloud.hadoop.fs.gcs.GoogleHadoopFS',
    );
    expect(s.settings.name).toBe('fs-person-demo-104');
    expect(s.origins['connector.class']).toEqual({ section: null, line: 1 });
    expect(s.origins['file.reader.text.eol']).toEqual({ section: null, line: 17 });
    expect(s.origins.name).toEqual({ section: 'connector_person', line: 24 });
    expect(specs[1].origins.name).toEqual({ section: 'connector_friend', line: 29 });
  });
});

describe('seed MirrorMaker example (§3.1.4)', () => {
  const parsed = parseConnectorConfig(fixture('seed-mirror.conf'), { fileName: 'seed-mirror.conf' });
  const [spec] = parsed.specs as MirrorConnectorSpec[];

  it('parses to one mirror connector', () => {
    expect(parsed.specs).toHaveLength(1);
    expect(spec.kind).toBe('mirror');
    expect(spec.name).toBe('avro-test-without-registry');
    expect(spec.section).toBe('connector_1');
    expect(spec.tasksMax).toBe(10);
    expect(spec.sourceAlias).toBe('hello');
    expect(spec.targetAlias).toBe('world');
    expect(spec.source.brokers).toEqual(['source.kafka.server:9092']);
    expect(spec.target.brokers).toEqual(['localhost:30002']);
    expect(spec.topics).toEqual(['avro-without-registry-topic']);
    expect(spec.replicationFactor).toBe(1);
    expect(spec.separator).toBe('.');
    expect(spec.identityPolicy).toBe(false);
    expect(spec.refreshTopicsIntervalSeconds).toBe(600);
    expect(spec.startFrom).toBe('earliest');
    expect(spec.valueConverter).toEqual({
      kind: 'avro-embedded',
      className: 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverterWithoutSchemaRegistry',
    });
  });

  it('maps producer.* to the target, consumer.* to the source and source.admin.* to sourceAdmin', () => {
    expect(spec.target.security).toEqual({
      protocol: 'SASL_SSL',
      keyPrefix: 'producer.',
      saslMechanism: 'GSSAPI',
      saslKerberosServiceName: 'kafka',
      saslJaasConfig:
        'com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true ' +
        'keyTab="/path/to/kafka-producer.keytab" principal="kafka-producer@TIGERGRAPH.COM";',
      sslEndpointIdentificationAlgorithm: '',
      sslKeystoreLocation: '/path/to/client.keystore.jks',
      sslKeystorePassword: '******',
      sslKeyPassword: '******',
      sslTruststoreLocation: '/path/to/client.truststore.jks',
      sslTruststorePassword: '******',
    });
    expect(spec.source.security.saslJaasConfig).toContain('keyTab="/path/to/kafka-consumer.keytab"');
    expect(spec.sourceAdmin.saslJaasConfig).toContain('principal="kafka-admin@TIGERGRAPH.COM"');
    expect(spec.sourceAdmin.protocol).toBe('SASL_SSL');
  });

  it('is valid as published: GSSAPI with keytabs, JKS stores, `******` passwords; no errors, no warnings', () => {
    expect(parsed.issues.map((i) => formatIssue(i))).toEqual([]);
    expect(hasErrors(parsed.issues)).toBe(false);
  });
});
