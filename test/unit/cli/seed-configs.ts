// The seed's two examples (test/fixtures/config), a mirror config pointed at the test clusters, and an invalid one
// (the seed's mirror example with a SASL mechanism Kafka does not have) for the validate tests.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The seed mirror example without its Kerberos/JKS security, pointed at the test clusters. */
export const PLAIN_MIRROR = `connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector
source.cluster.alias=hello
target.cluster.alias=world
source.cluster.bootstrap.servers=127.0.0.1:19092
target.cluster.bootstrap.servers=127.0.0.1:9092
source->target.enabled=true
topics=avro-without-registry-topic
replication.factor=1
key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
header.converter=org.apache.kafka.connect.converters.ByteArrayConverter
value.converter=org.apache.kafka.connect.converters.ByteArrayConverter
[connector_1]
name=avro-test-without-registry
tasks.max=10
`;

export const fixturePath = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

/** The seed's GCS example with its elided private key (which validate rejects) replaced by a whole one. */
export const seedGcs = (): string =>
  readFileSync(fixturePath('seed-gcs.conf'), 'utf8').replace(
    /(private\.key=)"-----BEGIN PRIVATE KEY-----[\s\S]*?-----END PRIVATE KEY-----\\n"/,
    (_m, prefix: string) => `${prefix}"${testPrivateKey().replace(/\n/g, '\\n')}"`,
  );

/** The seed's GCS example as published: its private key elides the middle with a `...` line. */
export const seedGcsAsPublished = (): string => readFileSync(fixturePath('seed-gcs.conf'), 'utf8');

let key: string | undefined;
/** A throwaway RSA key made for the tests (no key is committed). */
export function testPrivateKey(): string {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  return key;
}
export const seedMirror = (): string => readFileSync(fixturePath('seed-mirror.conf'), 'utf8');
/** Invalid: the seed mirror example with `sasl.mechanism=KERBEROS_V4` under each of its three prefixes. */
export const badMirror = (): string => seedMirror().replace(/sasl\.mechanism=GSSAPI/g, 'sasl.mechanism=KERBEROS_V4');
