// Declarations (see config-def.ts) of the mirror connectors' keys and of the Kafka client security keys.
import { keyRows as rows, type ConfigKeyDef, type KeyRow as Row } from './config-key-types.js';

const MIRROR = ['mirror'] as const;
const BYTE_ARRAY = 'org.apache.kafka.connect.converters.ByteArrayConverter';

const USED_MIRROR: Row[] = [
  {
    key: 'source.cluster.alias',
    type: 'string',
    default: 'source',
    doc: 'Name of the source cluster; prefixes target topic names (`hello.orders`).',
  },
  { key: 'target.cluster.alias', type: 'string', default: 'target', doc: 'Name of the target cluster.' },
  {
    key: 'source.cluster.bootstrap.servers',
    type: 'list',
    shownDefault: 'required',
    doc: 'Source Kafka, `host:port,...`; security from `consumer.*`.',
  },
  {
    key: 'target.cluster.bootstrap.servers',
    type: 'list',
    shownDefault: 'required',
    doc: 'Target Kafka; security from `producer.*`.',
  },
  {
    key: 'source->target.enabled',
    docKey: '`source->target.enabled` (also `source→target.enabled`, `<sourceAlias>-><targetAlias>.enabled`)',
    type: 'boolean',
    shownDefault: 'required',
    doc: 'Must be `true`.',
  },
  {
    key: '<sourceAlias>-><targetAlias>.enabled',
    pattern: /->.*\.enabled$/,
    seeRow: 'source->target.enabled',
    type: 'boolean',
    doc: 'Must be `true`.',
  },
  {
    key: 'topics',
    type: 'list',
    default: '.*',
    doc: 'Comma list of topic names or Java regexes (whole-name match).',
  },
  {
    key: 'topics.exclude',
    docKey: '`topics.exclude` (old name `topics.blacklist`)',
    type: 'list',
    default: '.*[\\-\\.]internal, .*\\.replica, __.*',
    doc: 'Topics never mirrored.',
  },
  { key: 'topics.blacklist', type: 'list', seeRow: 'topics.exclude', doc: 'Old name of `topics.exclude`.' },
  {
    key: 'replication.policy.class',
    type: 'class',
    default: 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy',
    doc: '`...IdentityReplicationPolicy` keeps the source topic name.',
  },
  {
    key: 'replication.policy.separator',
    type: 'string',
    default: '.',
    doc: 'Between alias and topic in target names.',
  },
  {
    key: 'replication.factor',
    type: 'int',
    default: '-1',
    doc: 'Replication factor of created target topics (`-1`: broker default).',
  },
  {
    key: 'refresh.topics.interval.seconds',
    type: 'int',
    default: '600',
    doc: 'How often new source topics are picked up.',
  },
  {
    key: 'consumer.auto.offset.reset',
    type: 'string',
    default: 'earliest',
    doc: 'Where to start on partitions with no committed offset: `earliest` or `latest`.',
  },
  {
    key: 'consumer.fetch.max.bytes',
    type: 'int',
    default: String(8 << 20),
    doc: 'Most bytes one fetch from the source returns, over all partitions (a batch larger than this still comes whole).',
  },
  {
    key: 'consumer.max.partition.fetch.bytes',
    type: 'int',
    default: String(1 << 20),
    doc: 'Most bytes one fetch returns per partition (a larger batch still comes whole).',
  },
  {
    key: 'consumer.fetch.max.wait.ms',
    type: 'int',
    default: '500',
    doc: 'How long the source broker may wait for data before it answers a fetch.',
  },
  {
    key: 'key.converter',
    docKey: '`key.converter`, `header.converter`',
    type: 'class',
    default: BYTE_ARRAY,
    shownDefault: 'ByteArrayConverter',
    doc: `Must be \`${BYTE_ARRAY}\` (bytes copied as they are).`,
  },
  { key: 'header.converter', type: 'class', default: BYTE_ARRAY, seeRow: 'key.converter', doc: 'As key.converter.' },
  {
    key: 'value.converter',
    type: 'class',
    default: BYTE_ARRAY,
    shownDefault: 'ByteArrayConverter',
    doc: `\`${BYTE_ARRAY}\` (plain text / JSON, copied), \`org.apache.kafka.connect.storage.StringConverter\`, \`com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter\` (Avro via schema registry → JSON), \`com.tigergraph.kafka.connect.converters.TigerGraphAvroConverterWithoutSchemaRegistry\` (Avro with embedded schema → JSON). \`JsonConverter\` is refused.`,
  },
  {
    key: 'value.converter.schema.registry.url',
    type: 'string',
    shownDefault: 'required for TigerGraphAvroConverter',
    doc: 'Schema registry URL.',
  },
  {
    key: 'value.converter.basic.auth.credentials.source',
    type: 'string',
    doc: '`USER_INFO` (the only supported source).',
  },
  {
    key: 'value.converter.basic.auth.user.info',
    type: 'password',
    doc: '`user:password` for the registry (secret).',
  },
  {
    key: 'value.converter.schema',
    type: 'string',
    doc: 'Avro schema (JSON text or a path) for records without one.',
  },
];

/**
 * MirrorMaker 2 internals (its own topics, ACL/config/offset syncing, heartbeats, checkpoints, rebalancing) that the
 * seed sets and dsc does not reproduce. Also accepted after a cluster alias (`world.scheduled.rebalance.max.delay.ms`).
 * The second column is the docs' spelling, which folds families together.
 */
const IGNORED_MIRROR: [string, string, ConfigKeyDef['type']][] = [
  ['sync.topic.acls.enabled', 'sync.topic.acls.*', 'boolean'],
  ['sync.topic.acls.interval.seconds', 'sync.topic.acls.*', 'int'],
  ['sync.topic.configs.enabled', 'sync.topic.configs.*', 'boolean'],
  ['sync.topic.configs.interval.seconds', 'sync.topic.configs.*', 'int'],
  ['checkpoints.topic.replication.factor', '{checkpoints,heartbeats,offset-syncs}.topic.replication.factor', 'int'],
  ['heartbeats.topic.replication.factor', '{checkpoints,heartbeats,offset-syncs}.topic.replication.factor', 'int'],
  ['offset-syncs.topic.replication.factor', '{checkpoints,heartbeats,offset-syncs}.topic.replication.factor', 'int'],
  ['offset-syncs.topic.location', 'offset-syncs.topic.location', 'string'],
  ['offset.storage.replication.factor', '{offset,status,config}.storage.replication.factor', 'int'],
  ['status.storage.replication.factor', '{offset,status,config}.storage.replication.factor', 'int'],
  ['config.storage.replication.factor', '{offset,status,config}.storage.replication.factor', 'int'],
  ['offset.storage.topic', '{offset,status,config}.storage.topic', 'string'],
  ['status.storage.topic', '{offset,status,config}.storage.topic', 'string'],
  ['config.storage.topic', '{offset,status,config}.storage.topic', 'string'],
  ['emit.heartbeats.enabled', 'emit.heartbeats.*', 'boolean'],
  ['emit.heartbeats.interval.seconds', 'emit.heartbeats.*', 'int'],
  ['emit.checkpoints.enabled', 'emit.checkpoints.*', 'boolean'],
  ['emit.checkpoints.interval.seconds', 'emit.checkpoints.*', 'int'],
  ['sync.group.offsets.enabled', 'sync.group.offsets.*', 'boolean'],
  ['sync.group.offsets.interval.seconds', 'sync.group.offsets.*', 'int'],
  ['refresh.groups.enabled', 'refresh.groups.*', 'boolean'],
  ['refresh.groups.interval.seconds', 'refresh.groups.*', 'int'],
  ['refresh.topics.enabled', 'refresh.topics.enabled', 'boolean'],
  ['groups', 'groups', 'list'],
  ['groups.exclude', 'groups.exclude', 'list'],
  ['groups.blacklist', 'groups.blacklist', 'list'],
  ['config.properties.exclude', 'config.properties.exclude', 'list'],
  ['config.properties.blacklist', 'config.properties.blacklist', 'list'],
  ['offset.lag.max', 'offset.lag.max', 'int'],
  ['scheduled.rebalance.max.delay.ms', '[<alias>.]scheduled.rebalance.max.delay.ms', 'int'],
  ['key.converter.schemas.enable', '{key,value}.converter.schemas.enable', 'boolean'],
  ['value.converter.schemas.enable', '{key,value}.converter.schemas.enable', 'boolean'],
];

export const MIRROR_KEYS: ConfigKeyDef[] = rows('mirror', MIRROR, [
  ...USED_MIRROR,
  ...IGNORED_MIRROR.map(([key, docKey, type]): Row => ({
    key,
    docKey: `\`${docKey}\``,
    type,
    status: 'ignored',
    doc: 'MirrorMaker 2 internals: accepted and ignored.',
  })),
]);

const TRUSTSTORE = 'ssl.truststore.location';
const KEYSTORE = 'ssl.keystore.location';

/** Read under each client prefix (`SECURITY_PREFIXES`); `key` is the part after the prefix. */
export const SECURITY_KEYS: ConfigKeyDef[] = rows(
  'security',
  ['file', 'mirror'],
  [
    {
      key: 'security.protocol',
      type: 'string',
      default: 'PLAINTEXT',
      doc: '`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`.',
    },
    {
      key: 'sasl.mechanism',
      type: 'string',
      shownDefault: "`GSSAPI` with SASL (Kafka's default)",
      doc: '`GSSAPI` (Kerberos), `SCRAM-SHA-512`, `SCRAM-SHA-256`, `PLAIN` or `OAUTHBEARER`.',
    },
    {
      key: 'sasl.jaas.config',
      type: 'password',
      shownDefault: 'required with a mechanism',
      doc: 'JAAS line (secret), e.g. `org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";`; PLAIN/SCRAM need `username` and `password`. GSSAPI needs `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="/path/client.keytab" principal="name@REALM";` (the seed\'s `\\"` escapes work as written).',
    },
    {
      key: 'sasl.kerberos.service.name',
      type: 'string',
      shownDefault: '`kafka`',
      doc: "The brokers' Kerberos service: tickets are asked for `<name>/<broker host>`.",
    },
    {
      key: 'ssl.endpoint.identification.algorithm',
      type: 'string',
      shownDefault: '`https`',
      doc: 'Empty: no hostname verification.',
    },
    {
      key: TRUSTSTORE,
      docKey: '`<prefix>.ssl.truststore.location` / `.type` / `.password`',
      type: 'string',
      doc: "CA certificates: PEM, PKCS12 (also keytool's certificate-only stores) or JKS; the type is detected from the file. A JKS or PKCS12 store needs its password (a secret); a wrong one is an error naming the `.password` key.",
    },
    { key: 'ssl.truststore.type', type: 'string', seeRow: TRUSTSTORE, doc: 'Truststore format.' },
    { key: 'ssl.truststore.password', type: 'password', seeRow: TRUSTSTORE, doc: 'Truststore password.' },
    {
      key: KEYSTORE,
      docKey: '`<prefix>.ssl.keystore.location` / `.type` / `.password`, `<prefix>.ssl.key.password`',
      type: 'string',
      doc: 'Client certificate and key: PEM, PKCS12 or JKS (one private key; `ssl.key.password` decrypts it, default the store password). Passwords are secrets.',
    },
    { key: 'ssl.keystore.type', type: 'string', seeRow: KEYSTORE, doc: 'Keystore format.' },
    { key: 'ssl.keystore.password', type: 'password', seeRow: KEYSTORE, doc: 'Keystore password.' },
    { key: 'ssl.key.password', type: 'password', seeRow: KEYSTORE, doc: 'Private key password.' },
  ],
);
