// JKS and PKCS12 stores, made here with keytool and with openssl as users make them → Node TLS options and PEM.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { storesAsPem, tlsOptions } from '../../../shared/kafka/security/key-stores.js';
import type { KafkaSecurity } from '../../../shared/config/spec.js';

const PW = 'store-secret-1';
let dir = '';
const at = (name: string) => join(dir, name);
const keytool = (...args: string[]) => execFileSync('keytool', args, { cwd: dir, stdio: 'pipe' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dsc-stores-'));
  // A key pair in a JKS key store; its certificate imported into a JKS and a PKCS12 trust store (certificates only).
  keytool(
    ...['-genkeypair', '-alias', 'client', '-keyalg', 'RSA', '-keysize', '2048', '-dname', 'CN=dsc-client'],
    ...['-keystore', 'client.jks', '-storetype', 'JKS', '-storepass', PW, '-keypass', PW, '-validity', '2'],
  );
  keytool(
    '-exportcert',
    '-rfc',
    '-alias',
    'client',
    '-keystore',
    'client.jks',
    '-storepass',
    PW,
    '-file',
    'client.pem',
  );
  for (const [file, type] of [
    ['trust.jks', 'JKS'],
    ['trust.p12', 'PKCS12'],
  ]) {
    keytool(
      ...['-importcert', '-noprompt', '-alias', 'ca', '-file', 'client.pem', '-keystore', file],
      ...['-storetype', type, '-storepass', PW],
    );
  }
}, 60_000);

const ssl = (s: Omit<KafkaSecurity, 'protocol'>): KafkaSecurity => ({ protocol: 'SSL', keyPrefix: 'consumer.', ...s });

describe('tlsOptions with Java stores', () => {
  it('reads a JKS trust store and a JKS key store (certificate chain + decrypted private key)', () => {
    const tls = tlsOptions(
      ssl({
        sslTruststoreLocation: at('trust.jks'),
        sslTruststorePassword: PW,
        sslKeystoreLocation: at('client.jks'),
        sslKeystorePassword: PW,
        sslKeyPassword: PW,
      }),
    );
    const ca = tls.ca as string[];
    expect(ca).toHaveLength(1);
    expect(new X509Certificate(ca[0]).subject).toBe('CN=dsc-client');
    expect(new X509Certificate(tls.cert as string).subject).toBe('CN=dsc-client');
    expect(createPrivateKey(tls.key as string).asymmetricKeyType).toBe('rsa');
    expect(() => createSecureContext(tls)).not.toThrow();
  });

  it("reads keytool's certificate-only PKCS12 trust store (OpenSSL alone refuses it: no private key)", () => {
    const pfx = [{ buf: readFileSync(at('trust.p12')), passphrase: PW }];
    expect(() => createSecureContext({ pfx })).toThrow(/private key/i);
    const tls = tlsOptions(ssl({ sslTruststoreLocation: at('trust.p12'), sslTruststorePassword: PW }));
    expect(new X509Certificate((tls.ca as string[])[0]).subject).toBe('CN=dsc-client');
    expect(tls.pfx).toBeUndefined();
  });

  it('a wrong store password is an error naming the password key, without the password', () => {
    for (const [field, location, key] of [
      ['sslTruststorePassword', 'trust.jks', 'consumer.ssl.truststore.password'],
      ['sslTruststorePassword', 'trust.p12', 'consumer.ssl.truststore.password'],
      ['sslKeystorePassword', 'client.jks', 'consumer.ssl.keystore.password'],
    ] as const) {
      const s = ssl({ [field]: 'not-the-password' });
      if (field === 'sslTruststorePassword') s.sslTruststoreLocation = at(location);
      else s.sslKeystoreLocation = at(location);
      let message = '';
      try {
        tlsOptions(s);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toBe(`${key}: wrong password for ${at(location)} (the store's integrity check failed)`);
      expect(message).not.toContain('not-the-password');
    }
  });
});

// Stores made by `openssl pkcs12 -export`, as users make them without a JDK: OpenSSL 3's default (PBES2, AES-256,
// HMAC-SHA256 MAC) and `-legacy` (RC2-40 certificates, 3DES key, SHA-1 MAC, which Node's OpenSSL refuses).
describe('tlsOptions and storesAsPem with openssl-made PKCS12 stores', () => {
  let odir = '';
  const o = (name: string) => join(odir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: odir, stdio: 'pipe' });
  const exportP12 = (out: string, legacy: boolean, ...args: string[]) =>
    openssl('pkcs12', '-export', ...(legacy ? ['-legacy'] : []), ...args, '-out', out, '-passout', `pass:${PW}`);

  beforeAll(() => {
    odir = mkdtempSync(join(tmpdir(), 'dsc-openssl-stores-'));
    openssl(
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-keyout', 'ca.key'],
      ...['-out', 'ca.pem', '-subj', '/CN=dsc-unit-ca', '-addext', 'basicConstraints=critical,CA:TRUE'],
    );
    for (const [name, alg] of [
      ['rsa', 'rsa:2048'],
      ['ec', 'ec'],
    ]) {
      const keyArgs = alg === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', alg];
      openssl('req', ...keyArgs, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=dsc-${name}`);
      openssl(
        ...['x509', '-req', '-sha256', '-days', '2', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key'],
        ...['-CAcreateserial', '-out', `${name}.pem`],
      );
      for (const legacy of [false, true]) {
        const p12 = `${name}${legacy ? '-legacy' : ''}.p12`;
        exportP12(p12, legacy, '-in', `${name}.pem`, '-inkey', `${name}.key`, '-certfile', 'ca.pem');
      }
    }
    for (const legacy of [false, true])
      exportP12(`trust${legacy ? '-legacy' : ''}.p12`, legacy, '-nokeys', '-in', 'ca.pem');
  }, 60_000);

  const kinds = [
    ['rsa.p12', 'rsa'],
    ['rsa-legacy.p12', 'rsa'],
    ['ec.p12', 'ec'],
    ['ec-legacy.p12', 'ec'],
  ] as const;

  it.each(kinds)(
    '%s as a key store: Node TLS takes it, and its PEM pair is the certificate chain and key',
    (file, alg) => {
      const security = ssl({ sslKeystoreLocation: o(file), sslKeystorePassword: PW, sslKeystoreType: 'PKCS12' });
      const tls = tlsOptions(security);
      expect(() => createSecureContext(tls)).not.toThrow();
      // OpenSSL's default form goes to Node unchanged; the legacy form is converted (Node's OpenSSL 3 refuses it).
      if (file.includes('legacy')) {
        expect(tls.pfx).toBeUndefined();
        expect(new X509Certificate(String(tls.cert)).subject).toBe(`CN=dsc-${alg}`);
      } else expect(tls.pfx).toBeDefined();

      const pem = storesAsPem(security);
      const chain = pemCerts(pem.certPem!);
      expect(chain.map((c) => new X509Certificate(c).subject)).toEqual([`CN=dsc-${alg}`, 'CN=dsc-unit-ca']);
      const key = createPrivateKey(pem.keyPem!);
      expect(key.asymmetricKeyType).toBe(alg);
      expect(new X509Certificate(chain[0]).checkPrivateKey(key)).toBe(true);
      expect(pem.keyPem).not.toContain('ENCRYPTED');
      expect(createPrivateKey(readFileSync(o(`${alg}.key`))).export({ type: 'pkcs8', format: 'pem' })).toBe(pem.keyPem);
    },
  );

  it.each(['trust.p12', 'trust-legacy.p12', 'rsa.p12', 'ec-legacy.p12'])(
    '%s as a trust store: every certificate it holds is trusted, and nothing becomes the client identity',
    (file) => {
      const security = ssl({ sslTruststoreLocation: o(file), sslTruststorePassword: PW, sslTruststoreType: 'PKCS12' });
      const tls = tlsOptions(security);
      expect(tls.pfx).toBeUndefined();
      expect(tls.cert).toBeUndefined();
      const subjects = (tls.ca as string[]).map((c) => new X509Certificate(c).subject);
      expect(subjects).toContain('CN=dsc-unit-ca');
      expect(() => createSecureContext(tls)).not.toThrow();
      expect(pemCerts(storesAsPem(security).caPem!)).toEqual(tls.ca);
    },
  );

  it("keytool's stores keep converting to PEM for the hand-off", () => {
    keytool(
      ...['-importkeystore', '-srckeystore', 'client.jks', '-srcstorepass', PW, '-destkeystore', 'client-keytool.p12'],
      ...['-deststoretype', 'PKCS12', '-deststorepass', PW],
    );
    const p12 = storesAsPem(ssl({ sslKeystoreLocation: at('client-keytool.p12'), sslKeystorePassword: PW }));
    expect(new X509Certificate(p12.certPem!).checkPrivateKey(createPrivateKey(p12.keyPem!))).toBe(true);
    const pem = storesAsPem(
      ssl({
        sslTruststoreLocation: at('trust.p12'),
        sslTruststorePassword: PW,
        sslKeystoreLocation: at('client.jks'),
        sslKeystorePassword: PW,
        sslKeyPassword: PW,
      }),
    );
    expect(new X509Certificate(pem.caPem!).subject).toBe('CN=dsc-client');
    expect(new X509Certificate(pem.certPem!).checkPrivateKey(createPrivateKey(pem.keyPem!))).toBe(true);
  });

  it('a wrong password names the password key, for both forms and both stores, without the password', () => {
    for (const [file, store] of [
      ['rsa.p12', 'keystore'],
      ['rsa-legacy.p12', 'keystore'],
      ['trust.p12', 'truststore'],
      ['trust-legacy.p12', 'truststore'],
    ] as const) {
      const s =
        store === 'keystore'
          ? ssl({ sslKeystoreLocation: o(file), sslKeystorePassword: 'not-the-password' })
          : ssl({ sslTruststoreLocation: o(file), sslTruststorePassword: 'not-the-password' });
      for (const read of [tlsOptions, storesAsPem]) {
        let message = '';
        try {
          read(s);
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toBe(
          `consumer.ssl.${store}.password: wrong password for ${o(file)} (the store's integrity check failed)`,
        );
      }
    }
  });

  it('a PEM key store with an encrypted key: decrypted with ssl.key.password for the hand-off, or refused by name', () => {
    openssl('pkcs8', '-topk8', '-in', 'rsa.key', '-out', 'rsa-enc.key', '-v2', 'aes-256-cbc', '-passout', `pass:${PW}`);
    writeFileSync(o('bundle.pem'), readFileSync(o('rsa.pem'), 'utf8') + readFileSync(o('rsa-enc.key'), 'utf8'));
    const pem = storesAsPem(ssl({ sslKeystoreLocation: o('bundle.pem'), sslKeyPassword: PW }));
    expect(pem.keyPem).not.toContain('ENCRYPTED');
    expect(new X509Certificate(pem.certPem!).checkPrivateKey(createPrivateKey(pem.keyPem!))).toBe(true);
    expect(() => storesAsPem(ssl({ sslKeystoreLocation: o('bundle.pem'), sslKeyPassword: 'nope-not-it' }))).toThrow(
      /^consumer\.ssl\.key\.password: does not decrypt the private key$/,
    );
  });

  it('a certificate-only store given as the key store is refused by name', () => {
    expect(() => tlsOptions(ssl({ sslKeystoreLocation: o('trust.p12'), sslKeystorePassword: PW }))).toThrow(
      /^consumer\.ssl\.keystore\.location: a key store must hold the client certificate and its private key$/,
    );
  });
});

const pemCerts = (pem: string) =>
  [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g)].map((m) => m[0]);
