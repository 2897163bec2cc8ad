// The seed's p.csv/f.csv example (§2.4): the generated loading job matches the seed's up to the vertex and edge
// names (and attribute order) the user fills in.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConnectorConfig, redactSpec } from '../../../shared/config/index.js';
import type { FileConnectorSpec } from '../../../shared/config/spec.js';
import { storageFor } from '../../../shared/storage/storage-router.js';
import { fileShape, sampleFirstLine } from '../../../shared/tigergraph/gather.js';
import { handoffFiles, topicPartitionFile } from '../../../shared/tigergraph/handoff.js';

const config = `connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector
mode=eof
file.reader.text.header=true
[connector_person]
name = fs-person-demo-104
topic=person-demo-104
file.uris=gs://example/p.csv
[connector_friend]
name = fs-friend-demo-104
topic=friend-demo-104
file.uris=gs://example/f.csv
`;

describe('dsc tigergraph files', () => {
  const specs = parseConnectorConfig(config, { fileName: 'seed.conf' }).specs as FileConnectorSpec[];
  const options = { name: 'person', graph: 'social', dataSource: 'k1', pathPrefix: '/home/mydata' };
  const target = { brokers: ['10.128.0.240:30002'], security: { protocol: 'PLAINTEXT' as const } };

  it("writes the seed's topic-partition files", () => {
    expect(
      JSON.parse(topicPartitionFile({ topic: 'person-demo-104', partitions: [0], shape: { kind: 'unknown' } })),
    ).toEqual({ topic: 'person-demo-104', partition_list: [{ start_offset: -2, partition: 0 }] });
  });

  it("writes the seed's loading job up to the names the user fills in", () => {
    const topics = [
      {
        topic: 'person-demo-104',
        partitions: [0],
        shape: fileShape(specs[0], 'name,gender,age,state'),
        file: 'topic_person.json',
      },
      {
        topic: 'friend-demo-104',
        partitions: [0],
        shape: fileShape(specs[1], 'person1,person2,date'),
        file: 'topic_friend.json',
      },
    ];
    const files = handoffFiles(specs[0], target, {}, topics, options);
    const gsql = files.find((f) => f.name.endsWith('.gsql'))!.content;
    expect(gsql.split('\n')[0]).toMatch(/^\/\/ /);
    expect(gsql).toContain('Fill in the vertex and edge names');
    expect(gsql).toContain('CREATE DATA_SOURCE KAFKA k1 FOR GRAPH social');
    expect(gsql).toContain('SET k1 = "/home/mydata/datasource.json" FOR GRAPH social');
    // The seed's job, with the type names and attribute order as placeholders.
    const seed = [
      'CREATE LOADING JOB load_person FOR GRAPH social {',
      '  DEFINE FILENAME f1 = "$k1:/home/mydata/topic_person-demo-104.json";',
      '  DEFINE FILENAME f2 = "$k1:/home/mydata/topic_friend-demo-104.json";',
      '  // $0=name, $1=gender, $2=age, $3=state',
      '  LOAD f1 TO VERTEX <vertex_or_edge> VALUES ($0, $1, $2, $3) USING separator=",";',
      '  // $0=person1, $1=person2, $2=date',
      '  LOAD f2 TO VERTEX <vertex_or_edge> VALUES ($0, $1, $2) USING separator=",";',
      '}',
    ].join('\n');
    expect(gsql).toContain(seed);
    const datasource = JSON.parse(files.find((f) => f.name === 'datasource.json')!.content);
    expect(datasource.broker).toBe('10.128.0.240:30002');
    expect(datasource.kafka_config['isolation.level']).toBe('read_committed');
  });

  it('JSON lines: $"field" names with JSON_FILE', () => {
    const shape = fileShape(specs[0], '{"company":"TigerGraph","employee_num":346}');
    expect(shape).toEqual({ kind: 'json', fields: ['company', 'employee_num'] });
    const files = handoffFiles(specs[0], target, {}, [{ topic: 't', partitions: [0, 1], shape }], options);
    expect(files.at(-1)!.content).toContain('VALUES ($"company", $"employee_num") USING JSON_FILE="true";');
  });

  it("a quoted header names its columns without the quotes; the connector's separator splits it", () => {
    const quoted = parseConnectorConfig(
      'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector\nmode=eof\ntopic=t\nfile.uris=/x\n' +
        'file.reader.text.header=true\nfile.reader.delimited.separator=|\nfile.reader.delimited.quote=double\n[q]\nname=q\n',
      { fileName: 'q.conf' },
    ).specs[0] as FileConnectorSpec;
    expect(fileShape(quoted, '"id"|"full ""name"""|age')).toEqual({
      kind: 'csv',
      separator: '|',
      columns: ['id', 'full "name"', 'age'],
    });
    expect(fileShape(quoted, undefined)).toEqual({ kind: 'csv', separator: '|' });
  });

  it('Parquet: $"column" names from the file\'s footer (ranged reads through the storage port), with JSON_FILE', async () => {
    const fixtures = join(import.meta.dirname, '../../fixtures/parquet/pyarrow');
    const [spec] = parseConnectorConfig(
      `connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector\nmode=eof\n[c]\nname=c\ntopic=t\nfile.uris=${fixtures}/int96.parquet\n`,
      { fileName: 'p.conf' },
    ).specs as FileConnectorSpec[];
    const storage = storageFor();
    const sample = await sampleFirstLine(spec, storage);
    expect(sample.uri).toMatch(/int96\.parquet$/);
    const shape = fileShape(spec, sample.line, sample.columns);
    expect(shape).toEqual({ kind: 'json', fields: ['ts'] });
    const wideSample = await sampleFirstLine({ ...spec, uris: [`${fixtures}/snappy-v1-dict.parquet`] }, storage);
    const wide = fileShape(spec, undefined, wideSample.columns);
    expect(wide.kind === 'json' && wide.fields.slice(0, 3)).toEqual(['i8', 'i16', 'i32']);
    expect(wide.kind === 'json' && wide.fields.at(-1)).toBe('people');
    const files = handoffFiles(spec, target, {}, [{ topic: 't', partitions: [0], shape }], options);
    expect(files.at(-1)!.content).toContain('VALUES ($"ts") USING JSON_FILE="true";');
    // Parquet that could not be sampled: a comment in place of the LOAD line.
    expect(fileShape({ ...spec, reader: { ...spec.reader, type: 'parquet' } })).toEqual({
      kind: 'unknown',
    });
  });
});

describe('dsc tigergraph against a deployment (secrets unknown)', () => {
  it('writes placeholders naming the secret instead of values, and read_committed for exactly-once', () => {
    const text = `connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector
topic=t
file.uris=gs://b/x.csv
target.cluster.bootstrap.servers=k:9093
producer.security.protocol=SASL_SSL
producer.sasl.mechanism=SCRAM-SHA-512
producer.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="s3cret";
producer.ssl.truststore.location=/x/ca.pem
[c]
name=c
`;
    // As the API returns it: redacted.
    const spec = redactSpec(parseConnectorConfig(text, { fileName: 'c.conf' }).specs[0] as FileConnectorSpec);
    const files = handoffFiles(spec, spec.target!, {}, [{ topic: 't', shape: { kind: 'unknown' } }], {
      name: 'c',
      graph: 'g',
      dataSource: 'k1',
      pathPrefix: '/tg',
      placeholder: (key, part) => `<paste secret for ${key} (${part})>`,
    });
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toContain('s3cret');
    const ds = JSON.parse(files[0].content);
    expect(ds).toEqual({
      broker: 'k:9093',
      kafka_config: {
        'isolation.level': 'read_committed',
        'security.protocol': 'sasl_ssl',
        'sasl.mechanisms': 'SCRAM-SHA-512',
        'sasl.username': '<paste secret for producer.sasl.jaas.config (username)>',
        'sasl.password': '<paste secret for producer.sasl.jaas.config (password)>',
        'ssl.ca.location': '/tg/ca.pem',
      },
    });
    expect(files[0].secret).toBe(true);
    expect(JSON.parse(files.find((f) => f.name === 'topic_t.json')!.content)).toEqual({
      topic: 't',
      default_start_offset: -2,
    });
  });

  it("the deployment's own target: the username from this machine's environment, never the password", () => {
    const jaas =
      'org.apache.kafka.common.security.scram.ScramLoginModule required username="svc" password="from-env-secret";';
    const target = {
      brokers: ['k:9093'],
      security: { protocol: 'SASL_SSL' as const, saslMechanism: 'SCRAM-SHA-256', saslJaasConfig: jaas },
    };
    const spec = parseConnectorConfig(
      'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector\ntopic=t\nfile.uris=/x\n[c]\nname=c\n',
      { fileName: 'c.conf' },
    ).specs[0] as FileConnectorSpec;
    const files = handoffFiles(spec, target, {}, [], {
      name: 'c',
      graph: 'g',
      dataSource: 'k1',
      pathPrefix: '/tg',
      placeholder: (key, part) => `<${key} ${part}>`,
    });
    expect(JSON.parse(files[0].content).kafka_config).toMatchObject({
      'sasl.username': 'svc',
      'sasl.password': '<sasl.jaas.config password>',
    });
    expect(files.map((f) => f.content).join('\n')).not.toContain('from-env-secret');
  });
});
