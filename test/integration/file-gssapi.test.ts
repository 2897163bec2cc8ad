// A file connector whose producer.* is the seed's Kerberos block (SASL_SSL + GSSAPI, JKS stores): a local CSV file
// loads into the target's GSSAPI listener on both Kafka adapters, every line compared.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireService } from '../services/env.js';
import { consumeAll, csvLines, fileSpec, harnessPerTest, tempDir, unique, values } from './file-helpers.js';

const env = (k: string) => requireService(k);

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

describe('file connector → Kafka over SASL_SSL + GSSAPI with JKS stores', () => {
  const newHarness = harnessPerTest();
  const adapter = process.env.DSC_KAFKA_ADAPTER;
  afterEach(() => {
    if (adapter === undefined) delete process.env.DSC_KAFKA_ADAPTER;
    else process.env.DSC_KAFKA_ADAPTER = adapter;
  });

  for (const engine of ['wire', 'kafkajs']) {
    it(`loads every line (${engine} adapter)`, async () => {
      process.env.DSC_KAFKA_ADAPTER = engine;
      const lines = csvLines(500, `${engine}-row`);
      const dir = tempDir({ 'people.csv': `${lines.join('\n')}\n` });
      const topic = unique(`file-gssapi-${engine}`);
      const h = await newHarness();
      await h.create(fileSpec(topic, { topic, 'file.uris': join(dir, 'people.csv'), ...kerberosProducer() }));
      await h.waitFor(topic, ['FINISHED'], 60_000);
      expect(values(await consumeAll(topic))).toEqual(lines);
    });
  }
});
