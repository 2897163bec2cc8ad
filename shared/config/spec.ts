// Typed connector specs: what one `[section]` of a config file means once globals are merged and validated.
// Everything downstream (store, planner, tasks, mirror) works from these, never from raw text.
import { declaredDefault, declaredInt } from './config-def.js';

export const FILE_CONNECTOR_CLASSES = [
  'com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
  // TigerGraph 3.7 renamed the GCS connector; same options.
  'com.tigergraph.kafka.connect.filesystem.GCPSourceConnector',
  // TigerGraph 3.7+ added S3 and Azure Blob to the same connector; same options plus their fs.* credentials.
  'com.tigergraph.kafka.connect.filesystem.aws.S3SourceConnector',
  'com.tigergraph.kafka.connect.filesystem.azure.AzureBlobSourceConnector',
] as const;
export const MIRROR_CONNECTOR_CLASS = 'org.apache.kafka.connect.mirror.MirrorSourceConnector';

/** Where a key came from in the config file, so every error can name the key, the section and the line. */
export interface KeyOrigin {
  /** `null` for a global key (before the first section). */
  section: string | null;
  line: number;
}

/** An error or warning about a config file. `key` is absent for structural problems (a bad line). */
export interface ConfigIssue {
  severity: 'error' | 'warning';
  key?: string;
  section: string | null;
  line: number;
  message: string;
  /** The config file's name when the parser was given one (`parseConnectorConfig(text, { fileName })`). */
  file?: string;
}

export type ErrorTolerance = 'none' | 'all';

/** Kafka Connect's `errors.*` keys, shared by file and mirror connectors. */
export interface ErrorPolicy {
  tolerance: ErrorTolerance;
  /** `errors.deadletterqueue.topic.name`; records that fail under tolerance=all go here with the reason in headers. */
  deadLetterTopic?: string;
  /** `errors.deadletterqueue.context.headers.enable` (default true here: the reason is the point). */
  deadLetterContextHeaders: boolean;
}

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/** One client's security settings (`<prefix>.security.protocol`, `<prefix>.sasl.*`, `<prefix>.ssl.*`). */
export interface KafkaSecurity {
  protocol: SecurityProtocol;
  /** The config prefix these settings were read under (`consumer.`), so that errors name the full key. */
  keyPrefix?: string;
  saslMechanism?: string;
  saslJaasConfig?: string;
  saslKerberosServiceName?: string;
  /** '' means no hostname verification (Kafka's convention); undefined means the default, https. */
  sslEndpointIdentificationAlgorithm?: string;
  sslKeystoreLocation?: string;
  sslKeystorePassword?: string;
  sslKeyPassword?: string;
  sslTruststoreLocation?: string;
  sslTruststorePassword?: string;
  sslKeystoreType?: string;
  sslTruststoreType?: string;
}

/** A Kafka cluster to talk to: bootstrap servers plus the security of the client that talks to it. */
/** Record batch compression (`producer.compression.type`). */
export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface KafkaEndpoint {
  brokers: string[];
  security: KafkaSecurity;
}

export type ArchiveType = 'auto' | 'tar' | 'zip' | 'gzip' | 'none';

export interface FileReaderSpec {
  /** `file.reader.type`: `text` (delimited / JSON lines, and Parquet by a `.parquet` name) or `parquet`. */
  type: 'text' | 'parquet';
  /** `file.reader.parquet.max.row.group.bytes`: a larger row group (uncompressed) is refused, not loaded. */
  parquetMaxRowGroupBytes: number;
  /** `file.reader.delimited.separator`, default `,`. */
  separator: string;
  /** `file.reader.delimited.quote`: `single` → `'`, `double` → `"`, empty → '' (quotes are ordinary characters). */
  quote: '' | '"' | "'";
  /** `file.reader.delimited.value.default`, filled into empty columns. */
  valueDefault: string;
  /** `file.reader.batch.size`, default 1000 records per batch. */
  batchSize: number;
  /** `file.reader.text.eol`, unescaped (the seed writes `"\\n"`, which means a newline). */
  eol: string;
  /** `file.reader.text.header`: skip the first line of each file (and of each archive entry). */
  header: boolean;
  /** `file.reader.text.archive.type`. */
  archiveType: ArchiveType;
  /** `file.reader.text.archive.extensions.{tar,zip,gzip}`, lower-case, without dots. */
  archiveExtensions: { tar: string[]; zip: string[]; gzip: string[] };
  /** `file.reader.max.line.bytes`: a longer record is a bad record, not an out-of-memory. */
  maxLineBytes: number;
}

/** S3 (`file.reader.settings.fs.s3a.*`). No keys: the AWS SDK's default credential chain. */
export interface S3Settings {
  accessKey?: string;
  secretKey?: string;
  /** `fs.s3a.endpoint`: a private endpoint or an emulator (`http://host:port`). */
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  /** `fs.s3a.connection.maximum` (or `fs.s3a.threads.max`): the client's socket limit. */
  maxConnections?: number;
}

/** Azure Blob (`file.reader.settings.fs.azure.*`): shared keys per account, or a service principal. */
export interface AzureSettings {
  /** Account name → shared key (`fs.azure.account.key.<account>.dfs.core.windows.net`). */
  accountKeys?: Record<string, string>;
  clientId?: string;
  clientSecret?: string;
  /** Tenant, from `fs.azure.account.oauth2.client.endpoint` (`https://login.microsoftonline.com/<tenant>/oauth2/token`). */
  tenantId?: string;
  /** OAuth with Hadoop's MsiTokenProvider: the runtime's Azure identity (the SDK's default chain), no secret here. */
  runtimeIdentity?: boolean;
  /** `fs.azure.abfs.endpoint=host:port`: Blob API calls go there (an emulator) instead of <account>.blob.core.windows.net. */
  abfsEndpoint?: string;
  /** `fs.azure.always.use.https` (default true). */
  useHttps?: boolean;
}

/** GCS credentials from `file.reader.settings.*`; absent means the runtime's default credentials. */
export interface GcsCredentials {
  clientEmail?: string;
  privateKeyId?: string;
  privateKey?: string;
  projectId?: string;
}

/** What every connector spec has, whatever its class (read by config/connector-base.ts). */
export interface SpecBase {
  name: string;
  connectorClass: string;
  /** `tasks.max`, default 1. */
  tasksMax: number;
  /** The section title this connector came from (titles must be unique). */
  section: string;
  /** Every key that applied to this connector (globals overridden by the section), raw values unescaped. */
  settings: Record<string, string>;
  /** Where each key of `settings` was set. */
  origins: Record<string, KeyOrigin>;
  errors: ErrorPolicy;
  /** Absent in specs stored before exactly-once existed: they get the defaults. */
  delivery?: DeliveryPolicy;
}

/** How records reach Kafka: exactly once (Kafka transactions with the offsets in them, KIP-618) or at least once. */
export interface DeliveryPolicy {
  /** `exactly.once.source.support`: `enabled` (default) or `disabled` (at least once). */
  exactlyOnce: boolean;
  /** `transaction.boundary.interval.ms`: how long a transaction collects batches before it commits (default 500). */
  transactionIntervalMs: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = {
  exactlyOnce: declaredDefault('exactly.once.source.support') === 'enabled',
  transactionIntervalMs: declaredInt('transaction.boundary.interval.ms'),
};

export interface FileConnectorSpec extends SpecBase {
  kind: 'file';
  topic: string;
  /** `file.uris`, comma-separated: `gs://`, `s3a://` (`s3://`), `abfss://` (`abfs://`) objects or prefixes, `file:///path` or a plain path. */
  uris: string[];
  /** `mode=eof`: finish when every file is done. Otherwise `streaming`: keep loading new objects (GCS notifications). */
  mode: 'eof' | 'streaming';
  /**
   * `file.regexp` as written (a Java regex), matched against the whole file name (Java's `matches`).
   * Compile it with `compileJavaRegExp(spec.regexp, { whole: true })` from `./java-regexp.js` (RE2, linear time; Java's `(?i)`, `\p{Alpha}` etc.).
   */
  regexp: string;
  /** `file.recursive`, default true. */
  recursive: boolean;
  /** `file.scan.interval.ms`: a streaming connector re-lists its URIs this often (default 5000); 0 = never. Absent in specs stored before it existed. */
  scanIntervalMs?: number;
  reader: FileReaderSpec;
  /** `num.partitions` for a topic created by the connector, default 1. */
  numPartitions: number;
  /** `replication.factor` for a topic created by the connector, default -1 (the broker's default). */
  replicationFactor: number;
  gcs: GcsCredentials;
  /** S3 settings, when the connector sets any `fs.s3a.*` key or reads s3a:// URIs. */
  s3?: S3Settings;
  /** Azure settings, when the connector sets any `fs.azure.*` key or reads abfss:// URIs. */
  azure?: AzureSettings;
  /** `file.reader.provenance.headers` (default false): dsc.source, dsc.line or dsc.offset, dsc.generation headers. */
  provenanceHeaders?: boolean;
  /** `producer.compression.type` (default none). Optional: specs stored before these keys existed lack them. */
  compression?: CompressionType;
  /** The target Kafka when the connector sets `target.cluster.bootstrap.servers`; otherwise the deployment's. */
  target?: KafkaEndpoint;
}

export type ValueConverter = 'bytearray' | 'avro-registry' | 'avro-embedded' | 'json' | 'string';

export interface ValueConverterSpec {
  kind: ValueConverter;
  /** The class name as written. */
  className: string;
  /** `value.converter.schema.registry.url`. */
  schemaRegistryUrl?: string;
  /** `value.converter.basic.auth.credentials.source` (USER_INFO supported). */
  basicAuthCredentialsSource?: string;
  /** `value.converter.basic.auth.user.info`, `user:password` (a secret). */
  basicAuthUserInfo?: string;
  /** `value.converter.schema`: an inline Avro schema (JSON) or a `gs://`/file path to one. */
  schema?: string;
}

export interface MirrorConnectorSpec extends SpecBase {
  kind: 'mirror';
  sourceAlias: string;
  targetAlias: string;
  /** `source.cluster.bootstrap.servers` with `source.admin.*`/`consumer.*` security. */
  source: KafkaEndpoint;
  /** Security for the source admin client (`source.admin.*`). */
  sourceAdmin: KafkaSecurity;
  /** `target.cluster.bootstrap.servers` with `producer.*` security. */
  target: KafkaEndpoint;
  /** `topics`: names or regexes, as MirrorMaker 2 accepts. Default `.*`. */
  topics: string[];
  /** `topics.exclude` (also MM2's older `topics.blacklist`). */
  topicsExclude: string[];
  /** `replication.policy.separator`, default `.`. */
  separator: string;
  /** `replication.policy.class` is IdentityReplicationPolicy: target topic = source topic. */
  identityPolicy: boolean;
  /** `replication.factor` for created target topics, default -1 (broker default). */
  replicationFactor: number;
  /** `refresh.topics.interval.seconds`, default 600 as in MM2 (tests set it low). */
  refreshTopicsIntervalSeconds: number;
  /** `consumer.auto.offset.reset` style start position for partitions with no committed offset; default earliest. */
  startFrom: 'earliest' | 'latest';
  /** `consumer.fetch.max.bytes`, `consumer.max.partition.fetch.bytes`, `consumer.fetch.max.wait.ms` (absent in specs stored before them). */
  fetch?: { maxBytes: number; partitionMaxBytes: number; maxWaitMs: number };
  valueConverter: ValueConverterSpec;
}

export type ConnectorSpec = FileConnectorSpec | MirrorConnectorSpec;

export interface ParsedConfig {
  specs: ConnectorSpec[];
  issues: ConfigIssue[];
}

export const hasErrors = (issues: ConfigIssue[]): boolean => issues.some((i) => i.severity === 'error');
