// Trust and key stores for Kafka TLS clients → what Node's TLS takes. PEM and PKCS12 as before; JKS (and keytool's
// certificate-only PKCS12 trust stores, which OpenSSL refuses as "no private key") are read with jks-js.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import type * as JksModule from 'jks-js';
import type { KafkaSecurity } from '../../config/spec.js';
import { KafkaSecurityError } from './security-error.js';

type StoreType = 'PEM' | 'PKCS12' | 'JKS';

const PEM_BEGIN = '-----BEGIN ';
const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

const jks = () => createRequire(import.meta.url)('jks-js') as typeof JksModule;

function storeType(key: string, location: string, declared: string | undefined, bytes: Buffer): StoreType {
  const type = declared?.toUpperCase();
  const magic = bytes.length >= 4 ? bytes.readUInt32BE(0) : 0;
  if (magic === JCEKS_MAGIC)
    throw new KafkaSecurityError(key, `${location} is a JCEKS store; convert it to JKS, PKCS12 or PEM with keytool`);
  if (type === 'PEM' || type === 'PKCS12' || type === 'JKS')
    return type === 'PKCS12' && magic === JKS_MAGIC ? 'JKS' : type;
  if (bytes.subarray(0, 64).toString('latin1').includes(PEM_BEGIN)) return 'PEM';
  if (magic === JKS_MAGIC) return 'JKS';
  if (/\.(p12|pfx|pkcs12)$/i.test(location) || bytes[0] === 0x30) return 'PKCS12';
  throw new KafkaSecurityError(key, `${location} is neither PEM, PKCS12 nor JKS`);
}

/** Reads a store: a file path, or PEM text given inline (like Kafka's `ssl.truststore.certificates`). */
function readStore(key: string, location: string): Buffer {
  if (location.trimStart().startsWith(PEM_BEGIN)) return Buffer.from(location);
  try {
    return readFileSync(location);
  } catch (err) {
    throw new KafkaSecurityError(key, `cannot read ${location}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

const pemBlocks = (pem: string, kind: RegExp): string[] =>
  [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)]
    .filter((m) => kind.test(m[1]))
    .map((m) => m[0]);

/** jks-js on a JKS or PKCS12 store; a wrong password is reported against the password key. */
function javaStoreToPem(
  passwordKey: string,
  location: string,
  bytes: Buffer,
  password: string | undefined,
  keyPassword?: string,
): JksModule.JksResult {
  if (password === undefined) throw new KafkaSecurityError(passwordKey, `is required to read ${location}`);
  try {
    return jks().toPem(bytes, password, keyPassword);
  } catch (err) {
    const text = (err as Error).message;
    if (/password|MAC could not be verified|tampered/i.test(text))
      throw new KafkaSecurityError(passwordKey, `wrong password for ${location} (the store's integrity check failed)`);
    throw new KafkaSecurityError(passwordKey.replace(/password$/, 'location'), `cannot read ${location}: ${text}`);
  }
}

function trustStore(security: KafkaSecurity, tls: ConnectionOptions, prefix: string): void {
  const location = security.sslTruststoreLocation;
  if (!location) return;
  const key = `${prefix}ssl.truststore.location`;
  const bytes = readStore(key, location);
  const type = storeType(key, location, security.sslTruststoreType, bytes);
  let certs: string[];
  if (type === 'PEM') {
    certs = pemBlocks(bytes.toString('utf8'), /CERTIFICATE$/);
  } else {
    let entries: JksModule.JksResult;
    try {
      entries = javaStoreToPem(`${prefix}ssl.truststore.password`, location, bytes, security.sslTruststorePassword);
    } catch (err) {
      // A PKCS12 file jks-js cannot parse (e.g. one holding a key, made by openssl): OpenSSL reads it.
      if (type !== 'PKCS12' || (err as KafkaSecurityError).key.endsWith('password')) throw err;
      tls.pfx = [{ buf: bytes, passphrase: security.sslTruststorePassword }];
      return;
    }
    certs = Object.values(entries).flatMap((e) => pemBlocks(`${e.ca ?? ''}\n${e.cert ?? ''}`, /CERTIFICATE$/));
  }
  if (certs.length === 0) throw new KafkaSecurityError(key, `${location} holds no certificate`);
  tls.ca = certs;
}

function keyStore(security: KafkaSecurity, tls: ConnectionOptions, prefix: string): void {
  const location = security.sslKeystoreLocation;
  if (!location) return;
  const key = `${prefix}ssl.keystore.location`;
  const bytes = readStore(key, location);
  const type = storeType(key, location, security.sslKeystoreType, bytes);
  if (type === 'PKCS12') {
    tls.pfx = [{ buf: bytes, passphrase: security.sslKeystorePassword ?? security.sslKeyPassword }];
    try {
      createSecureContext({ pfx: tls.pfx });
    } catch (err) {
      const text = (err as Error).message;
      const which = /mac verify|password/i.test(text) ? 'ssl.keystore.password' : 'ssl.keystore.location';
      throw new KafkaSecurityError(`${prefix}${which}`, `cannot read the PKCS12 store ${location}: ${text}`);
    }
    return;
  }
  let certs: string[];
  let keys: string[];
  if (type === 'PEM') {
    const text = bytes.toString('utf8');
    certs = pemBlocks(text, /CERTIFICATE$/);
    keys = pemBlocks(text, /PRIVATE KEY$/);
    if (security.sslKeyPassword) tls.passphrase = security.sslKeyPassword;
  } else {
    const entries = Object.values(
      javaStoreToPem(
        `${prefix}ssl.keystore.password`,
        location,
        bytes,
        security.sslKeystorePassword,
        security.sslKeyPassword ?? security.sslKeystorePassword,
      ),
    ).filter((e) => e.key);
    if (entries.length > 1)
      throw new KafkaSecurityError(key, `${location} holds ${entries.length} private keys; keep one (keytool -delete)`);
    certs = entries.flatMap((e) => pemBlocks(e.cert ?? '', /CERTIFICATE$/));
    keys = entries.map((e) => e.key as string);
  }
  if (certs.length === 0 || keys.length === 0)
    throw new KafkaSecurityError(key, 'a key store must hold the client certificate and its private key');
  tls.cert = certs.join('\n');
  tls.key = keys[0];
}

/** Node TLS options for a Kafka client's `ssl.*` settings. Throws KafkaSecurityError naming the setting. */
export function tlsOptions(security: KafkaSecurity): ConnectionOptions {
  const prefix = security.keyPrefix ?? '';
  const tls: ConnectionOptions = {};
  trustStore(security, tls, prefix);
  keyStore(security, tls, prefix);
  // Kafka's convention: an empty ssl.endpoint.identification.algorithm turns hostname verification off.
  if (security.sslEndpointIdentificationAlgorithm === '') tls.checkServerIdentity = () => undefined;
  return tls;
}

/**
 * The stores as PEM text for clients that cannot read JKS (librdkafka): the trusted CA certificates, and the client
 * certificate chain with its (unencrypted) private key. A PKCS12 key store jks-js cannot read is refused by name.
 */
export function storesAsPem(security: KafkaSecurity): { caPem?: string; certPem?: string; keyPem?: string } {
  const prefix = security.keyPrefix ?? '';
  const tls = tlsOptions(security);
  const out: { caPem?: string; certPem?: string; keyPem?: string } = {};
  if (Array.isArray(tls.ca)) out.caPem = `${tls.ca.map(String).join('\n')}\n`;
  if (tls.pfx !== undefined)
    throw new KafkaSecurityError(
      `${prefix}ssl.keystore.location`,
      'a PKCS12 store that is not in Java format: convert it with openssl pkcs12 -nodes to PEM first',
    );
  if (typeof tls.cert === 'string' && typeof tls.key === 'string') {
    out.certPem = `${tls.cert}\n`;
    out.keyPem = `${tls.key}\n`;
  }
  return out;
}
