// Kafka client security settings (`security.protocol`, `sasl.*`, `ssl.*`) → kafkajs `ssl`/`sasl` options.
// Stores are read once per client (key-stores.ts: PEM, PKCS12, JKS). GSSAPI runs the engine-neutral exchange of
// gssapi.ts through kafkajs' custom authentication provider.
import type { KafkaConfig, Mechanism, SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from '../../config/spec.js';
import { parseJaasConfig, type JaasConfig } from '../../config/jaas-config.js';
import { authenticateGssapi } from '../security/gssapi.js';
import { gssapiLogin, type KerberosLogin } from '../security/kerberos-login.js';
import { tlsOptions } from '../security/key-stores.js';
import { KafkaSecurityError } from '../security/security-error.js';

export { KafkaSecurityError };

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

/** kafkajs' hook: each SaslAuthenticate round trip carries one GSSAPI token. */
function gssapiMechanism(login: KerberosLogin): Mechanism {
  // kafkajs frames SASL payloads as Kafka BYTES: a 4-byte length, then the token (-1: none).
  const bytes = (token: Buffer) => {
    const framed = Buffer.alloc(4 + token.length);
    framed.writeInt32BE(token.length, 0);
    token.copy(framed, 4);
    return { encode: () => framed };
  };
  const unframe = (b: Buffer) => (b.length < 4 || b.readInt32BE(0) < 0 ? Buffer.alloc(0) : b.subarray(4));
  const raw = { decode: unframe, parse: (b: Buffer) => b };
  return {
    mechanism: 'GSSAPI',
    authenticationProvider: ({ host, saslAuthenticate }) => ({
      authenticate: () =>
        authenticateGssapi(login, host, async (token) => {
          const reply = await saslAuthenticate<Buffer>({ request: bytes(token), response: raw });
          return reply ?? Buffer.alloc(0);
        }),
    }),
  };
}

function saslOptions(security: KafkaSecurity): SASLOptions | Mechanism {
  const mechanism = (security.saslMechanism ?? 'GSSAPI').toUpperCase();
  if (mechanism === 'GSSAPI') return gssapiMechanism(gssapiLogin(security));
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
