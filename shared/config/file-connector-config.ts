// A `[section]` whose connector.class is TigerGraph's FsSourceConnector/GCPSourceConnector → FileConnectorSpec,
// with every `file.*` option of the seed (§2.1) and its documented default.
import type {
  ArchiveType,
  CompressionType,
  FileConnectorSpec,
  FileReaderSpec,
  GcsCredentials,
  KafkaEndpoint,
} from './spec.js';
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

function readUris(r: SettingReader): string[] {
  const key = 'file.uris';
  if (r.required(key, 'is required: the gs:// objects or prefixes (or local paths) to load') === '') return [];
  const uris = r.list(key, []);
  for (const uri of uris) {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri)?.[1].toLowerCase();
    if (scheme !== undefined && scheme !== 'gs' && scheme !== 'file')
      r.error(key, `${JSON.stringify(uri)}: only gs://, file:// and plain local paths are supported`);
    else if (scheme === 'gs' && !/^gs:\/\/[^/]+/i.test(uri)) r.error(key, `${JSON.stringify(uri)} names no bucket`);
  }
  return uris;
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
  const spec: FileConnectorSpec = {
    kind: 'file',
    ...base,
    topic: readTopicName(r, 'topic', true),
    uris: readUris(r),
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
  const target = readTarget(r);
  if (target) spec.target = target;
  return spec;
}
