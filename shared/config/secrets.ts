// Which settings are secrets, and how output hides them. Every place that prints or returns a spec goes through here.
import type { ConnectorSpec, FileConnectorSpec, KafkaSecurity, MirrorConnectorSpec } from './spec.js';

export const REDACTED = '****';

const SECRET_KEY_PATTERNS: RegExp[] = [
  /(^|\.)private\.key$/,
  /(^|\.)password$/,
  /(^|\.)sasl\.jaas\.config$/,
  /(^|\.)basic\.auth\.user\.info$/,
  /(^|\.)credentials(\.json)?$/,
  /(^|\.)token$/,
  // PEM material Kafka accepts inline, and OAuth client secrets.
  /(^|\.)ssl\.keystore\.key$/,
  /(^|\.)(client\.)?secret$/,
  // S3 keys (fs.s3a.access.key, fs.s3a.secret.key) and Azure shared keys (fs.azure.account.key.<account>...).
  /(^|\.)fs\.s3a\.(access|secret|session)\.key$/,
  /(^|\.)fs\.azure\.account\.key\./,
];

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERNS.some((p) => p.test(key));
}

export function redactSettings(settings: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  // Non-secret values still go through redactText: a URL may carry user:password@ (schema registry).
  for (const [k, v] of Object.entries(settings)) out[k] = isSecretKey(k) ? REDACTED : redactText(v);
  return out;
}

const redactSecurity = (s: KafkaSecurity): KafkaSecurity => ({
  ...s,
  ...(s.saslJaasConfig !== undefined && { saslJaasConfig: REDACTED }),
  ...(s.sslKeystorePassword !== undefined && { sslKeystorePassword: REDACTED }),
  ...(s.sslKeyPassword !== undefined && { sslKeyPassword: REDACTED }),
  ...(s.sslTruststorePassword !== undefined && { sslTruststorePassword: REDACTED }),
});

/** A copy of the spec safe to show: every secret value replaced by `****`. */
export function redactSpec<T extends ConnectorSpec>(spec: T): T {
  const settings = redactSettings(spec.settings);
  if (spec.kind === 'file') {
    const s: FileConnectorSpec = spec;
    const out: FileConnectorSpec = {
      ...s,
      settings,
      gcs: { ...s.gcs, ...(s.gcs.privateKey !== undefined && { privateKey: REDACTED }) },
      ...(s.s3 && {
        s3: {
          ...s.s3,
          ...(s.s3.accessKey !== undefined && { accessKey: REDACTED }),
          ...(s.s3.secretKey !== undefined && { secretKey: REDACTED }),
        },
      }),
      ...(s.azure && {
        azure: {
          ...s.azure,
          ...(s.azure.clientSecret !== undefined && { clientSecret: REDACTED }),
          ...(s.azure.accountKeys && {
            accountKeys: Object.fromEntries(Object.keys(s.azure.accountKeys).map((a) => [a, REDACTED])),
          }),
        },
      }),
      ...(s.target && { target: { ...s.target, security: redactSecurity(s.target.security) } }),
    };
    return out as T;
  }
  const m: MirrorConnectorSpec = spec as MirrorConnectorSpec;
  const out: MirrorConnectorSpec = {
    ...m,
    settings,
    source: { ...m.source, security: redactSecurity(m.source.security) },
    sourceAdmin: redactSecurity(m.sourceAdmin),
    target: { ...m.target, security: redactSecurity(m.target.security) },
    valueConverter: {
      ...m.valueConverter,
      ...(m.valueConverter.basicAuthUserInfo !== undefined && { basicAuthUserInfo: REDACTED }),
      ...(m.valueConverter.schemaRegistryUrl !== undefined && {
        schemaRegistryUrl: redactText(m.valueConverter.schemaRegistryUrl),
      }),
    },
  };
  return out as T;
}

const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;

/** Whether the text holds a URL with a password (`scheme://user:password@host`). */
export function hasUrlCredentials(text: string): boolean {
  URL_CREDENTIALS.lastIndex = 0;
  return URL_CREDENTIALS.test(text);
}

/** Last-line guard for free text (log lines, error messages): hides PEM keys and password=... fragments. */
export function redactText(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----(\\n|\n)?/g, REDACTED)
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(/(password\s*=\s*)(\\?"[^"\\]*\\?"|'[^']*'|[^\s;,"]+)/gi, `$1${REDACTED}`);
}
