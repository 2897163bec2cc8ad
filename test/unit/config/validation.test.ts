// One test per error class: every problem is reported at once, each naming key, section and line.
import { describe, expect, it } from 'vitest';
import {
  formatIssue,
  hasErrors,
  parseConnectorConfig,
  type ConfigIssue,
  type FileConnectorSpec,
  type MirrorConnectorSpec,
} from '../../../shared/config/index.js';
import { testPrivateKey } from '../cli/seed-configs.js';

const FILE_CLASS = 'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector';
const FILE_HEAD = [FILE_CLASS, 'topic=t', 'file.uris=gs://b/x.csv'];
const MIRROR_HEAD = [
  'connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector',
  'source.cluster.bootstrap.servers=127.0.0.1:19092',
  'target.cluster.bootstrap.servers=127.0.0.1:9092',
  'source->target.enabled=true',
];

const parse = (...lines: string[]) => parseConnectorConfig(lines.join('\n'), { fileName: 'x.conf' });
const errors = (issues: ConfigIssue[]) =>
  issues.filter((i) => i.severity === 'error').map((i) => [i.key, i.section, i.line, i.message]);
const only = (issues: ConfigIssue[]) => {
  const e = errors(issues);
  expect(e).toHaveLength(1);
  return e[0];
};

describe('formatIssue', () => {
  it('gives file:line [section] key: message, and (global) for global keys', () => {
    const parsed = parseConnectorConfig(
      [...FILE_HEAD, '', '', '', '', '', '', '', '', '[connector_person]', 'name=p', 'tasks.max=ten'].join('\n'),
      { fileName: 'people.conf' },
    );
    expect(parsed.issues.map((i) => formatIssue(i))).toEqual([
      'people.conf:14 [connector_person] tasks.max: must be a positive integer, got "ten"',
    ]);
    const g = parse(...FILE_HEAD, 'tasks.max=0', '[c]', 'name=n');
    expect(formatIssue(g.issues[0])).toBe('x.conf:4 (global) tasks.max: must be a positive integer, got "0"');
    expect(formatIssue(g.issues[0], 'other.conf')).toBe(
      'other.conf:4 (global) tasks.max: must be a positive integer, got "0"',
    );
  });
});

describe('structure', () => {
  it('refuses a config with no [section]', () => {
    expect(only(parse(...FILE_HEAD, 'name=n').issues)).toEqual([
      undefined,
      null,
      1,
      'no [section]: each connector needs a [section] with a name',
    ]);
    expect(hasErrors(parse('').issues)).toBe(true);
  });

  it('refuses duplicate section titles', () => {
    const p = parse(...FILE_HEAD, '[c]', 'name=a', '[c]', 'name=b');
    expect(only(p.issues)).toEqual([
      undefined,
      'c',
      6,
      'duplicate section [c] (first on line 4): section titles must be unique',
    ]);
  });

  it('refuses duplicate connector names across sections', () => {
    const p = parse(...FILE_HEAD, '[a]', 'name=same', '[b]', 'name=same');
    expect(only(p.issues)).toEqual([
      'name',
      'b',
      7,
      'connector name "same" is already used by [a]: names must be unique',
    ]);
  });

  it('reports missing name, topic, file.uris at the section header', () => {
    const p = parse(FILE_CLASS, '[c]', 'tasks.max=2');
    expect(errors(p.issues).map((e) => [e[0], e[1], e[2]])).toEqual([
      ['name', 'c', 2],
      ['topic', 'c', 2],
      ['file.uris', 'c', 2],
    ]);
    expect(errors(p.issues)[1][3]).toBe('missing: topic is required');
  });

  it('reports a missing connector.class and still checks the name', () => {
    const p = parse('[c]', 'topic=t');
    expect(errors(p.issues).map((e) => e[0])).toEqual(['connector.class', 'name']);
    expect(p.specs).toEqual([]);
  });

  it('reports an unknown connector.class listing the supported ones', () => {
    const [key, section, line, message] = only(
      parse('connector.class=com.example.S3SourceConnector', '[c]', 'name=n').issues,
    );
    expect([key, section, line]).toEqual(['connector.class', null, 1]);
    expect(message).toContain('unknown connector class "com.example.S3SourceConnector"; supported: ');
    expect(message).toContain('com.tigergraph.kafka.connect.filesystem.GCPSourceConnector');
    expect(message).toContain('org.apache.kafka.connect.mirror.MirrorSourceConnector');
  });

  it('gives every error of a file at once, across sections', () => {
    const p = parse(
      FILE_CLASS,
      'file.reader.batch.size=-5',
      '[a]',
      'name=a',
      'topic=t',
      'file.uris=gs://b/',
      'tasks.max=1.5',
      'num.partitions=zero',
      'file.recursive=yes',
      '[b]',
      'name=b',
      'topic=bad topic',
      'file.uris=hdfs://b/x',
      'mode=batch',
    );
    expect(errors(p.issues).map((e) => `${e[1]}:${e[2]}:${e[0]}`)).toEqual([
      'null:2:file.reader.batch.size',
      'a:7:tasks.max',
      'a:8:num.partitions',
      'a:9:file.recursive',
      'b:12:topic',
      'b:13:file.uris',
      'b:14:mode',
    ]);
    // A global problem is reported once even though two connectors read it.
    expect(p.specs).toHaveLength(2);
  });
});

describe('file connector values', () => {
  const file = (...lines: string[]) => parse(...FILE_HEAD, '[c]', 'name=n', ...lines);

  it('applies the documented defaults', () => {
    const p = file();
    expect(p.issues).toEqual([]);
    const s = p.specs[0] as FileConnectorSpec;
    expect([s.tasksMax, s.mode, s.regexp, s.recursive, s.numPartitions, s.replicationFactor]).toEqual([
      1,
      'streaming',
      '.*',
      true,
      1,
      -1,
    ]);
    expect(s.reader).toEqual({
      type: 'text',
      parquetMaxRowGroupBytes: 268435456,
      separator: ',',
      quote: '',
      valueDefault: '',
      batchSize: 1000,
      eol: '\n',
      header: false,
      archiveType: 'auto',
      archiveExtensions: { tar: ['tar'], zip: ['zip'], gzip: ['gz', 'tgz', 'tar.gz'] },
      maxLineBytes: 1048576,
    });
    expect(s.gcs).toEqual({});
    expect(s.errors).toEqual({ tolerance: 'none', deadLetterContextHeaders: true });
  });

  it('reads positive integers and refuses the rest', () => {
    for (const key of ['tasks.max', 'file.reader.batch.size', 'num.partitions', 'file.reader.max.line.bytes']) {
      expect(only(file(`${key}=ten`).issues)).toEqual([key, 'c', 6, 'must be a positive integer, got "ten"']);
      expect(only(file(`${key}=0`).issues)[3]).toBe('must be a positive integer, got "0"');
    }
    expect((file('file.reader.batch.size=250').specs[0] as FileConnectorSpec).reader.batchSize).toBe(250);
    expect(only(file('replication.factor=0').issues)[3]).toBe('must be -1 or an integer of at least 1, got "0"');
  });

  it('reads file.scan.interval.ms: 5000 by default, 0 turns the scan off, negatives are refused', () => {
    expect((file().specs[0] as FileConnectorSpec).scanIntervalMs).toBe(5000);
    expect((file('file.scan.interval.ms=0').specs[0] as FileConnectorSpec).scanIntervalMs).toBe(0);
    expect((file('file.scan.interval.ms=250').specs[0] as FileConnectorSpec).scanIntervalMs).toBe(250);
    expect(only(file('file.scan.interval.ms=-5').issues)).toEqual([
      'file.scan.interval.ms',
      'c',
      6,
      'must be an integer of at least 0, got "-5"',
    ]);
  });

  it('reads booleans case-insensitively and refuses other words', () => {
    expect((file('file.reader.text.header=TRUE').specs[0] as FileConnectorSpec).reader.header).toBe(true);
    expect(only(file('file.reader.text.header=1').issues)).toEqual([
      'file.reader.text.header',
      'c',
      6,
      'must be true or false, got "1"',
    ]);
    expect(only(file('errors.deadletterqueue.context.headers.enable=no').issues)[0]).toBe(
      'errors.deadletterqueue.context.headers.enable',
    );
  });

  it('maps quote words and characters, and refuses others', () => {
    const q = (v: string) => (file(`file.reader.delimited.quote=${v}`).specs[0] as FileConnectorSpec).reader.quote;
    expect([q('single'), q('double'), q("'"), q('\\"'), q('DOUBLE')]).toEqual(["'", '"', "'", '"', '"']);
    expect(only(file('file.reader.delimited.quote=backtick').issues)[3]).toBe(
      'must be single, double or empty, got "backtick"',
    );
  });

  it('normalises archive extensions and checks the archive type and reader type', () => {
    const s = file('file.reader.text.archive.extensions.gzip= .GZ, .tgz ,tar.gz', 'file.reader.text.archive.type=ZIP')
      .specs[0] as FileConnectorSpec;
    expect(s.reader.archiveExtensions.gzip).toEqual(['gz', 'tgz', 'tar.gz']);
    expect(s.reader.archiveType).toBe('zip');
    expect(only(file('file.reader.text.archive.type=rar').issues)[3]).toBe(
      'must be one of auto, tar, zip, gzip, none, got "rar"',
    );
    expect((file('file.reader.type=parquet').specs[0] as FileConnectorSpec).reader.type).toBe('parquet');
    expect(only(file('file.reader.type=orc').issues)[0]).toBe('file.reader.type');
  });

  it('splits file.uris on commas and refuses schemes other than gs:// and file://', () => {
    const p = parse(
      FILE_CLASS,
      'topic=t',
      '[c]',
      'name=n',
      'file.uris=gs://b/a.csv, gs://b/dir/ ,file:///tmp/x,/data/y',
    );
    expect(p.issues).toEqual([]);
    expect((p.specs[0] as FileConnectorSpec).uris).toEqual(['gs://b/a.csv', 'gs://b/dir/', 'file:///tmp/x', '/data/y']);
    expect(only(parse(FILE_CLASS, 'topic=t', '[c]', 'name=n', 'file.uris=hdfs://nn/x').issues)[3]).toBe(
      '"hdfs://nn/x": only gs://, s3a://, abfss://, file:// and plain local paths are supported',
    );
  });

  it('accepts mode=eof, absent or streaming, and refuses other modes', () => {
    expect((file('mode=EOF').specs[0] as FileConnectorSpec).mode).toBe('eof');
    expect(only(file('mode=once').issues)).toEqual([
      'mode',
      'c',
      6,
      'must be eof (load the files once) or absent (streaming), got "once"',
    ]);
  });

  it('compiles file.regexp as a Java regex: (?i) kept, nested repetition matched in linear time, bad refused', () => {
    expect(file('file.regexp=(?i).*\\.CSV').issues).toEqual([]);
    const bad = only(file('file.regexp=*.csv').issues);
    expect([bad[0], bad[1], bad[2]]).toEqual(['file.regexp', 'c', 6]);
    expect(bad[3]).toBe('not a valid regular expression: missing argument to repetition operator: `*`');
    expect(file('file.regexp=(a+)+b').issues).toEqual([]);
    expect(only(file('file.regexp=(?x)a b').issues)[3]).toContain('(?x) is not supported');
    expect(only(file('file.regexp=abc\\').issues)[3]).toContain('a dangling \\ at the end');
  });

  it('reads the errors.* policy', () => {
    const s = file('errors.tolerance=all', 'errors.deadletterqueue.topic.name=dlq', 'errors.log.enable=true').specs[0];
    expect(s.errors).toEqual({ tolerance: 'all', deadLetterTopic: 'dlq', deadLetterContextHeaders: true });
    expect(only(file('errors.tolerance=some').issues)[3]).toBe('must be one of none, all, got "some"');
  });

  it('reads an optional target cluster with producer.* security', () => {
    const s = file(
      'target.cluster.bootstrap.servers=k1:9092,k2:9092',
      'producer.security.protocol=SASL_SSL',
      'producer.sasl.mechanism=SCRAM-SHA-512',
      'producer.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
      'producer.ssl.truststore.location=/etc/ca.pem',
      'producer.ssl.truststore.type=pem',
    );
    expect(s.issues).toEqual([]);
    expect((s.specs[0] as FileConnectorSpec).target).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      security: {
        protocol: 'SASL_SSL',
        keyPrefix: 'producer.',
        saslMechanism: 'SCRAM-SHA-512',
        saslJaasConfig: 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
        sslTruststoreLocation: '/etc/ca.pem',
        sslTruststoreType: 'PEM',
      },
    });
    expect(only(file('target.cluster.bootstrap.servers=k1').issues)[3]).toBe(
      'expected host:port[,host:port...], got "k1"',
    );
  });

  it('accepts GCPSourceConnector and refuses a private key that is not PEM', () => {
    const p = parse(
      'connector.class=com.tigergraph.kafka.connect.filesystem.GCPSourceConnector',
      'topic=t',
      'file.uris=gs://b/x',
      'file.reader.settings.fs.gs.auth.service.account.email=a@b.iam.gserviceaccount.com',
      'file.reader.settings.fs.gs.auth.service.account.private.key=not-a-key',
      '[c]',
      'name=n',
    );
    expect(only(p.issues)).toEqual([
      'file.reader.settings.fs.gs.auth.service.account.private.key',
      null,
      5,
      'is not a PEM private key: expected the whole key, BEGIN PRIVATE KEY and END PRIVATE KEY lines included',
    ]);
    expect(p.specs[0].kind).toBe('file');
  });

  it('turns the \\n escapes of an unquoted key copied from a JSON key file into newlines', () => {
    const pem = testPrivateKey();
    const p = file(
      'file.reader.settings.client_email=a@b.iam.gserviceaccount.com',
      `file.reader.settings.fs.gs.auth.service.account.private.key=${pem.replace(/\n/g, '\\n')}`,
    );
    expect(p.issues).toEqual([]);
    expect((p.specs[0] as FileConnectorSpec).gcs.privateKey).toBe(pem);
  });

  it('refuses a key that does not parse, naming the line of a quoted key that holds "..." or is not base64', () => {
    const key = 'file.reader.settings.fs.gs.auth.service.account.private.key';
    const lines = testPrivateKey().trimEnd().split('\n');
    const elided = [...lines.slice(0, 3), '...', ...lines.slice(-3)].join('\n');
    const p = file('file.reader.settings.client_email=a@b.iam.gserviceaccount.com', `${key}="${elided}"`);
    expect(p.issues.map((i) => [i.line, i.key, i.message.replace(/\(.*?\)/, '(…)')])).toEqual([
      [
        10,
        key,
        "is not a parseable PEM private key (…): paste the whole private_key of the service account's JSON key " +
          'file; this line holds an elided part ("...")',
      ],
    ]);
    const garbled = lines.map((l, i) => (i === 2 ? 'not a key line' : l)).join('\n');
    const q = file('file.reader.settings.client_email=a@b.iam.gserviceaccount.com', `${key}="${garbled}"`);
    expect(q.issues.map((i) => [i.line, i.message.slice(-39)])).toEqual([
      [9, 'this line holds text that is not base64'],
    ]);
    const short = file(
      'file.reader.settings.client_email=a@b.iam.gserviceaccount.com',
      `${key}=-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n`,
    );
    expect(short.issues.map((i) => [i.line, i.message])).toEqual([
      [7, expect.stringMatching(/^is not a parseable PEM private key \(ERR_OSSL_\w+\): paste the whole/)],
    ]);
    for (const i of [...p.issues, ...q.issues, ...short.issues]) expect(i.message).not.toMatch(/MII|AAAA/);
  });
});

describe('unknown keys', () => {
  it('warns with a did-you-mean for a near miss, without one for a far miss', () => {
    const p = parse(...FILE_HEAD, 'file.reader.batch.sise=10', '[c]', 'name=n', 'colour=blue');
    expect(p.issues.map((i) => formatIssue(i))).toEqual([
      'x.conf:4 (global) warning: file.reader.batch.sise: unknown key for a file connector, ignored; did you mean file.reader.batch.size?',
      'x.conf:7 [c] warning: colour: unknown key for a file connector, ignored',
    ]);
    expect(hasErrors(p.issues)).toBe(false);
  });

  it('knows the mirror keys apart from the file keys', () => {
    const p = parse(...MIRROR_HEAD, 'topic=t', 'refresh.topics.interval.second=5', '[m]', 'name=m');
    expect(p.issues.map((i) => [i.severity, i.key, i.message])).toEqual([
      ['warning', 'topic', 'unknown key for a mirror connector, ignored; did you mean topics?'],
      [
        'warning',
        'refresh.topics.interval.second',
        'unknown key for a mirror connector, ignored; did you mean refresh.topics.interval.seconds?',
      ],
    ]);
  });
});

describe('mirror connector values', () => {
  const mirror = (...lines: string[]) => parse(...MIRROR_HEAD, '[m]', 'name=m', ...lines);
  const spec = (...lines: string[]) => mirror(...lines).specs[0] as MirrorConnectorSpec;

  it('applies MM2 defaults', () => {
    const p = mirror();
    expect(p.issues).toEqual([]);
    const s = p.specs[0] as MirrorConnectorSpec;
    expect([s.sourceAlias, s.targetAlias, s.topics, s.separator, s.identityPolicy, s.replicationFactor]).toEqual([
      'source',
      'target',
      ['.*'],
      '.',
      false,
      -1,
    ]);
    expect(s.topicsExclude).toEqual(['.*[\\-\\.]internal', '.*\\.replica', '__.*']);
    expect([s.refreshTopicsIntervalSeconds, s.startFrom, s.valueConverter.kind]).toEqual([
      600,
      'earliest',
      'bytearray',
    ]);
    expect(s.source.security).toEqual({ protocol: 'PLAINTEXT' });
    expect(s.fetch).toEqual({ maxBytes: 8 << 20, partitionMaxBytes: 1 << 20, maxWaitMs: 500 });
  });

  it('reads the source consumer fetch sizes, and refuses a size that is not a positive integer', () => {
    const s = spec(
      'consumer.max.partition.fetch.bytes=16384',
      'consumer.fetch.max.bytes=65536',
      'consumer.fetch.max.wait.ms=50',
    );
    expect(s.fetch).toEqual({ maxBytes: 65536, partitionMaxBytes: 16384, maxWaitMs: 50 });
    expect(only(mirror('consumer.max.partition.fetch.bytes=0').issues)[0]).toBe('consumer.max.partition.fetch.bytes');
  });

  it('reads topics, exclusions (and the legacy blacklist), policy, separator and start position', () => {
    const s = spec(
      'topics=orders, payments-.*',
      'topics.blacklist=.*-test',
      'replication.policy.class=org.apache.kafka.connect.mirror.IdentityReplicationPolicy',
      'replication.policy.separator=_',
      'refresh.topics.interval.seconds=5',
      'consumer.auto.offset.reset=latest',
    );
    expect([s.topics, s.topicsExclude, s.identityPolicy, s.separator]).toEqual([
      ['orders', 'payments-.*'],
      ['.*-test'],
      true,
      '_',
    ]);
    expect([s.refreshTopicsIntervalSeconds, s.startFrom]).toEqual([5, 'latest']);
    expect(only(mirror('replication.policy.class=com.x.Policy').issues)[0]).toBe('replication.policy.class');
    expect(only(mirror('topics=(?<=a)b').issues)[3]).toContain('"(?<=a)b": not a valid regular expression');
  });

  it('requires source->target.enabled=true, also in the alias spelling', () => {
    const base = MIRROR_HEAD.slice(0, 3);
    expect(only(parse(...base, '[m]', 'name=m').issues)).toEqual([
      'source->target.enabled',
      'm',
      4,
      'missing: source->target.enabled must be true',
    ]);
    expect(only(parse(...base, 'source->target.enabled=false', '[m]', 'name=m').issues)).toEqual([
      'source->target.enabled',
      null,
      4,
      'must be true: dsc mirrors from source to target only',
    ]);
    const aliased = parse(
      ...base,
      'source.cluster.alias=a',
      'target.cluster.alias=b',
      'a→b.enabled=true',
      '[m]',
      'name=m',
    );
    expect(aliased.issues).toEqual([]);
  });

  it('requires both bootstrap server lists', () => {
    const p = parse(MIRROR_HEAD[0], MIRROR_HEAD[3], '[m]', 'name=m');
    expect(errors(p.issues).map((e) => e[0])).toEqual([
      'source.cluster.bootstrap.servers',
      'target.cluster.bootstrap.servers',
    ]);
  });

  it('maps value converters to their kinds', () => {
    const kind = (cls: string, ...more: string[]) => spec(`value.converter=${cls}`, ...more).valueConverter;
    expect(kind('org.apache.kafka.connect.converters.ByteArrayConverter').kind).toBe('bytearray');
    expect(kind('org.apache.kafka.connect.storage.StringConverter').kind).toBe('string');
    expect(kind('com.tigergraph.kafka.connect.converters.TigerGraphAvroConverterWithoutSchemaRegistry').kind).toBe(
      'avro-embedded',
    );
    expect(
      kind(
        'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
        'value.converter.schema.registry.url=http://127.0.0.1:8081',
        'value.converter.basic.auth.credentials.source=USER_INFO',
        'value.converter.basic.auth.user.info=u:p',
      ),
    ).toEqual({
      kind: 'avro-registry',
      className: 'com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter',
      schemaRegistryUrl: 'http://127.0.0.1:8081',
      basicAuthCredentialsSource: 'USER_INFO',
      basicAuthUserInfo: 'u:p',
    });
  });

  it('refuses a registry converter without a registry URL, JsonConverter, and non-bytes key/header converters', () => {
    expect(
      only(mirror('value.converter=com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter').issues),
    ).toEqual([
      'value.converter.schema.registry.url',
      'm',
      5,
      'missing: com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter needs value.converter.schema.registry.url',
    ]);
    expect(only(mirror('value.converter=org.apache.kafka.connect.json.JsonConverter').issues)[3]).toContain(
      'for JSON records use ByteArrayConverter',
    );
    const k = only(mirror('key.converter=org.apache.kafka.connect.storage.StringConverter').issues);
    expect([k[0], k[3]]).toEqual([
      'key.converter',
      '"org.apache.kafka.connect.storage.StringConverter" is not supported: keys and headers are copied as bytes; ' +
        'set org.apache.kafka.connect.converters.ByteArrayConverter',
    ]);
    expect(only(mirror('header.converter=x.Y').issues)[0]).toBe('header.converter');
  });

  it('accepts the MM2-internal keys of the seed, also after an alias, without warnings', () => {
    const p = mirror(
      'sync.topic.acls.enabled=false',
      'checkpoints.topic.replication.factor=1',
      'emit.checkpoints.interval.seconds=5',
      'sync.group.offsets.enabled=false',
      'target.scheduled.rebalance.max.delay.ms=35000',
    );
    expect(p.issues).toEqual([]);
  });
});

describe('security', () => {
  const secured = (...lines: string[]) => parse(...MIRROR_HEAD, '[m]', 'name=m', ...lines);

  it('refuses an unknown protocol', () => {
    expect(only(secured('consumer.security.protocol=TLS').issues)).toEqual([
      'consumer.security.protocol',
      'm',
      7,
      'must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"',
    ]);
  });

  it('accepts GSSAPI with a Krb5LoginModule keytab login, also as the implicit default of a SASL protocol', () => {
    const krb5 =
      'com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true ' +
      'keyTab=\\"/k/c.keytab\\" principal=\\"c@R.COM\\";';
    const ok = secured(
      'consumer.security.protocol=SASL_SSL',
      'consumer.sasl.mechanism=gssapi',
      `consumer.sasl.jaas.config=${krb5}`,
    );
    expect(ok.issues).toEqual([]);
    const implicit = secured('consumer.security.protocol=SASL_PLAINTEXT', `consumer.sasl.jaas.config=${krb5}`);
    expect(implicit.issues).toEqual([]);
    expect((implicit.specs[0] as MirrorConnectorSpec).source.security.saslMechanism).toBe('GSSAPI');
    expect(only(secured('consumer.security.protocol=SASL_PLAINTEXT').issues)[0]).toBe('consumer.sasl.jaas.config');
    const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";';
    expect(
      only(
        secured(
          'consumer.security.protocol=SASL_SSL',
          'consumer.sasl.mechanism=GSSAPI',
          `consumer.sasl.jaas.config=${scram}`,
        ).issues,
      ),
    ).toEqual([
      'consumer.sasl.jaas.config',
      'm',
      9,
      'GSSAPI needs com.sun.security.auth.module.Krb5LoginModule, not org.apache.kafka.common.security.scram.ScramLoginModule',
    ]);
    const noKeytab = 'com.sun.security.auth.module.Krb5LoginModule required useTicketCache=true;';
    expect(
      only(
        secured(
          'consumer.security.protocol=SASL_SSL',
          'consumer.sasl.mechanism=GSSAPI',
          `consumer.sasl.jaas.config=${noKeytab}`,
        ).issues,
      )[3],
    ).toBe('GSSAPI needs useKeyTab=true with keyTab="<file>" and principal="<name@REALM>"');
  });

  it('refuses a SASL mechanism without sasl.jaas.config, and a JAAS config without credentials', () => {
    expect(only(secured('producer.security.protocol=SASL_SSL', 'producer.sasl.mechanism=PLAIN').issues)).toEqual([
      'producer.sasl.jaas.config',
      'm',
      5,
      'missing: producer.sasl.mechanism=PLAIN needs producer.sasl.jaas.config with the login module and credentials',
    ]);
    expect(
      only(
        secured(
          'producer.security.protocol=SASL_SSL',
          'producer.sasl.mechanism=SCRAM-SHA-256',
          'producer.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u";',
        ).issues,
      )[3],
    ).toBe('SCRAM-SHA-256 needs the username and password options in the JAAS config');
  });

  it('accepts JKS stores with their passwords, and names the missing password', () => {
    const p = secured(
      'source.admin.security.protocol=SSL',
      'source.admin.ssl.keystore.location=/k/client.JKS',
      'source.admin.ssl.truststore.location=/k/trust.store',
      'source.admin.ssl.truststore.type=JKS',
    );
    expect(errors(p.issues)).toEqual([
      [
        'source.admin.ssl.keystore.password',
        'm',
        5,
        'missing: the JKS store source.admin.ssl.keystore.location needs its password',
      ],
      [
        'source.admin.ssl.truststore.password',
        'm',
        5,
        'missing: the JKS store source.admin.ssl.truststore.location needs its password',
      ],
    ]);
    const ok = secured(
      'source.admin.security.protocol=SSL',
      'source.admin.ssl.keystore.location=/k/client.jks',
      'source.admin.ssl.keystore.password=******',
      'source.admin.ssl.truststore.location=/k/trust.store',
      'source.admin.ssl.truststore.type=JKS',
      'source.admin.ssl.truststore.password=******',
    );
    expect(ok.issues).toEqual([]);
    expect(
      only(secured('source.admin.security.protocol=SSL', 'source.admin.ssl.truststore.type=JCEKS').issues)[3],
    ).toBe('unsupported store type "JCEKS"; supported: JKS, PKCS12, PEM');
  });
});
