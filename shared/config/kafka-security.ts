// `<prefix>.security.protocol`, `<prefix>.sasl.*` and `<prefix>.ssl.*` → KafkaSecurity, refusing up front what the
// Kafka clients cannot do instead of failing at the first connection.
import type { KafkaSecurity, SecurityProtocol } from './spec.js';
import { parseJaasConfig } from './jaas-config.js';
import type { SettingReader } from './setting-reader.js';
import { SECURITY_KEY_SUFFIXES } from './config-def.js';

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
export const SUPPORTED_SASL_MECHANISMS = ['GSSAPI', 'SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN', 'OAUTHBEARER'] as const;
/** Store formats dsc reads (`ssl.keystore.type`, `ssl.truststore.type`). */
export const SUPPORTED_STORE_TYPES = ['JKS', 'PKCS12', 'PEM'] as const;
const KRB5_LOGIN_MODULE = 'com.sun.security.auth.module.Krb5LoginModule';

function readStore(r: SettingReader, prefix: string, store: 'keystore' | 'truststore'): void {
  const locationKey = `${prefix}ssl.${store}.location`;
  const typeKey = `${prefix}ssl.${store}.type`;
  const location = r.optional(locationKey);
  const type = r.optional(typeKey)?.trim().toUpperCase();
  if (type !== undefined && !(SUPPORTED_STORE_TYPES as readonly string[]).includes(type))
    r.error(typeKey, `unsupported store type ${JSON.stringify(type)}; supported: ${SUPPORTED_STORE_TYPES.join(', ')}`);
  // A JKS store is only readable with its password (its integrity check is keyed by it).
  const jks = type === 'JKS' || (type === undefined && location !== undefined && /\.jks$/i.test(location.trim()));
  if (jks && location !== undefined && !r.has(`${prefix}ssl.${store}.password`))
    r.error(`${prefix}ssl.${store}.password`, `missing: the JKS store ${locationKey} needs its password`);
}

/** GSSAPI credentials: Krb5LoginModule with useKeyTab=true, keyTab and principal (the seed's form). */
function checkKerberosJaas(r: SettingReader, key: string, jaas: string | undefined): void {
  if (jaas === undefined || jaas.trim() === '') {
    r.error(key, `missing: GSSAPI needs ${key}=${KRB5_LOGIN_MODULE} required useKeyTab=true keyTab="…" principal="…";`);
    return;
  }
  const parsed = parseJaasConfig(jaas);
  if (!parsed.ok) return r.error(key, parsed.reason);
  const { loginModule, options } = parsed.config;
  if (loginModule !== KRB5_LOGIN_MODULE) r.error(key, `GSSAPI needs ${KRB5_LOGIN_MODULE}, not ${loginModule}`);
  else if (options.useKeyTab?.toLowerCase() !== 'true' || !options.keyTab || !options.principal)
    r.error(key, 'GSSAPI needs useKeyTab=true with keyTab="<file>" and principal="<name@REALM>"');
}

/** Reads one client's security block; `prefix` ends with a dot (`consumer.`). Problems go to the reader's issues. */
export function readKafkaSecurity(r: SettingReader, prefix: string): KafkaSecurity {
  const k = (suffix: string) => `${prefix}${suffix}`;
  const protocol = r.choice(k('security.protocol'), SECURITY_PROTOCOLS);
  const mechanismRaw = r.optional(k('sasl.mechanism'));
  const mechanism = mechanismRaw?.trim().toUpperCase();
  const jaas = r.optional(k('sasl.jaas.config'));
  const sasl = protocol.startsWith('SASL_');
  const ssl = protocol.endsWith('SSL');

  if (sasl) {
    if (mechanism === undefined || mechanism === 'GSSAPI') {
      // No mechanism means Kafka's default, GSSAPI.
      checkKerberosJaas(r, k('sasl.jaas.config'), jaas);
    } else if (!(SUPPORTED_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
      r.error(
        k('sasl.mechanism'),
        `unsupported SASL mechanism ${JSON.stringify(mechanismRaw)}; supported: ${SUPPORTED_SASL_MECHANISMS.join(', ')}`,
      );
    } else if (jaas === undefined || jaas.trim() === '') {
      r.error(
        k('sasl.jaas.config'),
        `missing: ${k('sasl.mechanism')}=${mechanism} needs ${k('sasl.jaas.config')} with the login module and credentials`,
      );
    } else if (mechanism !== 'OAUTHBEARER') {
      const parsed = parseJaasConfig(jaas);
      if (!parsed.ok) r.error(k('sasl.jaas.config'), parsed.reason);
      else if (parsed.config.options.username === undefined || parsed.config.options.password === undefined)
        r.error(k('sasl.jaas.config'), `${mechanism} needs the username and password options in the JAAS config`);
    }
  } else if (mechanismRaw !== undefined) {
    r.warn(k('sasl.mechanism'), `ignored: ${k('security.protocol')} is ${protocol}, not SASL_PLAINTEXT or SASL_SSL`);
  }

  const endpointAlgorithm = r.optional(k('ssl.endpoint.identification.algorithm'));
  if (endpointAlgorithm !== undefined && !['', 'https'].includes(endpointAlgorithm.trim().toLowerCase()))
    r.error(
      k('ssl.endpoint.identification.algorithm'),
      `must be https or empty (no hostname verification), got ${JSON.stringify(endpointAlgorithm)}`,
    );
  readStore(r, prefix, 'keystore');
  readStore(r, prefix, 'truststore');
  if (!ssl) {
    for (const suffix of SECURITY_KEY_SUFFIXES)
      if (suffix.startsWith('ssl.') && r.has(k(suffix)))
        r.warn(k(suffix), `ignored: ${k('security.protocol')} is ${protocol}, not SSL or SASL_SSL`);
  }

  const security: KafkaSecurity = { protocol };
  const set = <F extends keyof KafkaSecurity>(field: F, value: KafkaSecurity[F] | undefined) => {
    if (value !== undefined) security[field] = value;
  };
  if (protocol !== 'PLAINTEXT') set('keyPrefix', prefix);
  set('saslMechanism', sasl && mechanism === undefined ? 'GSSAPI' : mechanism);
  set('saslJaasConfig', jaas);
  set('saslKerberosServiceName', r.optional(k('sasl.kerberos.service.name')));
  set('sslEndpointIdentificationAlgorithm', endpointAlgorithm?.trim());
  set('sslKeystoreLocation', r.optional(k('ssl.keystore.location')));
  set('sslKeystorePassword', r.optional(k('ssl.keystore.password')));
  set('sslKeyPassword', r.optional(k('ssl.key.password')));
  set('sslTruststoreLocation', r.optional(k('ssl.truststore.location')));
  set('sslTruststorePassword', r.optional(k('ssl.truststore.password')));
  set('sslKeystoreType', r.optional(k('ssl.keystore.type'))?.trim().toUpperCase());
  set('sslTruststoreType', r.optional(k('ssl.truststore.type'))?.trim().toUpperCase());
  return security;
}

/** True when any security key is set under `prefix`. */
export function hasSecurityKeys(settings: Record<string, string>, prefix: string): boolean {
  return SECURITY_KEY_SUFFIXES.some((s) => Object.hasOwn(settings, `${prefix}${s}`));
}
