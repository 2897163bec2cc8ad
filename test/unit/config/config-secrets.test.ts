// No secret the parser reads may appear in a redacted spec or in any issue.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isSecretKey,
  parseConnectorConfig,
  redactSettings,
  redactSpec,
  type FileConnectorSpec,
  type MirrorConnectorSpec,
} from '../../../shared/config/index.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), 'utf8');

/** Every 12-character window of every line of a secret: no fragment of it may leak. */
const fragments = (secret: string) =>
  secret
    .split('\n')
    .filter((l) => l.length >= 12 && !l.includes('PRIVATE KEY'))
    .flatMap((l) => Array.from({ length: Math.ceil(l.length / 12) }, (_, i) => l.slice(i * 12, i * 12 + 12)))
    .filter((f) => f.length >= 8);

const SCRAM_PASSWORD = 'S3cr3t-Scram-Pw!';

describe('secrets', () => {
  it('marks every secret key the parser reads', () => {
    for (const key of [
      'file.reader.settings.fs.gs.auth.service.account.private.key',
      'producer.ssl.keystore.password',
      'consumer.ssl.key.password',
      'source.admin.ssl.truststore.password',
      'consumer.sasl.jaas.config',
      'value.converter.basic.auth.user.info',
      'producer.ssl.keystore.key',
      'consumer.sasl.oauthbearer.client.secret',
    ])
      expect(isSecretKey(key), key).toBe(true);
    for (const key of ['file.reader.settings.fs.gs.auth.service.account.private.key.id', 'key.converter', 'topic'])
      expect(isSecretKey(key), key).toBe(false);
  });

  it('redactSpec of the seed GCS spec contains no part of the private key', () => {
    const parsed = parseConnectorConfig(fixture('seed-gcs.conf'));
    const spec = parsed.specs[0] as FileConnectorSpec;
    const key = spec.gcs.privateKey ?? '';
    const parts = fragments(key);
    expect(parts.length).toBeGreaterThan(20);
    const shown = JSON.stringify(redactSpec(spec));
    for (const p of parts) expect(shown).not.toContain(p);
    expect(shown).not.toContain('BEGIN PRIVATE KEY');
    expect(redactSpec(spec).gcs.privateKey).toBe('****');
    expect(redactSpec(spec).gcs.clientEmail).toBe('gcsconnect@example.iam.gserviceaccount.com');
    // The spec itself still has the key: redaction is a copy.
    expect(spec.gcs.privateKey).toBe(key);
  });

  it('redactSpec of a mirror spec hides passwords, JAAS configs, registry credentials', () => {
    const text = [
      'connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector',
      'source.cluster.bootstrap.servers=s:9094',
      'target.cluster.bootstrap.servers=t:9092',
      'source->target.enabled=true',
      'consumer.security.protocol=SASL_SSL',
      'consumer.sasl.mechanism=SCRAM-SHA-512',
      `consumer.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="${SCRAM_PASSWORD}";`,
      'consumer.ssl.truststore.location=/ca.pem',
      'consumer.ssl.truststore.password=TrustPw-0123',
      'value.converter=com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
      'value.converter.schema.registry.url=http://reg-user:RegUrlPw-77@127.0.0.1:8081',
      'value.converter.basic.auth.credentials.source=USER_INFO',
      'value.converter.basic.auth.user.info=reg-user:UserInfoPw-55',
      '[m]',
      'name=m',
    ].join('\n');
    const parsed = parseConnectorConfig(text);
    expect(parsed.issues).toEqual([]);
    const spec = parsed.specs[0] as MirrorConnectorSpec;
    expect(spec.source.security.saslJaasConfig).toContain(SCRAM_PASSWORD);
    const shown = JSON.stringify(redactSpec(spec));
    for (const secret of [SCRAM_PASSWORD, 'TrustPw-0123', 'RegUrlPw-77', 'UserInfoPw-55'])
      expect(shown).not.toContain(secret);
    expect(JSON.stringify(redactSettings(spec.settings))).not.toContain('RegUrlPw-77');
    expect(shown).toContain('127.0.0.1:8081');
  });

  it('no issue echoes a secret, even when secret values are malformed or misplaced', () => {
    const key = fixture('seed-gcs.conf');
    const keyLines = key.split('\n').filter((l) => l.startsWith('\\nokX4') || l.includes('MIIEvQ'));
    const text = [
      'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
      'topic=t',
      'file.uris=gs://b/x',
      // Unquoted multi-line key: the continuation lines are errors that must not quote the key.
      'file.reader.settings.fs.gs.auth.service.account.private.key=-----BEGIN PRIVATE KEY-----',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDSqbYRwD68FvA7',
      'LkC1HpjrJ9QIJ+iOyQPFeSoI+3pjmVTrX2B2aYIMByNubV6Js+n1x5ro/XW0nt3y',
      'R5EtMRYAyAcyn3g9tcfzINmEbpvwpHBqsr1xPcrfx/WRurIC6EBgLPgX+lALBI0G=',
      'Uu87tgHhcGFJfmQMQNeQWM=',
      '-----END PRIVATE KEY-----',
      'producer.ssl.keystore.password="QuotedPw-1" trailing-Pw-2',
      'producer.ssl.key.password=KeyPw-3',
      'producer.ssl.key.password=KeyPw-4',
      `producer.sasl.jaas.config=broken ${SCRAM_PASSWORD}`,
      'producer.security.protocol=SASL_SSL',
      'producer.sasl.mechanism=PLAIN',
      'target.cluster.bootstrap.servers=k:9092',
      '[c]',
      'name=n',
    ].join('\n');
    const parsed = parseConnectorConfig(text, { fileName: 'leaky.conf' });
    expect(parsed.issues.length).toBeGreaterThanOrEqual(6);
    const shown = JSON.stringify(parsed.issues);
    for (const secret of [
      'MIIEvQIBADANBgkq',
      'LkC1HpjrJ9QIJ',
      'R5EtMRYAyAcyn3g9',
      'Uu87tgHhcGFJfmQMQNeQWM',
      'QuotedPw-1',
      'trailing-Pw-2',
      'KeyPw-3',
      'KeyPw-4',
      SCRAM_PASSWORD,
      ...keyLines.flatMap(fragments),
    ])
      expect(shown, secret).not.toContain(secret);
    // The continuation lines are still reported, by line, naming the key they seem to belong to.
    expect(
      parsed.issues
        .filter((i) => i.message.startsWith('line ') && i.message.includes('looks like the rest'))
        .map((i) => i.line),
    ).toEqual([5, 6, 7, 8, 9]);
  });
});
