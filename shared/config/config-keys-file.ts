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
    doc: '`com.tigergraph.kafka.connect.filesystem.FsSourceConnector` or `...GCPSourceConnector` (files), `org.apache.kafka.connect.mirror.MirrorSourceConnector` (Kafka).',
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
    doc: 'Comma-separated `gs://bucket/object`, `gs://bucket/prefix/`, `file:///path` or a local path.',
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
