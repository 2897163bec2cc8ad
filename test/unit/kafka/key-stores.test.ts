// JKS and keytool-made PKCS12 stores (made here with the JDK's keytool, as users make them) → Node TLS options.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { tlsOptions } from '../../../shared/kafka/security/key-stores.js';
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
