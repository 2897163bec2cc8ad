// A `[section]` whose connector.class is TigerGraph's FsSourceConnector/GCPSourceConnector → FileConnectorSpec,
// with every `file.*` option of the seed (§2.1) and its documented default.
import type {
  ArchiveType,
  CompressionType,
  FileConnectorSpec,
  FileReaderSpec,
  AzureSettings,
  GcsCredentials,
  KafkaEndpoint,
  S3Settings,
} from './spec.js';
import { isAzureUri, isS3Uri, parseAzureUri, parseS3Uri } from '../storage/cloud-uri.js';
import { interpretControlEscapes } from './config-syntax.js';
import { readSpecBase } from './connector-base.js';
import { compileJavaRegExp } from './java-regexp.js';
import { hasSecurityKeys, readKafkaSecurity } from './kafka-security.js';
import { readBrokers, readTopicName } from './kafka-names.js';
import type { SettingReader } from './setting-reader.js';
import { privateKeyProblem } from './private-key.js';
import { declaredDefault, declaredInt, declaredList } from './config-def.js';

/**
 * `file.reader.max.line.bytes` default: 1 MiB. Longer than any sane CSV/JSON line, small enough that a file with no
 * end-of-line (a wrong `file.reader.text.eol`) becomes bad records instead of an out-of-memory.
 */
export const DEFAULT_MAX_LINE_BYTES = declaredInt('file.reader.max.line.bytes');
export const DEFAULT_ARCHIVE_EXTENSIONS = {
  tar: declaredList('file.reader.text.archive.extensions.tar'),
  zip: declaredList('file.reader.text.archive.extensions.zip'),
  gzip: declaredList('file.reader.text.archive.extensions.gzip'),
};

const GCS_KEYS = {
  email: 'file.reader.settings.fs.gs.auth.service.account.email',
  clientEmail: 'file.reader.settings.client_email',
  privateKeyId: 'file.reader.settings.fs.gs.auth.service.account.private.key.id',
  privateKey: 'file.reader.settings.fs.gs.auth.service.account.private.key',
  projectId: 'file.reader.settings.fs.gs.project.id',
} as const;

function readExtensions(r: SettingReader, kind: 'tar' | 'zip' | 'gzip'): string[] {
  const key = `file.reader.text.archive.extensions.${kind}`;
  const list = r
    .list(key)
    .map((e) => e.toLowerCase().replace(/^\.+/, ''))
    .filter((e) => e !== '');
  if (list.length === 0) r.error(key, 'must list at least one extension');
  return list;
}

function readQuote(r: SettingReader): FileReaderSpec['quote'] {
  const key = 'file.reader.delimited.quote';
  const v = r.string(key);
  const t = v.trim().toLowerCase();
  if (t === 'single' || t === "'") return "'";
  if (t === 'double' || t === '"') return '"';
  if (t === '') return '';
  r.error(key, `must be single, double or empty, got ${JSON.stringify(v)}`);
  return '';
}

/** A value that names characters (`\n`, `\t`, `,`): escapes interpreted, must not be empty. */
function readCharacters(r: SettingReader, key: string): string {
  const fallback = interpretControlEscapes(declaredDefault(key));
  const raw = r.optional(key);
  if (raw === undefined) return fallback;
  const v = interpretControlEscapes(raw);
  if (v === '') {
    r.error(key, 'must not be empty');
    return fallback;
  }
  return v;
}

function readReader(r: SettingReader): FileReaderSpec {
  const type = r.choice('file.reader.type', ['text', 'parquet'] as const);
  return {
    type,
    parquetMaxRowGroupBytes: r.positiveInt('file.reader.parquet.max.row.group.bytes'),
    separator: readCharacters(r, 'file.reader.delimited.separator'),
    quote: readQuote(r),
    valueDefault: r.string('file.reader.delimited.value.default'),
    batchSize: r.positiveInt('file.reader.batch.size'),
    eol: readCharacters(r, 'file.reader.text.eol'),
    header: r.bool('file.reader.text.header'),
    archiveType: r.choice<ArchiveType>('file.reader.text.archive.type', ['auto', 'tar', 'zip', 'gzip', 'none']),
    archiveExtensions: {
      tar: readExtensions(r, 'tar'),
      zip: readExtensions(r, 'zip'),
      gzip: readExtensions(r, 'gzip'),
    },
    maxLineBytes: r.positiveInt('file.reader.max.line.bytes'),
  };
}

function readGcs(r: SettingReader): GcsCredentials {
  const gcs: GcsCredentials = {};
  const email = r.optional(GCS_KEYS.email)?.trim() || undefined;
  const clientEmail = r.optional(GCS_KEYS.clientEmail)?.trim() || undefined;
  if (email && clientEmail && email !== clientEmail)
    r.warn(GCS_KEYS.clientEmail, `differs from ${GCS_KEYS.email}, which is used`);
  const clientEmailValue = email ?? clientEmail;
  if (clientEmailValue) gcs.clientEmail = clientEmailValue;
  const keyId = r.optional(GCS_KEYS.privateKeyId)?.trim();
  if (keyId) gcs.privateKeyId = keyId;
  const projectId = r.optional(GCS_KEYS.projectId)?.trim();
  if (projectId) gcs.projectId = projectId;
  const key = r.optional(GCS_KEYS.privateKey);
  if (key !== undefined && key.trim() !== '') {
    // An unquoted key copied from the JSON key file keeps its `\n` escapes: they mean newlines.
    const pem = key.replace(/\\n/g, '\n');
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem) || !/-----END [A-Z ]*PRIVATE KEY-----/.test(pem))
      r.error(
        GCS_KEYS.privateKey,
        'is not a PEM private key: expected the whole key, BEGIN PRIVATE KEY and END PRIVATE KEY lines included',
      );
    else {
      const problem = privateKeyProblem(pem);
      const offset = problem?.badPart ? r.lineOffsetOf(GCS_KEYS.privateKey, problem.badPart) : 0;
      if (problem) r.error(GCS_KEYS.privateKey, problem.message, offset);
    }
    gcs.privateKey = pem;
    if (!clientEmailValue)
      r.error(GCS_KEYS.email, `missing: a private key needs the service account email (${GCS_KEYS.email})`);
  }
  return gcs;
}

const SCHEMES = ['gs', 's3a', 's3', 'abfss', 'abfs', 'file'];

function readUris(r: SettingReader): string[] {
  const key = 'file.uris';
  if (r.required(key, 'is required: the gs://, s3a:// or abfss:// objects or prefixes (or local paths) to load') === '')
    return [];
  const uris = r.list(key, []);
  for (const uri of uris) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri)?.[1].toLowerCase();
    if (scheme !== undefined && !SCHEMES.includes(scheme))
      r.error(key, `${JSON.stringify(uri)}: only gs://, s3a://, abfss://, file:// and plain local paths are supported`);
    else if (scheme === 'gs' && !/^gs:\/\/[^/]+/i.test(uri)) r.error(key, `${JSON.stringify(uri)} names no bucket`);
    else if ((scheme === 's3' || scheme === 's3a') && !parseS3Uri(uri))
      r.error(key, `${JSON.stringify(uri)} names no S3 bucket (expected s3a://bucket/key-or-prefix)`);
    else if ((scheme === 'abfs' || scheme === 'abfss') && !parseAzureUri(uri))
      r.error(
        key,
        `${JSON.stringify(uri)} is not an Azure URI: expected abfss://container@account.dfs.core.windows.net/path`,
      );
  }
  return uris;
}

const S3 = 'file.reader.settings.fs.s3a.';
const SIMPLE_PROVIDER = 'org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider';

function readS3(r: SettingReader, uris: string[]): S3Settings | undefined {
  // Every key is read (so each counts as known); the spec carries s3 only when the connector uses S3.
  const s3: S3Settings = {};
  const accessKey = r.optional(`${S3}access.key`)?.trim();
  const secretKey = r.optional(`${S3}secret.key`)?.trim();
  if (accessKey) s3.accessKey = accessKey;
  if (secretKey) s3.secretKey = secretKey;
  const provider = r.optional(`${S3}aws.credentials.provider`)?.trim();
  if (provider === SIMPLE_PROVIDER || accessKey || secretKey) {
    // Keys are all or nothing: one without the other would silently fall back to the instance's identity.
    if (!accessKey)
      r.error(`${S3}access.key`, `missing: the S3 (AWS) access key${provider ? ` that ${provider} reads` : ''}`);
    if (!secretKey)
      r.error(`${S3}secret.key`, `missing: the S3 (AWS) secret key${provider ? ` that ${provider} reads` : ''}`);
  }
  const endpoint = r.optional(`${S3}endpoint`)?.trim();
  if (endpoint) {
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
    try {
      s3.endpoint = new URL(url).toString().replace(/\/$/, '');
    } catch {
      r.error(`${S3}endpoint`, `${JSON.stringify(endpoint)} is not a URL or host[:port]`);
    }
  }
  s3.region = r.string(`${S3}endpoint.region`).trim() || 'us-east-1';
  s3.pathStyle = r.bool(`${S3}path.style.access`);
  const max = r.has(`${S3}connection.maximum`)
    ? r.positiveInt(`${S3}connection.maximum`, 0)
    : r.has(`${S3}threads.max`)
      ? r.positiveInt(`${S3}threads.max`, 0)
      : 0;
  if (max > 0) s3.maxConnections = max;
  const used = uris.some(isS3Uri) || accessKey || secretKey || provider || endpoint || max > 0;
  return used ? s3 : undefined;
}

const AZ = 'file.reader.settings.fs.azure.';
const ACCOUNT_KEY = /^file\.reader\.settings\.fs\.azure\.account\.key\.([^.]+)\.dfs\.core\.windows\.net$/;

function readAzure(r: SettingReader, uris: string[]): AzureSettings | undefined {
  const keys = Object.keys(r.settings).filter((k) => k.startsWith(AZ));
  const azureUris = uris.filter(isAzureUri);
  const az: AzureSettings = {};
  const accounts = new Set(azureUris.map((u) => parseAzureUri(u)?.account).filter((a) => a !== undefined));
  for (const k of keys) {
    const m = ACCOUNT_KEY.exec(k);
    if (!m?.[1]) continue;
    r.has(k);
    const value = r.optional(k)?.trim();
    if (!value) continue;
    if (accounts.size > 0 && !accounts.has(m[1]))
      r.error(
        k,
        `is the key of Azure storage account ${m[1]}, but file.uris names account ${[...accounts].join(', ')}`,
      );
    (az.accountKeys ??= {})[m[1]] = value;
  }
  const authType = r.optional(`${AZ}account.auth.type`)?.trim();
  const provider = r.optional(`${AZ}account.oauth.provider.type`)?.trim();
  const clientId = r.optional(`${AZ}account.oauth2.client.id`)?.trim();
  const clientSecret = r.optional(`${AZ}account.oauth2.client.secret`)?.trim();
  const clientEndpoint = r.optional(`${AZ}account.oauth2.client.endpoint`)?.trim();
  // Hadoop's MsiTokenProvider (and WorkloadIdentityTokenProvider): the runtime's own Azure identity, no secret in the
  // config. Here that is the Azure SDK's default chain: AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET in the
  // environment (the deployment's azure_* Terraform variables), then a managed or workload identity.
  const runtimeIdentity =
    authType?.toLowerCase() === 'oauth' && /(Msi|WorkloadIdentity)TokenProvider$/.test(provider ?? '') && !clientSecret;
  if (runtimeIdentity) {
    az.runtimeIdentity = true;
    if (clientId) az.clientId = clientId; // a user-assigned managed identity
  } else if (authType?.toLowerCase() === 'oauth' || clientId || clientSecret || clientEndpoint) {
    if (!clientId) r.error(`${AZ}account.oauth2.client.id`, 'missing: the Azure service principal client id');
    if (!clientSecret)
      r.error(`${AZ}account.oauth2.client.secret`, 'missing: the Azure service principal client secret');
    const tenant = clientEndpoint && /^https:\/\/[^/]+\/([^/]+)\/oauth2/i.exec(clientEndpoint)?.[1];
    if (!tenant)
      r.error(
        `${AZ}account.oauth2.client.endpoint`,
        clientEndpoint
          ? `${JSON.stringify(clientEndpoint)} names no tenant: expected https://login.microsoftonline.com/<tenant>/oauth2/token`
          : 'missing: the Azure service principal token endpoint (https://login.microsoftonline.com/<tenant>/oauth2/token)',
      );
    if (clientId) az.clientId = clientId;
    if (clientSecret) az.clientSecret = clientSecret;
    if (tenant) az.tenantId = tenant;
  } else if (azureUris.length > 0 && !az.accountKeys) {
    const account = [...accounts][0] ?? '<account>';
    r.error(
      `${AZ}account.key.${account}.dfs.core.windows.net`,
      `missing: an Azure storage account key for ${account} (or a service principal: ${AZ}account.oauth2.client.id, .client.secret, .client.endpoint)`,
    );
  }
  const endpoint = r.optional(`${AZ}abfs.endpoint`)?.trim();
  if (endpoint) {
    if (!/^[^\s/:]+(:\d+)?$/.test(endpoint))
      r.error(`${AZ}abfs.endpoint`, `${JSON.stringify(endpoint)} is not host:port`);
    else az.abfsEndpoint = endpoint;
  }
  az.useHttps = r.bool(`${AZ}always.use.https`);
  const used = azureUris.length > 0 || az.accountKeys || authType || clientId || clientSecret || endpoint;
  return used ? az : undefined;
}

function readTarget(r: SettingReader): KafkaEndpoint | undefined {
  const key = 'target.cluster.bootstrap.servers';
  // Read the producer.* block either way so its keys count as known and get validated.
  const security = readKafkaSecurity(r, 'producer.');
  if (!r.has(key)) {
    if (hasSecurityKeys(r.settings, 'producer.'))
      r.warn(
        'producer.security.protocol',
        `producer.* security applies only with ${key}; the deployment's Kafka is used`,
      );
    return undefined;
  }
  return { brokers: readBrokers(r, key), security };
}

/** How often a streaming file connector re-lists its URIs for new files: a few seconds suits local directories. */
export const DEFAULT_SCAN_INTERVAL_MS = declaredInt('file.scan.interval.ms');

export function readFileConnectorSpec(r: SettingReader, connectorClass: string): FileConnectorSpec {
  const base = readSpecBase(r, connectorClass);
  const regexpRaw = r.string('file.regexp');
  const compiled = compileJavaRegExp(regexpRaw, { whole: true });
  if (!compiled.ok) r.error('file.regexp', compiled.reason);
  const modeRaw = r.string('mode');
  const m = modeRaw.trim().toLowerCase();
  const mode: FileConnectorSpec['mode'] = m === 'eof' ? 'eof' : 'streaming';
  if (m !== 'eof' && m !== 'streaming' && m !== '')
    r.error('mode', `must be eof (load the files once) or absent (streaming), got ${JSON.stringify(modeRaw)}`);
  const topic = readTopicName(r, 'topic', true);
  const uris = readUris(r);
  const spec: FileConnectorSpec = {
    kind: 'file',
    ...base,
    topic,
    uris,
    mode,
    regexp: regexpRaw,
    recursive: r.bool('file.recursive'),
    scanIntervalMs: r.integer('file.scan.interval.ms', 0),
    reader: readReader(r),
    numPartitions: r.positiveInt('num.partitions'),
    replicationFactor: r.integer('replication.factor', 1, true),
    gcs: readGcs(r),
    provenanceHeaders: r.bool('file.reader.provenance.headers'),
    compression: r.choice<CompressionType>('producer.compression.type', ['none', 'gzip', 'snappy', 'lz4', 'zstd']),
  };
  const s3 = readS3(r, uris);
  if (s3) spec.s3 = s3;
  const azure = readAzure(r, uris);
  if (azure) spec.azure = azure;
  const target = readTarget(r);
  if (target) spec.target = target;
  return spec;
}
