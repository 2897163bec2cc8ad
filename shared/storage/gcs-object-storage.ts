// ObjectStorage over Google Cloud Storage (@google-cloud/storage). Listing streams page by page; reads are
// ranged and pinned to a generation, so a checkpoint taken on one generation never resumes into another.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { chunkStream } from './chunk-stream.js';
import { Storage, type File, type StorageOptions } from '@google-cloud/storage';
import type { GcsCredentials } from '../config/spec.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { gcsUri, isGcsUri, parseGcsUri } from './gcs-uri.js';
import { nativeCrc32cGenerator } from './native-crc32c.js';
import type { ByteRange, ObjectInfo, ObjectStorage } from './object-storage.js';
import { downloadCheck, downloadMedia, type DownloadCheck } from './gcs-download.js';

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

const READ_RETRIES = 5;

/** The client's own credentials as request headers; none against an emulator (as the client itself does). */
async function authHeaders(storage: Storage): Promise<Record<string, string>> {
  if (storage.customEndpoint && !storage.useAuthWithCustomEndpoint) return {};
  const headers = await storage.authClient.getRequestHeaders();
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}

/** Network cuts and server-side hiccups worth a resumed read; anything else (404, 403, ...) is final. */
export function transientReadError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'number') return e.code === 429 || e.code >= 500;
  if (
    typeof e?.code === 'string' &&
    /^(ECONNRESET|ETIMEDOUT|EPIPE|ECONNREFUSED|EAI_AGAIN|ERR_STREAM_PREMATURE_CLOSE)$/.test(e.code)
  )
    return true;
  return typeof e?.message === 'string' && /aborted|socket hang up|premature close/i.test(e.message);
}

export class GcsObjectStorage implements ObjectStorage {
  private readonly storage: Storage;
  private readonly log: Logger;
  /** Whether CRC-32C is computed natively: then downloads are checked with it rather than MD5. */
  private readonly nativeCrc32c: boolean;

  constructor(options: GcsObjectStorageOptions = {}) {
    this.log = options.log ?? silentLogger;
    const clientOptions = gcsClientOptions(options);
    const crc32cGenerator = nativeCrc32cGenerator();
    this.nativeCrc32c = crc32cGenerator !== undefined;
    this.storage = new Storage({ ...clientOptions, ...(crc32cGenerator && { crc32cGenerator }) });
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
    return chunkStream(this.chunks(uri, options));
  }

  /** The bytes of read(), as chunks: storage-router.ts streams them once this module is loaded. */
  chunks(uri: string, options: { range?: ByteRange; generation?: string } = {}): AsyncGenerator<Buffer> {
    const { bucket, name } = parseGcsUri(uri);
    const { storage, log, nativeCrc32c } = this;
    const end = options.range?.end;
    // A download that a slow consumer (Kafka back-pressure) holds open for minutes can be cut by the server or the
    // network ("aborted", ECONNRESET). Reads resume from the next undelivered byte instead of failing the task;
    // the generation is pinned by the caller, so the bytes cannot change underneath.
    async function* chunks(): AsyncGenerator<Buffer> {
      let position = options.range?.start ?? 0;
      let failures = 0;
      // A whole-object read is checked against the hash GCS stored (see downloadCheck); a range cannot be.
      const whole = position === 0 && end === undefined;
      let check: DownloadCheck | undefined;
      for (;;) {
        if (end !== undefined && position >= end) return;
        let source: Readable | undefined;
        try {
          source = await downloadMedia({
            baseUrl: storage.baseUrl,
            bucket,
            name,
            ...(options.generation && { generation: options.generation }),
            start: position,
            ...(end !== undefined && { end }),
            headers: await authHeaders(storage),
          });
          if (!source) return; // the range starts at the object's end
          if (whole && position === 0)
            check = downloadCheck(
              (source as IncomingMessage).headers['x-goog-hash'],
              storage.crc32cGenerator,
              nativeCrc32c,
            );
          for await (const chunk of source) {
            position += (chunk as Buffer).length;
            failures = 0;
            check?.update(chunk as Buffer);
            yield chunk as Buffer;
          }
          const mismatch = check?.mismatch();
          if (mismatch) throw new Error(`${uri}: the bytes read fail the object's stored hash (${mismatch})`);
          return;
        } catch (err) {
          // The consumer stopped reading (a task interrupted at a batch boundary): Readable.from throws its AbortError
          // in at the yield. Not a cut download: no retry, no second request.
          if (err instanceof Error && err.name === 'AbortError') throw err;
          if (!transientReadError(err) || ++failures > READ_RETRIES) throw err;
          log.warn('GCS read interrupted; resuming', { uri, position, attempt: failures, error: String(err) });
          await new Promise((r) => setTimeout(r, 250 * failures));
        } finally {
          // A consumer that stops early (the end of its byte range) lands here too: end the download quietly.
          source?.destroy();
        }
      }
    }
    return chunks();
  }
}
