// Declarations (see config-def.ts) of the keys every connector has and of the file connectors' keys.
import { keyRows as rows, type ConfigKeyDef } from './config-key-types.js';

const BOTH = ['file', 'mirror'] as const;
const FILE = ['file'] as const;

const IGNORED_ERRORS = 'Accepted and ignored.';
const IGNORED_HADOOP = 'Hadoop settings: accepted and ignored.';

export const COMMON_KEYS: ConfigKeyDef[] = rows('common', BOTH, [
  {
    key: 'name',
    type: 'string',
    shownDefault: 'required',
    doc: 'Connector name (no `/`, at most 200 characters); unique in the file.',
  },
  {
    key: 'connector.class',
    type: 'class',
    shownDefault: 'required',
    doc: '`com.tigergraph.kafka.connect.filesystem.FsSourceConnector` , `...GCPSourceConnector`, `...aws.S3SourceConnector` or `...azure.AzureBlobSourceConnector` (files: all four read every scheme), `org.apache.kafka.connect.mirror.MirrorSourceConnector` (Kafka).',
  },
  {
    key: 'tasks.max',
    type: 'int',
    default: '1',
    doc: 'Most tasks for the connector (positive integer). A maximum: a file task gets a file or a byte range of at least 64 MiB, a mirror task a partition; above 1024 is a validation warning and 1024 is used.',
  },
  {
    key: 'errors.tolerance',
    type: 'string',
    default: 'none',
    doc: '`none`: the first bad record fails the task. `all`: bad records are skipped (and dead-lettered if a topic is set).',
  },
  {
    key: 'errors.deadletterqueue.topic.name',
    type: 'string',
    doc: 'Topic that receives bad records, with the reason in headers.',
  },
  {
    key: 'errors.deadletterqueue.context.headers.enable',
    type: 'boolean',
    default: 'true',
    doc: 'Put the failure reason in headers of dead-letter records.',
  },
  {
    key: 'errors.deadletterqueue.topic.replication.factor',
    type: 'int',
    default: '-1',
    doc: 'Replication factor of the dead-letter topic when a file connector creates it; `-1` (or a value that is not an integer) is the broker default.',
  },
  { key: 'errors.log.enable', type: 'boolean', status: 'ignored', doc: IGNORED_ERRORS },
  { key: 'errors.log.include.messages', type: 'boolean', status: 'ignored', doc: IGNORED_ERRORS },
  { key: 'errors.retry.timeout', type: 'int', status: 'ignored', doc: IGNORED_ERRORS },
  { key: 'errors.retry.delay.max.ms', type: 'int', status: 'ignored', doc: IGNORED_ERRORS },
  {
    key: 'exactly.once.source.support',
    type: 'string',
    default: 'enabled',
    doc: "`enabled`: exactly once: records and the task's source offsets are written in one Kafka transaction (KIP-618); consumers read with `isolation.level=read_committed`. `disabled`: at least once (no transactions; a crash may repeat the batches in flight). See [delivery](#delivery-and-state).",
  },
  {
    key: 'transaction.boundary.interval.ms',
    type: 'int',
    default: '500',
    doc: "Exactly once: how long a transaction collects batches before it commits (Connect's `transaction.boundary=interval`); records become visible to read_committed consumers at each commit. Shorter: visible sooner; longer: fewer commits. A mirror task that has caught up with its source commits at once.",
  },
]);

const GCS_EMAIL = 'file.reader.settings.fs.gs.auth.service.account.email';

export const FILE_KEYS: ConfigKeyDef[] = rows('file', FILE, [
  {
    key: 'topic',
    type: 'string',
    shownDefault: 'required',
    doc: 'Kafka topic the records go to (letters, digits, `.`, `_`, `-`).',
  },
  {
    key: 'file.uris',
    type: 'list',
    shownDefault: 'required',
    doc: 'Comma-separated `gs://bucket/object`, `gs://bucket/prefix/`, `s3a://bucket/key-or-prefix` (or `s3://`), `abfss://container@account.dfs.core.windows.net/path` (or `abfs://`), `file:///path` or a local path; one connector may mix them.',
  },
  {
    key: 'mode',
    type: 'string',
    default: 'streaming',
    shownDefault: 'streaming',
    doc: '`eof`: load the files once and finish. Absent (or `streaming`): also load objects added later.',
  },
  {
    key: 'file.regexp',
    type: 'string',
    default: '.*',
    doc: "Java regex matched against the whole file name, in linear time (RE2: no pattern can stall on a long name). Java's POSIX classes (`\\p{Alpha}`, `\\p{Digit}`, ...), `(?i)`, `\\Z` are translated; what RE2 cannot match as Java would (backreferences, lookaround, possessive quantifiers) is refused with the reason.",
  },
  { key: 'file.recursive', type: 'boolean', default: 'true', doc: 'Descend into sub-folders of a directory URI.' },
  {
    key: 'file.scan.interval.ms',
    type: 'int',
    default: '5000',
    doc: 'Streaming connectors: re-list `file.uris` this often and load what was never loaded: a new GCS (object, generation), or a local file with a new path, size or modification time once its size held still across two scans. `0`: no scan (notifications only). Deployed, Cloud Scheduler sets the pace (`scan_schedule`) and this is the least time between two scans (dsc addition).',
  },
  {
    key: 'file.reader.type',
    type: 'string',
    default: 'text',
    doc: '`text`: delimited lines or JSON lines (by name), and Parquet for a file named `*.parquet`; `parquet`: every file is read as Parquet, one JSON object per row (see docs/parquet.md).',
  },
  {
    key: 'file.reader.parquet.max.row.group.bytes',
    type: 'int',
    default: '268435456',
    doc: "A Parquet row group larger than this is refused as a bad record instead of read (dsc addition). A task holds one row group's stored (compressed) bytes and 65,536 decoded rows at a time; a row group with nested columns (LIST, MAP, STRUCT) is decoded whole, so its uncompressed size counts (both as the footer says). See docs/parquet.md.",
  },
  {
    key: 'file.reader.delimited.separator',
    type: 'string',
    default: ',',
    doc: 'Column separator; `\\t` means a tab.',
  },
  {
    key: 'file.reader.delimited.quote',
    type: 'string',
    default: '',
    shownDefault: 'empty',
    doc: '`single` (`\'`), `double` (`"`), or empty: quotes are ordinary characters.',
  },
  {
    key: 'file.reader.delimited.value.default',
    type: 'string',
    default: '',
    shownDefault: 'empty',
    doc: 'Value written into empty columns.',
  },
  { key: 'file.reader.batch.size', type: 'int', default: '1000', doc: 'Records per batch sent to Kafka.' },
  {
    key: 'file.reader.text.eol',
    type: 'string',
    default: '\\n',
    doc: 'End of line; the seed\'s `"\\\\n"` means a newline; `\\r\\n` works too.',
  },
  {
    key: 'file.reader.text.header',
    type: 'boolean',
    default: 'false',
    doc: 'Skip the first line of each file (and of each archive entry).',
  },
  {
    key: 'file.reader.text.archive.type',
    type: 'string',
    default: 'auto',
    doc: '`auto` (by extension), `tar`, `zip`, `gzip` or `none`.',
  },
  {
    key: 'file.reader.text.archive.extensions.tar',
    type: 'list',
    default: 'tar',
    doc: 'Comma list of extensions read as tar (case-insensitive, leading dots ignored).',
  },
  { key: 'file.reader.text.archive.extensions.zip', type: 'list', default: 'zip', doc: 'Same, for zip.' },
  { key: 'file.reader.text.archive.extensions.gzip', type: 'list', default: 'gz,tgz,tar.gz', doc: 'Same, for gzip.' },
  {
    key: 'file.reader.max.line.bytes',
    type: 'int',
    default: '1048576',
    shownDefault: '`1048576` (1 MiB)',
    doc: 'A longer line is a bad record rather than unbounded memory (dsc addition).',
  },
  {
    key: 'file.reader.provenance.headers',
    type: 'boolean',
    default: 'false',
    doc: '`true` adds `dsc.source`, `dsc.line`/`dsc.offset`, `dsc.generation` headers to every record (see [Records](#records)). Dead-letter records always carry them. dsc addition.',
  },
  {
    key: 'producer.compression.type',
    type: 'string',
    default: 'none',
    doc: '`none`, `gzip`, `snappy`, `lz4` or `zstd` record batches.',
  },
  { key: GCS_EMAIL, type: 'string', doc: 'Service account email (also `file.reader.settings.client_email`).' },
  { key: 'file.reader.settings.client_email', type: 'string', seeRow: GCS_EMAIL, doc: 'Service account email.' },
  {
    key: 'file.reader.settings.fs.gs.auth.service.account.private.key.id',
    type: 'string',
    doc: 'Service account key id.',
  },
  {
    key: 'file.reader.settings.fs.gs.auth.service.account.private.key',
    type: 'password',
    doc: "PEM private key (secret); quote it, or keep the JSON file's `\\n` escapes on one line. `validate`/`create` parse it (Node's `crypto.createPrivateKey`): an incomplete key, such as the docs' example with its `...` line, is an error naming that line. Without credentials the runtime's own identity is used.",
  },
  { key: 'file.reader.settings.fs.gs.project.id', type: 'string', doc: 'Google Cloud project of the buckets.' },
  { key: 'file.reader.settings.fs.gs.impl', type: 'class', status: 'ignored', doc: IGNORED_HADOOP },
  { key: 'file.reader.settings.fs.AbstractFileSystem.gs.impl', type: 'class', status: 'ignored', doc: IGNORED_HADOOP },
  {
    key: 'file.reader.settings.fs.gs.auth.service.account.enable',
    type: 'boolean',
    status: 'ignored',
    doc: IGNORED_HADOOP,
  },
  {
    key: 'file.reader.settings.fs.s3a.access.key',
    type: 'password',
    doc: 'S3 access key id (secret), with `fs.s3a.secret.key`. Without keys: the AWS SDK default chain (environment, web identity, instance metadata).',
  },
  { key: 'file.reader.settings.fs.s3a.secret.key', type: 'password', doc: 'S3 secret access key (secret).' },
  {
    key: 'file.reader.settings.fs.s3a.aws.credentials.provider',
    type: 'class',
    doc: '`org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider`: the access and secret keys. `com.amazonaws.auth.InstanceProfileCredentialsProvider` (TG 3.7) or absent without keys: the AWS SDK default chain.',
  },
  {
    key: 'file.reader.settings.fs.s3a.endpoint',
    type: 'string',
    doc: 'S3 endpoint (`https://host`, `http://host:port`, or a bare host); a private endpoint or an emulator.',
  },
  { key: 'file.reader.settings.fs.s3a.endpoint.region', type: 'string', default: 'us-east-1', doc: 'S3 region.' },
  {
    key: 'file.reader.settings.fs.s3a.path.style.access',
    type: 'boolean',
    default: 'false',
    doc: '`true`: `endpoint/bucket/key` URLs (emulators, some private endpoints).',
  },
  {
    key: 'file.reader.settings.fs.s3a.connection.maximum',
    type: 'int',
    doc: "Most sockets the S3 client opens (also read from `fs.s3a.threads.max`); default the SDK's.",
  },
  {
    key: 'file.reader.settings.fs.s3a.threads.max',
    type: 'int',
    seeRow: 'file.reader.settings.fs.s3a.connection.maximum',
    doc: 'Used as the S3 socket limit when `fs.s3a.connection.maximum` is absent.',
  },
  { key: 'file.reader.settings.fs.s3a.impl', type: 'class', status: 'ignored', doc: IGNORED_HADOOP },
  { key: 'file.reader.settings.fs.AbstractFileSystem.s3a.impl', type: 'class', status: 'ignored', doc: IGNORED_HADOOP },
  {
    key: 'file.reader.settings.fs.azure.account.key.<account>.dfs.core.windows.net',
    type: 'password',
    pattern: /^file\.reader\.settings\.fs\.azure\.account\.key\.[^.]+\.dfs\.core\.windows\.net$/,
    doc: 'Azure storage account shared key (secret); `<account>` must be the account of the abfss:// URIs.',
  },
  {
    key: 'file.reader.settings.fs.azure.account.auth.type',
    type: 'string',
    doc: '`SharedKey` (an account key) or `OAuth` (a service principal).',
  },
  {
    key: 'file.reader.settings.fs.azure.account.oauth.provider.type',
    type: 'class',
    doc: "`org.apache.hadoop.fs.azurebfs.oauth2.ClientCredsTokenProvider` with `auth.type=OAuth` (a service principal), or `...MsiTokenProvider`: the runtime's Azure identity (`AZURE_CLIENT_ID`/`AZURE_TENANT_ID`/`AZURE_CLIENT_SECRET` in its environment, then a managed identity).",
  },
  {
    key: 'file.reader.settings.fs.azure.account.oauth2.client.id',
    type: 'string',
    doc: 'Service principal client id.',
  },
  {
    key: 'file.reader.settings.fs.azure.account.oauth2.client.secret',
    type: 'password',
    doc: 'Service principal client secret (secret).',
  },
  {
    key: 'file.reader.settings.fs.azure.account.oauth2.client.endpoint',
    type: 'string',
    doc: '`https://login.microsoftonline.com/<tenant>/oauth2/token`: the tenant of the service principal.',
  },
  {
    key: 'file.reader.settings.fs.azure.abfs.endpoint',
    type: 'string',
    doc: '`host:port`: Blob API calls go there (Azurite: `127.0.0.1:10000`) instead of `<account>.blob.core.windows.net`.',
  },
  {
    key: 'file.reader.settings.fs.azure.always.use.https',
    type: 'boolean',
    default: 'true',
    doc: '`false`: plain HTTP to `fs.azure.abfs.endpoint` (emulators).',
  },
  { key: 'file.reader.settings.fs.abfs.impl', type: 'class', status: 'ignored', doc: IGNORED_HADOOP },
  { key: 'file.reader.settings.fs.abfss.impl', type: 'class', status: 'ignored', doc: IGNORED_HADOOP },
  {
    key: 'file.reader.settings.fs.AbstractFileSystem.abfs.impl',
    type: 'class',
    status: 'ignored',
    doc: IGNORED_HADOOP,
  },
  {
    key: 'file.reader.settings.fs.AbstractFileSystem.abfss.impl',
    type: 'class',
    status: 'ignored',
    doc: IGNORED_HADOOP,
  },
  { key: 'num.partitions', type: 'int', default: '1', doc: 'Partitions of the topic when dsc creates it.' },
  {
    key: 'replication.factor',
    type: 'int',
    default: '-1',
    doc: 'Replication factor of a created topic; `-1` is the broker default.',
  },
  {
    key: 'target.cluster.bootstrap.servers',
    type: 'list',
    shownDefault: "the deployment's Kafka",
    doc: 'Send to this Kafka instead (`host:port,...`), with `producer.*` security below.',
  },
]);
