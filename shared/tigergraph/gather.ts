// Gathers what the hand-off files are written from: the target's topics and partitions (admin port), the record
// shape (the first line of the connector's first file, or a Parquet file's schema, from any storage; or the mirror's
// Avro schema) and the stores as PEM. Writes the files.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants as zlib, gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import type {
  ConnectorSpec,
  FileConnectorSpec,
  KafkaEndpoint,
  KafkaSecurity,
  MirrorConnectorSpec,
} from '../config/spec.js';
import type { AssignedFile } from '../file/file-assignment.js';
import { describeFile, selectsFile } from '../file/object-claims.js';
import { createKafkaClient } from '../kafka/port/kafka-client.js';
import { storesAsPem } from '../kafka/security/key-stores.js';
import { replicationPolicyFor } from '../mirror/replication-policy.js';
import { TopicFilter } from '../mirror/topic-filter.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { storageFor } from '../storage/storage-router.js';
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

/** The most a sample reads of one object: a header or first record longer than this is not sampled. */
const SAMPLE_MAX_BYTES = 256 * 1024;
const SAMPLE_FIRST_BYTES = 4 * 1024;

async function readPrefix(storage: ObjectStorage, file: AssignedFile, end: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const options = { range: { start: 0, end }, ...(file.generation !== undefined && { generation: file.generation }) };
  for await (const chunk of storage.read(file.uri, options)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The first line (CSV: the header) or first record (JSON lines: the first non-empty line) of a file, from ranged reads
 * of its first few KB, growing only while no end of line is found. A gzip file is inflated as far as those bytes go.
 */
async function firstLineOf(storage: ObjectStorage, file: AssignedFile, spec: FileConnectorSpec) {
  for (let n = SAMPLE_FIRST_BYTES; ; n *= 4) {
    const whole = n >= file.size;
    const bytes = await readPrefix(storage, file, Math.min(n, file.size));
    const data = file.archive === 'gzip' ? gunzipSync(bytes, { finishFlush: zlib.Z_SYNC_FLUSH }) : bytes;
    let text = data.toString('utf8').replace(/^\uFEFF/, '');
    if (file.format === 'jsonl') text = text.replace(/^\s+/, '');
    const eol = text.indexOf(spec.reader.eol);
    // Without an end of line, a partial read may end inside a character or the line: only the whole object will do.
    if (eol >= 0) return text.slice(0, eol).replace(/\r$/, '');
    if (whole) return text.replace(/\r$/, '') || undefined;
    if (n >= SAMPLE_MAX_BYTES) return undefined;
  }
}

/** A Parquet file's top-level column names, from its footer alone: two ranged reads of its tail. */
async function parquetColumnsOf(storage: ObjectStorage, file: AssignedFile): Promise<string[]> {
  const range = async (start: number, end: number) => {
    const chunks: Buffer[] = [];
    const options = { range: { start, end }, ...(file.generation !== undefined && { generation: file.generation }) };
    for await (const chunk of storage.read(file.uri, options)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const tail = await range(Math.max(0, file.size - 8), file.size);
  const footer = tail.length === 8 ? tail.readUInt32LE(0) + 8 : Infinity;
  if (tail.toString('latin1', 4) !== 'PAR1' || footer > file.size) throw new Error(`${file.uri} is not a Parquet file`);
  const bytes = await range(file.size - footer, file.size);
  const metadata = parquetMetadata(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
  );
  return parquetSchema(metadata).children.map((c) => c.element.name);
}

/** What the sample says, or why there is none (never fatal: the LOAD line is then left for the user to finish). */
export interface FileSample {
  uri?: string;
  line?: string;
  /** Parquet: the schema's top-level column names (its records are JSON objects keyed by them). */
  columns?: string[];
  reason?: string;
}

/**
 * The first line (or Parquet schema) of the first file the connector reads, from any storage, file.regexp and
 * recursion as it applies them.
 */
export async function sampleFirstLine(spec: FileConnectorSpec, storage: ObjectStorage): Promise<FileSample> {
  try {
    for (const uri of spec.uris) {
      for await (const info of storage.list(uri, { recursive: spec.recursive })) {
        if (!selectsFile(info.name, spec) || info.size === 0) continue;
        const file = describeFile(info, spec);
        if (file.format === 'parquet') return { uri: info.uri, columns: await parquetColumnsOf(storage, file) };
        // tar and zip entries sit behind their headers and directories: not worth a sample.
        if (file.archive !== 'none' && file.archive !== 'gzip') continue;
        const line = await firstLineOf(storage, file, spec);
        return line === undefined
          ? { uri: info.uri, reason: `no end of line in its first ${SAMPLE_MAX_BYTES / 1024} KiB` }
          : { uri: info.uri, line };
      }
    }
    return { reason: 'no file to read yet' };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}

/** CSV or JSON lines from the first line of the connector's first file; Parquet from its columns (see sampleFirstLine). */
export function fileShape(spec: FileConnectorSpec, firstLine?: string, parquetColumns?: string[]): RecordShape {
  if (parquetColumns) return { kind: 'json', fields: parquetColumns };
  // Parquet whose file could not be sampled: JSON objects with keys unknown here.
  if (spec.reader.type === 'parquet') return { kind: 'unknown' };
  const line = firstLine;
  if (line === undefined) return { kind: 'csv', separator: spec.reader.separator };
  if (line.trimStart().startsWith('{')) {
    try {
      return { kind: 'json', fields: Object.keys(JSON.parse(line) as object) };
    } catch {
      // not JSON after all: a CSV line starting with a brace
    }
  }
  const quote = spec.reader.quote;
  const unquote = (cell: string) =>
    quote && cell.length >= 2 && cell.startsWith(quote) && cell.endsWith(quote)
      ? cell.slice(1, -1).replaceAll(quote + quote, quote)
      : cell;
  const cells = line.split(spec.reader.separator).map(unquote);
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
  storage: ObjectStorage = storageFor(),
): Promise<HandoffTopic[]> {
  const admin = canConnect ? createKafkaClient(target, 'dsc-tigergraph').admin() : undefined;
  try {
    await admin?.connect();
    if (spec.kind === 'file') {
      const described = admin ? await admin.describeTopics([spec.topic]) : [];
      const partitions = described[0]?.partitions.map((p) => p.partition).sort((a, b) => a - b);
      const sample = await sampleFirstLine(spec, storage);
      return [
        {
          topic: spec.topic,
          ...(admin && { partitions: partitions ?? [] }),
          shape: fileShape(spec, sample.line, sample.columns),
          sample:
            sample.line !== undefined || sample.columns
              ? { from: sample.uri! }
              : { missing: sample.reason ?? 'unknown' },
        },
      ];
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

/**
 * Against a deployment no store password is known: a PEM trust store (which needs none) is still copied when this
 * machine can read it; the rest is left to convert by hand (the CLI says how).
 */
function storesWithoutSecrets(security: KafkaSecurity): ConvertedStores {
  const { protocol, keyPrefix, sslTruststoreLocation, sslTruststoreType } = security;
  if (!sslTruststoreLocation || security.sslTruststorePassword !== undefined) return {};
  try {
    return storesAsPem({ protocol, keyPrefix, sslTruststoreLocation, sslTruststoreType });
  } catch {
    return {};
  }
}

export async function writeHandoff(
  spec: ConnectorSpec,
  deploymentTarget: KafkaEndpoint,
  outDir: string,
  options: HandoffOptions,
): Promise<WrittenHandoff> {
  const target = targetOf(spec, deploymentTarget);
  const secretsKnown = options.placeholder === undefined;
  const stores: ConvertedStores = !target.security.protocol.endsWith('SSL')
    ? {}
    : secretsKnown
      ? storesAsPem(target.security)
      : storesWithoutSecrets(target.security);
  // The connector's own GCS, S3 and Azure credentials when known; against a deployment (which never returns them) the
  // caller's default credentials, as gcloud's.
  const storage = storageFor(
    secretsKnown && spec.kind === 'file'
      ? { gcs: spec.gcs, ...(spec.s3 && { s3: spec.s3 }), ...(spec.azure && { azure: spec.azure }) }
      : {},
  );
  const canConnect = secretsKnown || target.security.protocol === 'PLAINTEXT';
  const topics = await handoffTopics(spec, target, canConnect, storage);
  const files = writeHandoffFiles(outDir, handoffFiles(spec, target, stores, topics, options));
  return { files, topics };
}
