// What a TigerGraph Kafka loader needs to read a connector's output (seed §2.3–2.4, §3.3–3.4): the data source
// file (broker + librdkafka kafka_config), one topic-partition file per topic, and a loading job. Pure: the CLI
// (shared/cli/tigergraph.ts) gathers partitions, samples and store contents and writes the files.
import type { ConnectorSpec, KafkaEndpoint, KafkaSecurity } from '../config/spec.js';
import { DEFAULT_DELIVERY } from '../config/spec.js';
import { parseJaasConfig } from '../config/jaas-config.js';

/** The JAAS options the loader's settings are taken from. */
export type JaasPart = 'username' | 'password' | 'principal' | 'keyTab';

/** One file to write; `secret` files (and key material) get mode 0600. */
export interface HandoffFile {
  name: string;
  content: string;
  secret: boolean;
}

/** Key material converted from the connector's stores, as librdkafka reads it (PEM). */
export interface ConvertedStores {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
}

/** What a loading job knows of a topic's records. */
export type RecordShape =
  | { kind: 'csv'; separator: string; columns?: string[]; width?: number }
  | { kind: 'json'; fields: string[] }
  | { kind: 'unknown' };

export interface HandoffTopic {
  topic: string;
  /** Partition ids the topic has now; undefined when they could not be read (the file then uses default_start_offset). */
  partitions?: number[];
  shape: RecordShape;
  /** Where a file connector's shape was sampled from, or why it was not. */
  sample?: { from: string } | { missing: string };
}

export interface HandoffOptions {
  name: string;
  graph: string;
  dataSource: string;
  /** The directory the files will sit in on the TigerGraph machine (`--path-prefix`, else the output dir). */
  pathPrefix: string;
  /**
   * Secrets are not known (a deployment): each is a placeholder naming where to paste it from. `settingKey` is the
   * connector's key holding it (`producer.sasl.jaas.config`), `part` the JAAS option wanted when not the whole value.
   */
  placeholder?: (settingKey: string, part?: JaasPart) => string;
}

const isExactlyOnce = (spec: ConnectorSpec) => (spec.delivery ?? DEFAULT_DELIVERY).exactlyOnce;
const join = (dir: string, file: string) => `${dir.replace(/\/+$/, '')}/${file}`;
/** Topic names may hold characters a file name should not. */
export const topicFileName = (topic: string) => `topic_${topic.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;

/** librdkafka's `kafka_config` for the target the connector writes to. */
export function kafkaConfig(
  spec: ConnectorSpec,
  security: KafkaSecurity,
  stores: ConvertedStores,
  options: HandoffOptions,
): Record<string, string> {
  const c: Record<string, string> = {};
  const jaasKey = `${security.keyPrefix ?? ''}sasl.jaas.config`;
  const jaas = security.saslJaasConfig ? parseJaasConfig(security.saslJaasConfig) : undefined;
  const jaasOptions = jaas?.ok ? jaas.config.options : {};
  // Against a deployment the JAAS config comes back redacted: every part is pasted from its secret. A password is
  // never taken from it then, even when readable (the deployment's own target, from this machine's environment).
  const part = (name: JaasPart, secret: boolean) =>
    options.placeholder && (secret || !jaasOptions[name])
      ? options.placeholder(jaasKey, name)
      : (jaasOptions[name] ?? '');
  if (isExactlyOnce(spec)) c['isolation.level'] = 'read_committed';
  c['security.protocol'] = security.protocol.toLowerCase();
  if (security.protocol.startsWith('SASL_')) {
    const mechanism = security.saslMechanism ?? 'GSSAPI';
    c['sasl.mechanisms'] = mechanism;
    if (mechanism === 'GSSAPI') {
      c['sasl.kerberos.service.name'] = security.saslKerberosServiceName ?? 'kafka';
      c['sasl.kerberos.principal'] = part('principal', false);
      c['sasl.kerberos.keytab'] = part('keyTab', false);
    } else if (mechanism !== 'OAUTHBEARER') {
      c['sasl.username'] = part('username', false);
      c['sasl.password'] = part('password', true);
    }
  }
  if (security.protocol.endsWith('SSL')) {
    if (security.sslEndpointIdentificationAlgorithm === '') c['ssl.endpoint.identification.algorithm'] = 'none';
    if (stores.caPem !== undefined || security.sslTruststoreLocation)
      c['ssl.ca.location'] = join(options.pathPrefix, 'ca.pem');
    if (stores.certPem !== undefined || security.sslKeystoreLocation) {
      c['ssl.certificate.location'] = join(options.pathPrefix, 'client.crt.pem');
      c['ssl.key.location'] = join(options.pathPrefix, 'client.key.pem');
    }
  }
  return c;
}

export function dataSourceFile(broker: string, kafka: Record<string, string>): string {
  return `${JSON.stringify({ broker, kafka_config: kafka }, null, 2)}\n`;
}

/** Every partition from the beginning (-2): never -1, which the seed's known bug breaks. */
export function topicPartitionFile(t: HandoffTopic): string {
  const body =
    t.partitions === undefined
      ? { topic: t.topic, default_start_offset: -2 }
      : { topic: t.topic, partition_list: t.partitions.map((p) => ({ start_offset: -2, partition: p })) };
  return `${JSON.stringify(body, null, 1)}\n`;
}

const gsqlString = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

function loadLine(variable: string, t: HandoffTopic): string[] {
  const shape = t.shape;
  if (shape.kind === 'json') {
    const values = shape.fields.map((f) => `$"${gsqlString(f)}"`).join(', ');
    return [`  LOAD ${variable} TO VERTEX <vertex_or_edge> VALUES (${values}) USING JSON_FILE="true";`];
  }
  if (shape.kind === 'csv') {
    const width = shape.columns?.length ?? shape.width ?? 1;
    const positions = Array.from({ length: width }, (_, i) => `$${i}`).join(', ');
    const names = shape.columns ? [`  // ${shape.columns.map((c, i) => `$${i}=${c}`).join(', ')}`] : [];
    return [
      ...names,
      `  LOAD ${variable} TO VERTEX <vertex_or_edge> VALUES (${positions}) USING separator="${gsqlString(shape.separator)}";`,
    ];
  }
  return [`  // ${t.topic}: no record to learn the format from yet; write the LOAD line by hand`];
}

export function loadingJob(topics: HandoffTopic[], options: HandoffOptions, dataSourcePath: string): string {
  const job = `load_${options.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const lines = [
    `// Written by dsc tigergraph for connector ${options.name}.`,
    '// Fill in the vertex and edge names: replace each <vertex_or_edge> with `VERTEX name` or `EDGE name`',
    "// (drop the VERTEX word when it is an edge) and order the values as the type's attributes.",
    `CREATE DATA_SOURCE KAFKA ${options.dataSource} FOR GRAPH ${options.graph}`,
    `SET ${options.dataSource} = "${gsqlString(dataSourcePath)}" FOR GRAPH ${options.graph}`,
    '',
    `CREATE LOADING JOB ${job} FOR GRAPH ${options.graph} {`,
  ];
  topics.forEach((t, i) => {
    const path = join(options.pathPrefix, topicFileName(t.topic));
    lines.push(`  DEFINE FILENAME f${i + 1} = "$${options.dataSource}:${gsqlString(path)}";`);
  });
  topics.forEach((t, i) => lines.push(...loadLine(`f${i + 1}`, t)));
  lines.push('}', '', `RUN LOADING JOB ${job}`, '');
  return lines.join('\n');
}

/** Every file of the hand-off. */
export function handoffFiles(
  spec: ConnectorSpec,
  target: KafkaEndpoint,
  stores: ConvertedStores,
  topics: HandoffTopic[],
  options: HandoffOptions,
): HandoffFile[] {
  const kafka = kafkaConfig(spec, target.security, stores, options);
  const files: HandoffFile[] = [
    { name: 'datasource.json', content: dataSourceFile(target.brokers.join(','), kafka), secret: true },
  ];
  if (stores.caPem !== undefined) files.push({ name: 'ca.pem', content: stores.caPem, secret: false });
  if (stores.certPem !== undefined) files.push({ name: 'client.crt.pem', content: stores.certPem, secret: true });
  if (stores.keyPem !== undefined) files.push({ name: 'client.key.pem', content: stores.keyPem, secret: true });
  for (const t of topics) files.push({ name: topicFileName(t.topic), content: topicPartitionFile(t), secret: false });
  const job = `load_${spec.name.replace(/[^A-Za-z0-9_]/g, '_')}.gsql`;
  files.push({
    name: job,
    content: loadingJob(topics, options, join(options.pathPrefix, 'datasource.json')),
    secret: false,
  });
  return files;
}
