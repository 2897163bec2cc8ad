// A `[section]` whose connector.class is MirrorMaker 2's MirrorSourceConnector → MirrorConnectorSpec (seed §3.1).
import type { MirrorConnectorSpec, ValueConverter, ValueConverterSpec } from './spec.js';
import { readSpecBase } from './connector-base.js';
import { compileJavaRegExp } from './java-regexp.js';
import { readKafkaSecurity } from './kafka-security.js';
import { isValidTopicName, readBrokers } from './kafka-names.js';
import type { SettingReader } from './setting-reader.js';
import { declaredInt, declaredList } from './config-def.js';

export const BYTE_ARRAY_CONVERTER = 'org.apache.kafka.connect.converters.ByteArrayConverter';
export const DEFAULT_REPLICATION_POLICY = 'org.apache.kafka.connect.mirror.DefaultReplicationPolicy';
export const IDENTITY_REPLICATION_POLICY = 'org.apache.kafka.connect.mirror.IdentityReplicationPolicy';
/** MM2's default `topics.exclude`: internal and replica topics are never mirrored. */
export const DEFAULT_TOPICS_EXCLUDE = declaredList('topics.exclude');
/** The source fetch sizes when a spec sets none (also specs stored before the consumer.fetch.* keys). */
export const DEFAULT_FETCH = {
  maxBytes: declaredInt('consumer.fetch.max.bytes'),
  partitionMaxBytes: declaredInt('consumer.max.partition.fetch.bytes'),
  maxWaitMs: declaredInt('consumer.fetch.max.wait.ms'),
};

/** `value.converter` classes and what each means here. */
export const VALUE_CONVERTERS: Record<string, ValueConverter> = {
  [BYTE_ARRAY_CONVERTER]: 'bytearray',
  'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter': 'avro-registry',
  'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverterWithoutSchemaRegistry': 'avro-embedded',
  'org.apache.kafka.connect.storage.StringConverter': 'string',
};

function readPassThroughConverter(r: SettingReader, key: string): void {
  const v = r.optional(key)?.trim();
  if (v !== undefined && v !== BYTE_ARRAY_CONVERTER)
    r.error(
      key,
      `${JSON.stringify(v)} is not supported: keys and headers are copied as bytes; set ${BYTE_ARRAY_CONVERTER}`,
    );
}

function readValueConverter(r: SettingReader): ValueConverterSpec {
  const key = 'value.converter';
  const className = r.string(key).trim();
  let kind = VALUE_CONVERTERS[className];
  if (kind === undefined) {
    // JsonConverter would wrap the copied bytes in a schema envelope; plain JSON records need ByteArrayConverter.
    const hint =
      className === 'org.apache.kafka.connect.json.JsonConverter'
        ? ' (for JSON records use ByteArrayConverter: the bytes are copied as they are)'
        : '';
    r.error(
      key,
      `${JSON.stringify(className)} is not supported${hint}; supported: ${Object.keys(VALUE_CONVERTERS).join(', ')}`,
    );
    kind = 'bytearray';
  }
  const spec: ValueConverterSpec = { kind, className };
  const url = r.optional('value.converter.schema.registry.url')?.trim();
  if (url) spec.schemaRegistryUrl = url;
  else if (kind === 'avro-registry')
    r.error('value.converter.schema.registry.url', `missing: ${className} needs value.converter.schema.registry.url`);
  if (url && !/^https?:\/\//i.test(url))
    r.error('value.converter.schema.registry.url', 'must be an http:// or https:// URL');
  const source = r.optional('value.converter.basic.auth.credentials.source')?.trim();
  const userInfo = r.optional('value.converter.basic.auth.user.info');
  if (source !== undefined) {
    spec.basicAuthCredentialsSource = source.toUpperCase();
    if (spec.basicAuthCredentialsSource !== 'USER_INFO')
      r.error(
        'value.converter.basic.auth.credentials.source',
        `only USER_INFO is supported, got ${JSON.stringify(source)}`,
      );
    else if (userInfo === undefined)
      r.error(
        'value.converter.basic.auth.user.info',
        'missing: basic.auth.credentials.source=USER_INFO needs user:password here',
      );
  }
  if (userInfo !== undefined) {
    spec.basicAuthUserInfo = userInfo;
    if (!userInfo.includes(':')) r.error('value.converter.basic.auth.user.info', 'must be user:password');
  }
  const schema = r.optional('value.converter.schema');
  if (schema !== undefined && schema.trim() !== '') spec.schema = schema.trim();
  return spec;
}

/** A list of Java regexes (MM2 joins them with `|` and matches whole topic names). */
function readTopicPatterns(r: SettingReader, key: string, fallback: string[]): string[] {
  const list = r.list(key, fallback);
  for (const pattern of list) {
    const compiled = compileJavaRegExp(pattern, { whole: true });
    if (!compiled.ok) r.error(key, `${JSON.stringify(pattern)}: ${compiled.reason}`);
  }
  return list;
}

function readAlias(r: SettingReader, key: string): string {
  const alias = r.string(key).trim();
  if (!isValidTopicName(alias))
    r.error(key, `${JSON.stringify(alias)} must be a valid topic-name prefix (letters, digits, '.', '_', '-')`);
  return alias;
}

export function readMirrorConnectorSpec(r: SettingReader, connectorClass: string): MirrorConnectorSpec {
  const base = readSpecBase(r, connectorClass);
  // MM2's defaults, which also make the seed's literal `source->target.enabled` the enabling key.
  const sourceAlias = readAlias(r, 'source.cluster.alias');
  const targetAlias = readAlias(r, 'target.cluster.alias');
  if (sourceAlias === targetAlias && sourceAlias !== '')
    r.error('target.cluster.alias', `must differ from source.cluster.alias (${JSON.stringify(sourceAlias)})`);

  // The seed writes `source->target.enabled` literally; MM2 spells it with the aliases. Either enables the flow.
  const flowKeys = [...new Set(['source->target.enabled', `${sourceAlias}->${targetAlias}.enabled`])];
  const flowKey = flowKeys.find((k) => r.has(k));
  if (flowKey === undefined) r.error(flowKeys[0], `missing: ${flowKeys.join(' or ')} must be true`);
  for (const k of flowKeys)
    if (r.has(k) && r.bool(k, false) !== true) r.error(k, 'must be true: dsc mirrors from source to target only');

  const topicsExcludeKey =
    r.has('topics.exclude') || !r.has('topics.blacklist') ? 'topics.exclude' : 'topics.blacklist';
  if (r.has('topics.exclude') && r.has('topics.blacklist'))
    r.warn('topics.blacklist', 'ignored: topics.exclude is set (topics.blacklist is its old name)');

  const policyClass = r.string('replication.policy.class').trim();
  if (policyClass !== DEFAULT_REPLICATION_POLICY && policyClass !== IDENTITY_REPLICATION_POLICY)
    r.error(
      'replication.policy.class',
      `${JSON.stringify(policyClass)} is not supported; supported: ${DEFAULT_REPLICATION_POLICY}, ${IDENTITY_REPLICATION_POLICY}`,
    );
  const separator = r.string('replication.policy.separator');
  if (separator === '') r.error('replication.policy.separator', 'must not be empty');

  readPassThroughConverter(r, 'key.converter');
  readPassThroughConverter(r, 'header.converter');
  const consumer = readKafkaSecurity(r, 'consumer.');
  return {
    kind: 'mirror',
    ...base,
    sourceAlias,
    targetAlias,
    source: { brokers: readBrokers(r, 'source.cluster.bootstrap.servers'), security: consumer },
    sourceAdmin: readKafkaSecurity(r, 'source.admin.'),
    target: {
      brokers: readBrokers(r, 'target.cluster.bootstrap.servers'),
      security: readKafkaSecurity(r, 'producer.'),
    },
    topics: readTopicPatterns(r, 'topics', declaredList('topics')),
    topicsExclude: readTopicPatterns(r, topicsExcludeKey, DEFAULT_TOPICS_EXCLUDE),
    separator,
    identityPolicy: policyClass === IDENTITY_REPLICATION_POLICY,
    replicationFactor: r.integer('replication.factor', 1, true),
    refreshTopicsIntervalSeconds: r.positiveInt('refresh.topics.interval.seconds'),
    startFrom: r.choice('consumer.auto.offset.reset', ['earliest', 'latest'] as const),
    fetch: {
      maxBytes: r.positiveInt('consumer.fetch.max.bytes'),
      partitionMaxBytes: r.positiveInt('consumer.max.partition.fetch.bytes'),
      maxWaitMs: r.positiveInt('consumer.fetch.max.wait.ms'),
    },
    valueConverter: readValueConverter(r),
  };
}
