// Kafka client security settings (`security.protocol`, `sasl.*`, `ssl.*`) → kafkajs `ssl`/`sasl` options.
// Stores are read here, once per client: PEM or PKCS12 (what Node's TLS takes); JKS and GSSAPI have no kafkajs
// equivalent and are refused with what to use instead (the config parser refuses them first; this is the backstop).
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '../config/spec.js';
import { parseJaasConfig, type JaasConfig } from '../config/jaas-config.js';

/** A security setting that cannot be honoured; names the setting, never its secret value. */
export class KafkaSecurityError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`${key}: ${reason}`);
    this.name = 'KafkaSecurityError';
  }
}

type StoreType = 'PEM' | 'PKCS12';

const PEM_BEGIN = '-----BEGIN ';

function storeType(key: string, location: string, declared: string | undefined, bytes: Buffer): StoreType {
  const type = declared?.toUpperCase();
  if (type === 'JKS') {
    throw new KafkaSecurityError(
      key,
      'JKS stores are not readable by Node.js; convert it to PKCS12 (keytool -importkeystore -deststoretype PKCS12) or PEM',
    );
  }
  if (type === 'PEM' || type === 'PKCS12') return type;
  if (bytes.subarray(0, 64).toString('latin1').includes(PEM_BEGIN)) return 'PEM';
  // A JKS file starts with 0xFEEDFEED; PKCS12 is DER (0x30).
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0xfeedfeed) {
    throw new KafkaSecurityError(
      key,
      `${location} is a JKS store, which Node.js cannot read; convert it to PKCS12 or PEM`,
    );
  }
  if (/\.(p12|pfx|pkcs12)$/i.test(location) || bytes[0] === 0x30) return 'PKCS12';
  throw new KafkaSecurityError(key, `${location} is neither PEM nor PKCS12`);
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

function tlsOptions(security: KafkaSecurity): ConnectionOptions {
  const tls: ConnectionOptions = {};
  if (security.sslTruststoreLocation) {
    const key = 'ssl.truststore.location';
    const bytes = readStore(key, security.sslTruststoreLocation);
    if (storeType(key, security.sslTruststoreLocation, security.sslTruststoreType, bytes) === 'PEM') {
      const certs = pemBlocks(bytes.toString('utf8'), /CERTIFICATE$/);
      if (certs.length === 0) throw new KafkaSecurityError(key, 'the PEM file holds no certificate');
      tls.ca = certs;
    } else {
      // A PKCS12 trust store holds only certificates; Node takes them through pfx with the store password.
      tls.pfx = [{ buf: bytes, passphrase: security.sslTruststorePassword }];
    }
  }
  if (security.sslKeystoreLocation) {
    const key = 'ssl.keystore.location';
    const bytes = readStore(key, security.sslKeystoreLocation);
    if (storeType(key, security.sslKeystoreLocation, security.sslKeystoreType, bytes) === 'PEM') {
      const text = bytes.toString('utf8');
      const certs = pemBlocks(text, /CERTIFICATE$/);
      const keys = pemBlocks(text, /PRIVATE KEY$/);
      if (certs.length === 0 || keys.length === 0) {
        throw new KafkaSecurityError(key, 'a PEM key store must hold the client certificate and its private key');
      }
      tls.cert = certs.join('\n');
      tls.key = keys[0];
      if (security.sslKeyPassword) tls.passphrase = security.sslKeyPassword;
    } else {
      const pfx = Array.isArray(tls.pfx) ? tls.pfx : [];
      pfx.push({ buf: bytes, passphrase: security.sslKeystorePassword ?? security.sslKeyPassword });
      tls.pfx = pfx;
    }
  }
  // Kafka's convention: an empty ssl.endpoint.identification.algorithm turns hostname verification off.
  if (security.sslEndpointIdentificationAlgorithm === '') tls.checkServerIdentity = () => undefined;
  return tls;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * OAUTHBEARER: kafkajs asks a provider for a token. Kafka's OAuthBearerLoginModule without a callback handler makes
 * an unsecured JWT from `unsecuredLoginStringClaim_sub` (test setups); we do the same. A literal `token="…"` option is
 * accepted too. OIDC client-credentials flows (`sasl.login.callback.handler.class`) are not supported.
 */
function oauthBearer(jaas: JaasConfig): SASLOptions {
  const o = jaas.options;
  if (o.token) {
    const token = o.token;
    return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token }) };
  }
  const sub = o.unsecuredLoginStringClaim_sub;
  if (!sub) {
    throw new KafkaSecurityError(
      'sasl.jaas.config',
      'OAUTHBEARER needs a static token: token="…" or unsecuredLoginStringClaim_sub="…" in the OAuthBearerLoginModule options ' +
        '(login callback handlers / OIDC token endpoints are not supported)',
    );
  }
  const lifetime = Number(o.unsecuredLoginLifetimeSeconds ?? 3600);
  return {
    mechanism: 'oauthbearer',
    oauthBearerProvider: async () => {
      const iat = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = { sub, iat, exp: iat + lifetime };
      if (o.unsecuredLoginListClaim_scope) claims.scope = o.unsecuredLoginListClaim_scope.split(',').filter(Boolean);
      return { value: `${base64url({ alg: 'none' })}.${base64url(claims)}.` };
    },
  };
}

function saslOptions(security: KafkaSecurity): SASLOptions {
  const mechanism = (security.saslMechanism ?? 'GSSAPI').toUpperCase();
  if (mechanism === 'GSSAPI') {
    throw new KafkaSecurityError(
      'sasl.mechanism',
      'GSSAPI (Kerberos) is not available in this connector; use SCRAM-SHA-512, SCRAM-SHA-256, PLAIN or OAUTHBEARER',
    );
  }
  if (!security.saslJaasConfig)
    throw new KafkaSecurityError('sasl.jaas.config', `is required for sasl.mechanism=${mechanism}`);
  const parsed = parseJaasConfig(security.saslJaasConfig);
  if (!parsed.ok) throw new KafkaSecurityError('sasl.jaas.config', parsed.reason);
  const jaas = parsed.config;
  if (mechanism === 'OAUTHBEARER') return oauthBearer(jaas);
  const { username, password } = jaas.options;
  if (username === undefined || password === undefined) {
    throw new KafkaSecurityError('sasl.jaas.config', `${mechanism} needs username="…" and password="…" options`);
  }
  switch (mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      throw new KafkaSecurityError(
        'sasl.mechanism',
        `${mechanism} is not supported; use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER`,
      );
  }
}

/** kafkajs `ssl`/`sasl` options for a Kafka security block. Throws KafkaSecurityError naming the setting. */
export function kafkaJsSecurity(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  switch (security.protocol) {
    case 'PLAINTEXT':
      return {};
    case 'SSL':
      return { ssl: tlsOptions(security) };
    case 'SASL_PLAINTEXT':
      return { sasl: saslOptions(security) };
    case 'SASL_SSL':
      return { ssl: tlsOptions(security), sasl: saslOptions(security) };
    default:
      throw new KafkaSecurityError(
        'security.protocol',
        `${String(security.protocol)} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL`,
      );
  }
}
