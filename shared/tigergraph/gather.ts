// Gathers what the hand-off files are written from: the target's topics and partitions (admin port), the record
// shape (the connector's first local file, or the mirror's Avro schema) and the stores as PEM. Writes the files.
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { ConnectorSpec, FileConnectorSpec, KafkaEndpoint, MirrorConnectorSpec } from '../config/spec.js';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { formatForName } from '../file/file-format.js';
import { createKafkaClient } from '../kafka/port/kafka-client.js';
import { storesAsPem } from '../kafka/security/key-stores.js';
import { replicationPolicyFor } from '../mirror/replication-policy.js';
import { TopicFilter } from '../mirror/topic-filter.js';
import {
  handoffFiles,
  type ConvertedStores,
  type HandoffFile,
  type HandoffOptions,
  type HandoffTopic,
  type RecordShape,
} from './handoff.js';

/** The cluster the connector writes to. */
export const targetOf = (spec: ConnectorSpec, deploymentTarget: KafkaEndpoint): KafkaEndpoint =>
  spec.kind === 'mirror' ? spec.target : (spec.target ?? deploymentTarget);

function firstLocalFile(uri: string): string | undefined {
  const path = uri.startsWith('file://') ? new URL(uri).pathname : uri;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return undefined;
  try {
    if (statSync(path).isFile()) return path;
    for (const entry of readdirSync(path).sort()) {
      const found = firstLocalFile(join(path, entry));
      if (found) return found;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** A Parquet file's top-level column names, from its footer alone (the file's tail, however large the file). */
export function parquetColumns(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, Math.max(0, size - 8));
    const footer = tail.readUInt32LE(0) + 8;
    if (tail.toString('latin1', 4) !== 'PAR1' || footer > size) throw new Error(`${path} is not a Parquet file`);
    const bytes = Buffer.alloc(footer);
    readSync(fd, bytes, 0, footer, size - footer);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + footer) as ArrayBuffer);
    return parquetSchema(metadata).children.map((c) => c.element.name);
  } finally {
    closeSync(fd);
  }
}

/**
 * CSV or JSON lines, from the first line of the connector's first local file; Parquet (its records are JSON objects
 * keyed by column name) from the file's schema.
 */
export function fileShape(spec: FileConnectorSpec, firstLine?: string): RecordShape {
  let line = firstLine;
  if (line === undefined) {
    const file = spec.uris.map(firstLocalFile).find(Boolean);
    if (file && (spec.reader.type === 'parquet' || formatForName(file) === 'parquet')) {
      try {
        return { kind: 'json', fields: parquetColumns(file) };
      } catch {
        return { kind: 'unknown' };
      }
    }
    // Parquet elsewhere (gs://): JSON objects whose keys this machine cannot see.
    if (!file && spec.reader.type === 'parquet') return { kind: 'unknown' };
    if (file && !/\.(gz|tgz|tar|zip)$/i.test(file)) line = readFileSync(file, 'utf8').split(spec.reader.eol, 1)[0];
  }
  if (line === undefined) return { kind: 'csv', separator: spec.reader.separator };
  if (line.trimStart().startsWith('{')) {
    try {
      return { kind: 'json', fields: Object.keys(JSON.parse(line) as object) };
    } catch {
      // not JSON after all: a CSV line starting with a brace
    }
  }
  const cells = line.split(spec.reader.separator);
  return spec.reader.header
    ? { kind: 'csv', separator: spec.reader.separator, columns: cells }
    : { kind: 'csv', separator: spec.reader.separator, width: cells.length };
}

/** The Avro → JSON mirror's record fields: the embedded schema, or the registry's latest for `<topic>-value`. */
async function mirrorShape(spec: MirrorConnectorSpec, sourceTopic: string): Promise<RecordShape> {
  const vc = spec.valueConverter;
  let schema: string | undefined;
  if (vc.kind === 'avro-embedded' && vc.schema?.trimStart().startsWith('{')) schema = vc.schema;
  else if (vc.kind === 'avro-registry' && vc.schemaRegistryUrl && !vc.basicAuthUserInfo) {
    try {
      const url = `${vc.schemaRegistryUrl.replace(/\/+$/, '')}/subjects/${encodeURIComponent(`${sourceTopic}-value`)}/versions/latest`;
      const reply = await fetch(url);
      if (reply.ok) schema = ((await reply.json()) as { schema?: string }).schema;
    } catch {
      // the registry is unreachable from here: the LOAD line is left for the user
    }
  }
  if (schema === undefined) return { kind: 'unknown' };
  const parsed = JSON.parse(schema) as { fields?: { name: string }[] };
  return parsed.fields ? { kind: 'json', fields: parsed.fields.map((f) => f.name) } : { kind: 'unknown' };
}

/** The topics the connector writes, with their partitions now (undefined when the target cannot be asked). */
export async function handoffTopics(
  spec: ConnectorSpec,
  target: KafkaEndpoint,
  canConnect: boolean,
): Promise<HandoffTopic[]> {
  const admin = canConnect ? createKafkaClient(target, 'dsc-tigergraph').admin() : undefined;
  try {
    await admin?.connect();
    if (spec.kind === 'file') {
      const described = admin ? await admin.describeTopics([spec.topic]) : [];
      const partitions = described[0]?.partitions.map((p) => p.partition).sort((a, b) => a - b);
      return [{ topic: spec.topic, ...(admin && { partitions: partitions ?? [] }), shape: fileShape(spec) }];
    }
    if (!admin) throw new Error(`the mirror's target ${target.brokers.join(',')} cannot be asked for its topics`);
    const policy = replicationPolicyFor(spec);
    const filter = new TopicFilter(spec.topics, spec.topicsExclude, policy, spec.targetAlias);
    const prefix = policy.formatRemoteTopic(spec.sourceAlias, '');
    const mirrored = (await admin.listTopics())
      .filter((t) => t.startsWith(prefix) && filter.rejectReason(t.slice(prefix.length)) === undefined)
      .sort();
    const described = await admin.describeTopics(mirrored);
    const out: HandoffTopic[] = [];
    for (const d of described)
      out.push({
        topic: d.topic,
        partitions: d.partitions.map((p) => p.partition).sort((a, b) => a - b),
        shape: await mirrorShape(spec, d.topic.slice(prefix.length)),
      });
    return out;
  } finally {
    await admin?.close();
  }
}

export interface WrittenHandoff {
  files: { path: string; secret: boolean }[];
  topics: HandoffTopic[];
}

/** Writes the files into `outDir`: secrets and key material mode 0600, the rest 0644. */
export function writeHandoffFiles(outDir: string, files: HandoffFile[]): WrittenHandoff['files'] {
  mkdirSync(outDir, { recursive: true });
  return files.map((f) => {
    const path = join(outDir, f.name);
    const mode = f.secret ? 0o600 : 0o644;
    writeFileSync(path, f.content, { mode });
    chmodSync(path, mode); // writeFileSync's mode only applies to a new file
    return { path, secret: f.secret };
  });
}

export async function writeHandoff(
  spec: ConnectorSpec,
  deploymentTarget: KafkaEndpoint,
  outDir: string,
  options: HandoffOptions,
): Promise<WrittenHandoff> {
  const target = targetOf(spec, deploymentTarget);
  const secretsKnown = options.placeholder === undefined;
  const stores: ConvertedStores =
    secretsKnown && target.security.protocol.endsWith('SSL') ? storesAsPem(target.security) : {};
  const topics = await handoffTopics(spec, target, secretsKnown || target.security.protocol === 'PLAINTEXT');
  const files = writeHandoffFiles(outDir, handoffFiles(spec, target, stores, topics, options));
  return { files, topics };
}
