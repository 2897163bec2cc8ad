// Trust and key stores for Kafka TLS clients → what Node's TLS takes. PEM as is; JKS with jks-js; PKCS12 with
// node-forge (keytool's and `openssl pkcs12 -export`'s, AES/PBES2 or legacy RC2/3DES, with or without keys), except a
// key store OpenSSL itself reads, which Node's TLS gets as `pfx` unchanged.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import type * as JksModule from 'jks-js';
import type * as ForgeModule from 'node-forge';
import type { KafkaSecurity } from '../../config/spec.js';
import { KafkaSecurityError } from './security-error.js';

type StoreType = 'PEM' | 'PKCS12' | 'JKS';

const PEM_BEGIN = '-----BEGIN ';
const JKS_MAGIC = 0xfeedfeed;
const JCEKS_MAGIC = 0xcececece;

// Loaded on first use: only TLS connectors with Java or PKCS12 stores need them.
const jks = () => createRequire(import.meta.url)('jks-js') as typeof JksModule;
const forge = () => createRequire(import.meta.url)('node-forge') as typeof ForgeModule;

function storeType(key: string, location: string, declared: string | undefined, bytes: Buffer): StoreType {
  const type = declared?.toUpperCase();
  const magic = bytes.length >= 4 ? bytes.readUInt32BE(0) : 0;
  if (magic === JCEKS_MAGIC)
    throw new KafkaSecurityError(key, `${location} is a JCEKS store; convert it to JKS, PKCS12 or PEM with keytool`);
  // The declared type is trusted unless the bytes say otherwise (Java itself reads either under either name).
  if (type === 'PKCS12' && magic === JKS_MAGIC) return 'JKS';
  if (type === 'JKS' && magic !== JKS_MAGIC && bytes[0] === 0x30) return 'PKCS12';
  if (type === 'PEM' || type === 'PKCS12' || type === 'JKS') return type;
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

const wrongPassword = (passwordKey: string, location: string) =>
  new KafkaSecurityError(passwordKey, `wrong password for ${location} (the store's integrity check failed)`);

/** jks-js on a JKS store; a wrong password is reported against the password key. */
function jksToPem(
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
    if (/password|MAC could not be verified|tampered/i.test(text)) throw wrongPassword(passwordKey, location);
    throw new KafkaSecurityError(passwordKey.replace(/password$/, 'location'), `cannot read ${location}: ${text}`);
  }
}

/** A PKCS12 store's certificates and private keys as PEM (PKCS#8 keys, unencrypted). */
interface Pkcs12Contents {
  certs: string[];
  keys: string[];
}

/**
 * node-forge on a PKCS12 store: keytool's (certificate bags with Java's trust attribute, PBES2) and openssl's
 * (`-export`: PBES2/AES-256 with an HMAC-SHA256 MAC by default; `-legacy`: RC2-40 certificates, 3DES key, SHA-1 MAC),
 * RSA or EC keys. Node's OpenSSL 3 refuses the legacy ciphers without its legacy provider and any store without a key.
 */
function pkcs12ToPem(
  passwordKey: string,
  location: string,
  bytes: Buffer,
  password: string | undefined,
): Pkcs12Contents {
  if (password === undefined) throw new KafkaSecurityError(passwordKey, `is required to read ${location}`);
  const f = forge();
  let bags: ForgeModule.pkcs12.Bag[];
  try {
    const p12 = f.pkcs12.pkcs12FromAsn1(f.asn1.fromDer(bytes.toString('binary')), true, password);
    bags = p12.safeContents.flatMap((c) => c.safeBags);
  } catch (err) {
    const text = (err as Error).message;
    if (/MAC could not be verified|wrong password|invalid password/i.test(text))
      throw wrongPassword(passwordKey, location);
    throw new KafkaSecurityError(passwordKey.replace(/password$/, 'location'), `cannot read ${location}: ${text}`);
  }
  // forge decodes RSA certificates and keys into objects and leaves anything else (EC) as ASN.1: both become DER.
  const der = (asn1: ForgeModule.asn1.Asn1) => Buffer.from(f.asn1.toDer(asn1).getBytes(), 'binary');
  const certs: string[] = [];
  const keys: string[] = [];
  for (const bag of bags) {
    if (bag.type === f.pki.oids.certBag) {
      const asn1 = bag.cert ? f.pki.certificateToAsn1(bag.cert) : bag.asn1;
      if (asn1) certs.push(new X509Certificate(der(asn1)).toString());
    } else if (bag.key || (bag.asn1 && 'key' in bag)) {
      const asn1 = bag.key ? f.pki.wrapRsaPrivateKey(f.pki.privateKeyToAsn1(bag.key)) : bag.asn1!;
      keys.push(
        createPrivateKey({ key: der(asn1), format: 'der', type: 'pkcs8' }).export({
          type: 'pkcs8',
          format: 'pem',
        }) as string,
      );
    }
  }
  return { certs, keys };
}

function trustStore(security: KafkaSecurity, tls: ConnectionOptions, prefix: string): void {
  const location = security.sslTruststoreLocation;
  if (!location) return;
  const key = `${prefix}ssl.truststore.location`;
  const passwordKey = `${prefix}ssl.truststore.password`;
  const bytes = readStore(key, location);
  const type = storeType(key, location, security.sslTruststoreType, bytes);
  let certs: string[];
  if (type === 'PEM') certs = pemBlocks(bytes.toString('utf8'), /CERTIFICATE$/);
  // Every certificate a PKCS12 trust store holds is trusted: openssl's carry no trust attribute to tell them apart.
  else if (type === 'PKCS12') certs = pkcs12ToPem(passwordKey, location, bytes, security.sslTruststorePassword).certs;
  else
    certs = Object.values(jksToPem(passwordKey, location, bytes, security.sslTruststorePassword)).flatMap((e) =>
      pemBlocks(`${e.ca ?? ''}\n${e.cert ?? ''}`, /CERTIFICATE$/),
    );
  if (certs.length === 0) throw new KafkaSecurityError(key, `${location} holds no certificate`);
  tls.ca = certs;
}

/** The certificate chain of a store's one private key: the certificate matching the key first, then the others. */
function clientChain(key: string, location: string, certs: string[], keys: string[]): { cert: string; key: string } {
  if (keys.length > 1)
    throw new KafkaSecurityError(key, `${location} holds ${keys.length} private keys; keep one (keytool -delete)`);
  if (certs.length === 0 || keys.length === 0)
    throw new KafkaSecurityError(key, 'a key store must hold the client certificate and its private key');
  const privateKey = createPrivateKey(keys[0]);
  const leaf = certs.findIndex((c) => new X509Certificate(c).checkPrivateKey(privateKey));
  if (leaf < 0) throw new KafkaSecurityError(key, `${location} holds no certificate for its private key`);
  const chain = [certs[leaf], ...certs.filter((_, i) => i !== leaf)];
  return { cert: chain.map((c) => c.trimEnd()).join('\n'), key: keys[0] };
}

function keyStore(security: KafkaSecurity, tls: ConnectionOptions, prefix: string, pemOnly: boolean): void {
  const location = security.sslKeystoreLocation;
  if (!location) return;
  const key = `${prefix}ssl.keystore.location`;
  const passwordKey = `${prefix}ssl.keystore.password`;
  const bytes = readStore(key, location);
  const type = storeType(key, location, security.sslKeystoreType, bytes);
  if (type === 'PKCS12') {
    const password = security.sslKeystorePassword ?? security.sslKeyPassword;
    if (!pemOnly) {
      // What OpenSSL reads goes to Node's TLS unchanged; the rest (legacy ciphers) through node-forge below.
      const pfx = [{ buf: bytes, passphrase: password }];
      try {
        createSecureContext({ pfx });
        tls.pfx = pfx;
        return;
      } catch (err) {
        if (/mac verify/i.test((err as Error).message)) throw wrongPassword(passwordKey, location);
      }
    }
    const { certs, keys } = pkcs12ToPem(passwordKey, location, bytes, password);
    Object.assign(tls, clientChain(key, location, certs, keys));
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
      jksToPem(
        passwordKey,
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
  keyStore(security, tls, prefix, false);
  // Kafka's convention: an empty ssl.endpoint.identification.algorithm turns hostname verification off.
  if (security.sslEndpointIdentificationAlgorithm === '') tls.checkServerIdentity = () => undefined;
  return tls;
}

function decryptedKey(passwordKey: string, pem: string, passphrase: string): string {
  try {
    return createPrivateKey({ key: pem, passphrase }).export({ type: 'pkcs8', format: 'pem' }) as string;
  } catch {
    throw new KafkaSecurityError(passwordKey, 'does not decrypt the private key');
  }
}

/**
 * The stores as PEM text for clients that cannot read JKS (librdkafka): the trusted CA certificates, and the client
 * certificate chain with its private key, unencrypted (an encrypted PEM key is decrypted with `ssl.key.password`).
 */
export function storesAsPem(security: KafkaSecurity): { caPem?: string; certPem?: string; keyPem?: string } {
  const prefix = security.keyPrefix ?? '';
  const tls: ConnectionOptions = {};
  trustStore(security, tls, prefix);
  keyStore(security, tls, prefix, true);
  const out: { caPem?: string; certPem?: string; keyPem?: string } = {};
  if (Array.isArray(tls.ca)) out.caPem = `${tls.ca.map((c) => String(c).trimEnd()).join('\n')}\n`;
  if (typeof tls.cert === 'string' && typeof tls.key === 'string') {
    out.certPem = `${tls.cert.trimEnd()}\n`;
    const key = tls.passphrase ? decryptedKey(`${prefix}ssl.key.password`, tls.key, tls.passphrase) : tls.key;
    out.keyPem = `${key.trimEnd()}\n`;
  }
  return out;
}
