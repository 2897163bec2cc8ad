import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jaasConfigFor, parseJaasConfig } from '../../../shared/config/jaas-config.js';
import { kafkaJsSecurity } from '../../../shared/kafka/kafkajs/kafkajs-security.js';
import { targetFromEnv } from '../../../shared/kafka/port/target-from-env.js';
import { gssapiLogin } from '../../../shared/kafka/security/kerberos-login.js';

const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule';

function options(text: string): Record<string, string> {
  const r = parseJaasConfig(text);
  if (!r.ok) throw new Error(r.reason);
  return r.config.options;
}

describe('parseJaasConfig', () => {
  it('reads module, flag and quoted options with escapes', () => {
    const j = parseJaasConfig(
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p\\"w;d" extra=bare;',
    );
    expect(j).toEqual({
      ok: true,
      config: {
        loginModule: 'org.apache.kafka.common.security.plain.PlainLoginModule',
        controlFlag: 'required',
        options: { username: 'u', password: 'p"w;d', extra: 'bare' },
      },
    });
  });
  it('refuses a missing control flag without echoing the secret', () => {
    const r = parseJaasConfig(`${SCRAM} username="u" password="hunter2";`);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });
  it('round-trips jaasConfigFor', () => {
    const text = jaasConfigFor(SCRAM, { username: 'a"b', password: 'c\\d' });
    expect(options(text)).toEqual({ username: 'a"b', password: 'c\\d' });
  });
});

describe('kafkaJsSecurity', () => {
  it('maps PLAINTEXT, SASL_PLAINTEXT with PLAIN and SCRAM', () => {
    expect(kafkaJsSecurity({ protocol: 'PLAINTEXT' })).toEqual({});
    expect(
      kafkaJsSecurity({
        protocol: 'SASL_PLAINTEXT',
        saslMechanism: 'SCRAM-SHA-512',
        saslJaasConfig: `${SCRAM} required username="dsc" password="s3cret";`,
      }),
    ).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'dsc', password: 's3cret' } });
    expect(
      kafkaJsSecurity({
        protocol: 'SASL_PLAINTEXT',
        saslMechanism: 'PLAIN',
        saslJaasConfig: 'org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";',
      }).sasl,
    ).toEqual({ mechanism: 'plain', username: 'a', password: 'b' });
  });
  it('OAUTHBEARER: an unsecured JWT from unsecuredLoginStringClaim_sub', async () => {
    const s = kafkaJsSecurity({
      protocol: 'SASL_PLAINTEXT',
      saslMechanism: 'OAUTHBEARER',
      saslJaasConfig:
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="alice";',
    });
    const sasl = s.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
    expect(sasl.mechanism).toBe('oauthbearer');
    const token = (await sasl.oauthBearerProvider()).value;
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub).toBe('alice');
  });
  it('GSSAPI: a kafkajs authentication provider for the Krb5LoginModule principal; bad JAAS names the key', () => {
    const krb5 =
      'com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="/k/c.keytab" principal="c@R";';
    const sasl = kafkaJsSecurity({
      protocol: 'SASL_PLAINTEXT',
      keyPrefix: 'consumer.',
      saslMechanism: 'GSSAPI',
      saslJaasConfig: krb5,
    }).sasl as { mechanism: string; authenticationProvider: unknown };
    expect(sasl.mechanism).toBe('GSSAPI');
    expect(typeof sasl.authenticationProvider).toBe('function');
    expect(
      gssapiLogin({
        protocol: 'SASL_SSL',
        saslJaasConfig: krb5,
        saslKerberosServiceName: 'kfk',
        keyPrefix: 'producer.',
      }),
    ).toEqual({ principal: 'c@R', keyTab: '/k/c.keytab', serviceName: 'kfk', key: 'producer.sasl.jaas.config' });
    expect(() =>
      kafkaJsSecurity({
        protocol: 'SASL_SSL',
        keyPrefix: 'source.admin.',
        saslMechanism: 'GSSAPI',
        saslJaasConfig: 'com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true;',
      }),
    ).toThrow(/^source\.admin\.sasl\.jaas\.config: GSSAPI needs useKeyTab=true/);
  });
  it('refuses a JCEKS store and a JKS store without its password, naming the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsc-jks-'));
    const jceks = join(dir, 'trust.jceks');
    writeFileSync(jceks, Buffer.from([0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2]));
    expect(() => kafkaJsSecurity({ protocol: 'SSL', sslTruststoreLocation: jceks })).toThrow(/JCEKS/);
    const jks = join(dir, 'trust.jks');
    writeFileSync(jks, Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]));
    expect(() => kafkaJsSecurity({ protocol: 'SSL', keyPrefix: 'consumer.', sslTruststoreLocation: jks })).toThrow(
      /^consumer\.ssl\.truststore\.password: is required/,
    );
  });
  it('reads PEM and PKCS12 stores; empty endpoint identification turns hostname checks off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsc-tls-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=t'],
      {
        stdio: 'ignore',
      },
    );
    const bundle = join(dir, 'client.pem');
    writeFileSync(bundle, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
    const p12 = join(dir, 'client.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-in', cert, '-inkey', key, '-out', p12, '-passout', 'pass:pw'], {
      stdio: 'ignore',
    });

    const pem = kafkaJsSecurity({
      protocol: 'SSL',
      sslTruststoreLocation: cert,
      sslKeystoreLocation: bundle,
      sslEndpointIdentificationAlgorithm: '',
    }).ssl as Record<string, any>;
    expect(pem.ca).toHaveLength(1);
    expect(pem.cert).toContain('BEGIN CERTIFICATE');
    expect(pem.key).toContain('PRIVATE KEY');
    expect(pem.checkServerIdentity('x', {})).toBeUndefined();

    const pfx = kafkaJsSecurity({ protocol: 'SSL', sslKeystoreLocation: p12, sslKeystorePassword: 'pw' }).ssl as Record<
      string,
      any
    >;
    expect(pfx.pfx[0].passphrase).toBe('pw');
    expect(Buffer.isBuffer(pfx.pfx[0].buf)).toBe(true);
    expect(pfx.checkServerIdentity).toBeUndefined();
  });
});

describe('targetFromEnv', () => {
  it('builds SASL_SSL + SCRAM from the KAFKA_* variables', () => {
    const t = targetFromEnv({
      KAFKA_BROKERS: 'a:1, b:2',
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p"q',
      KAFKA_SSL_CA_PEM: '/ca.pem',
    });
    expect(t.brokers).toEqual(['a:1', 'b:2']);
    expect(t.security.sslTruststoreLocation).toBe('/ca.pem');
    expect(options(t.security.saslJaasConfig!)).toEqual({ username: 'u', password: 'p"q' });
    expect(targetFromEnv({}).security).toEqual({ protocol: 'PLAINTEXT' });
    expect(() => targetFromEnv({ KAFKA_SECURITY_PROTOCOL: 'TLS' })).toThrow(/KAFKA_SECURITY_PROTOCOL/);
  });
});
