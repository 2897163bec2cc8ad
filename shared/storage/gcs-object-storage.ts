// ObjectStorage over Google Cloud Storage (@google-cloud/storage). Listing streams page by page; reads are
// ranged and pinned to a generation, so a checkpoint taken on one generation never resumes into another.
import { PassThrough, type Readable } from 'node:stream';
import { Storage, type File, type StorageOptions } from '@google-cloud/storage';
import type { GcsCredentials } from '../config/spec.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { gcsUri, isGcsUri, parseGcsUri } from './gcs-uri.js';
import type { ByteRange, ObjectInfo, ObjectStorage } from './object-storage.js';

export interface GcsObjectStorageOptions {
  /** `file.reader.settings.*` of the spec; absent or incomplete means application default credentials. */
  credentials?: GcsCredentials;
  /** Defaults to STORAGE_EMULATOR_HOST (fake-gcs-server in tests and the demo). */
  apiEndpoint?: string;
  log?: Logger;
}

/** The `@google-cloud/storage` options for a spec's credentials; the emulator needs (and gets) none. */
export function gcsClientOptions(
  options: GcsObjectStorageOptions,
  env: NodeJS.ProcessEnv = process.env,
): StorageOptions {
  const log = options.log ?? silentLogger;
  const apiEndpoint = options.apiEndpoint ?? env.STORAGE_EMULATOR_HOST;
  const creds = options.credentials;
  const hasKey = Boolean(creds?.clientEmail && creds?.privateKey);
  if (apiEndpoint) {
    if (hasKey) log.info('GCS emulator in use: ignoring the connector’s service account credentials', { apiEndpoint });
    return { apiEndpoint, ...(creds?.projectId && { projectId: creds.projectId }) };
  }
  if (hasKey) {
    return {
      credentials: { client_email: creds!.clientEmail, private_key: creds!.privateKey },
      ...(creds!.projectId && { projectId: creds!.projectId }),
    };
  }
  return creds?.projectId ? { projectId: creds.projectId } : {};
}

/** GCS reports generation and size as strings in JSON; size fits a number, generation may not. */
function toInfo(bucket: string, file: File): ObjectInfo {
  const meta = file.metadata;
  return {
    uri: gcsUri(bucket, file.name),
    name: file.name,
    size: Number(meta.size ?? 0),
    ...(meta.generation !== undefined && { generation: String(meta.generation) }),
  };
}

export class GcsObjectStorage implements ObjectStorage {
  private readonly storage: Storage;

  constructor(options: GcsObjectStorageOptions = {}) {
    const clientOptions = gcsClientOptions(options);
    this.storage = new Storage(clientOptions);
    // With STORAGE_EMULATOR_HOST set, the client takes that variable verbatim as its JSON API base URL, without the
    // /storage/v1 path that fake-gcs-server (like GCS) serves the API under.
    const endpoint = clientOptions.apiEndpoint?.replace(/\/+$/, '');
    if (endpoint && !/\/storage\/v1$/.test(this.storage.baseUrl.replace(/\/+$/, ''))) {
      this.storage.baseUrl = `${endpoint}/storage/v1`;
    }
  }

  handles(uri: string): boolean {
    return isGcsUri(uri);
  }

  async *list(uri: string, options: { recursive: boolean }): AsyncIterable<ObjectInfo> {
    const { bucket, name } = parseGcsUri(uri);
    if (name !== '' && !name.endsWith('/')) {
      // `gs://b/x` is the object x when it exists, else the directory x/ (as Hadoop's GCS connector reads it).
      const file = this.storage.bucket(bucket).file(name);
      const [exists] = await file.exists();
      if (exists) {
        yield await this.stat(uri);
        return;
      }
      let found = false;
      for await (const info of this.list(`${uri}/`, options)) {
        found = true;
        yield info;
      }
      // A name that is neither an object nor a folder is a mistake to report, unlike an empty folder (`.../`).
      if (!found) throw new Error('no such object or folder (Not Found)');
      return;
    }
    const stream = this.storage.bucket(bucket).getFilesStream({
      prefix: name,
      autoPaginate: true,
      ...(!options.recursive && { delimiter: '/' }),
    });
    for await (const file of stream as AsyncIterable<File>) {
      if (file.name.endsWith('/')) continue; // a folder placeholder object, not data
      yield toInfo(bucket, file);
    }
  }

  async stat(uri: string): Promise<ObjectInfo> {
    const { bucket, name } = parseGcsUri(uri);
    const file = this.storage.bucket(bucket).file(name);
    const [metadata] = await file.getMetadata();
    file.metadata = metadata;
    return toInfo(bucket, file);
  }

  read(uri: string, options: { range?: ByteRange; generation?: string } = {}): Readable {
    const { bucket, name } = parseGcsUri(uri);
    const file = this.storage.bucket(bucket).file(name, options.generation ? { generation: options.generation } : {});
    const range = options.range;
    const ranged = range !== undefined && (range.start > 0 || range.end !== undefined);
    const source = file.createReadStream({
      // The bytes as stored: a gzip archive is decompressed by our archive reader, never by the transport.
      decompress: false,
      // A checksum covers the whole object; the client refuses validation on a part of one.
      ...(ranged
        ? { validation: false, start: range.start, ...(range.end !== undefined && { end: range.end - 1 }) }
        : {}),
    });
    // A reader that stops early (the end of its byte range) destroys the stream; the client then reports the
    // cut-off download as an "aborted" error. Hand out a plain stream whose destroy simply ends the download.
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    source.on('error', (err) => out.destroy(err));
    out.on('close', () => {
      if (!source.destroyed) source.destroy();
    });
    return source.pipe(out);
  }
}
