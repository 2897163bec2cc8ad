// ObjectStorage over Amazon S3 (and S3-compatible endpoints) with @aws-sdk/client-s3. Listing pages through
// ListObjectsV2; reads are real ranged GETs pinned to the object's ETag (If-Match), so a split or resumed file is never
// read across two versions of the object.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { S3Settings } from '../config/spec.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { chunkStream } from './chunk-stream.js';
import { isS3Uri, parseS3Uri, s3Uri, type S3Location } from './cloud-uri.js';
import { objectOrFolder } from './object-or-folder.js';
import type { ObjectInfo, ObjectStorage, ReadOptions } from './object-storage.js';

const KEYS = 'file.reader.settings.fs.s3a.access.key / fs.s3a.secret.key';
const READ_RETRIES = 5;

export interface S3ObjectStorageOptions {
  settings?: S3Settings;
  log?: Logger;
}

/** The client config for a spec's `fs.s3a.*` settings: its keys, or (none given) the AWS SDK's default chain. */
export function s3ClientConfig(settings: S3Settings = {}): S3ClientConfig {
  const agent = { keepAlive: true, ...(settings.maxConnections && { maxSockets: settings.maxConnections }) };
  return {
    region: settings.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(settings.endpoint && { endpoint: settings.endpoint }),
    ...(settings.pathStyle && { forcePathStyle: true }),
    ...(settings.accessKey &&
      settings.secretKey && {
        credentials: { accessKeyId: settings.accessKey, secretAccessKey: settings.secretKey },
      }),
    // fs.s3a.connection.maximum / threads.max bound the sockets, as they bound Hadoop's pool.
    requestHandler: { httpAgent: new HttpAgent(agent), httpsAgent: new HttpsAgent(agent) },
  };
}

interface S3Error {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const status = (err: unknown): number | undefined => (err as S3Error)?.$metadata?.httpStatusCode;

/** An S3 failure worded for the user: which URI, and for credentials and endpoints which key to look at. */
export function s3Error(uri: string, err: unknown, settings: S3Settings = {}): Error {
  const e = err as S3Error;
  const name = e?.name ?? e?.code ?? 'Error';
  const code = status(err);
  const detail = `${name}${code ? ` (HTTP ${code})` : ''}`;
  let message: string;
  if (
    /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|ExpiredToken|InvalidToken|CredentialsProviderError/.test(
      name,
    ) ||
    code === 403
  )
    message = `S3 refused the credentials for ${uri} (${settings.accessKey ? KEYS : 'the AWS default credential chain: no fs.s3a.access.key set'}): ${detail}`;
  else if (name === 'NoSuchBucket') message = `${uri}: no such S3 bucket (file.uris): ${detail}`;
  else if (name === 'NoSuchKey' || name === 'NotFound' || code === 404)
    message = `${uri}: no such S3 object (file.uris): ${detail}`;
  else if (name === 'PreconditionFailed' || code === 412)
    message = `${uri}: the S3 object changed since it was planned (its ETag differs): ${detail}`;
  else if (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|TimeoutError/.test(`${e?.code} ${name} ${e?.message}`)
  )
    message = `${uri}: S3 endpoint ${settings.endpoint ?? '(AWS default)'} unreachable (file.reader.settings.fs.s3a.endpoint): ${e?.code ?? name}`;
  else message = `${uri}: S3 ${detail}: ${e?.message ?? String(err)}`;
  const out = new Error(message);
  (out as { code?: unknown }).code = code ?? e?.code;
  return out;
}

function transient(err: unknown): boolean {
  const code = status(err);
  if (code !== undefined) return code === 429 || code >= 500;
  const e = err as { code?: string; message?: string };
  return (
    /^(ECONNRESET|ETIMEDOUT|EPIPE|ERR_STREAM_PREMATURE_CLOSE)$/.test(e?.code ?? '') ||
    /aborted|socket hang up|premature close/i.test(e?.message ?? '')
  );
}

export class S3ObjectStorage implements ObjectStorage {
  private readonly client: S3Client;
  private readonly settings: S3Settings;
  private readonly log: Logger;

  constructor(options: S3ObjectStorageOptions = {}) {
    this.settings = options.settings ?? {};
    this.log = options.log ?? silentLogger;
    this.client = new S3Client(s3ClientConfig(this.settings));
  }

  handles(uri: string): boolean {
    return isS3Uri(uri);
  }

  private location(uri: string): S3Location {
    const l = parseS3Uri(uri);
    if (!l) throw new Error(`${uri}: not an S3 URI (expected s3a://bucket/key-or-prefix)`);
    return l;
  }

  async *list(uri: string, options: { recursive: boolean }): AsyncIterable<ObjectInfo> {
    const { bucket, key } = this.location(uri);
    if (key !== '' && !key.endsWith('/')) {
      const stat = () =>
        this.stat(uri).catch((err: unknown) => {
          if (status(err) === 404 || /no such S3 object/.test(String(err))) return undefined;
          throw err;
        });
      yield* objectOrFolder(uri, stat, () => this.list(`${uri}/`, options), 'no such S3 object or folder');
      return;
    }
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: key,
            ...(!options.recursive && { Delimiter: '/' }),
            ...(token && { ContinuationToken: token }),
          }),
        );
      } catch (err) {
        throw s3Error(uri, err, this.settings);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith('/')) continue; // a folder marker, not data
        yield {
          uri: s3Uri(bucket, o.Key),
          name: o.Key,
          size: o.Size ?? 0,
          ...(o.ETag && { generation: o.ETag }),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async stat(uri: string): Promise<ObjectInfo> {
    const { bucket, key } = this.location(uri);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        uri: s3Uri(bucket, key),
        name: key,
        size: head.ContentLength ?? 0,
        ...(head.ETag && { generation: head.ETag }),
      };
    } catch (err) {
      throw s3Error(uri, err, this.settings);
    }
  }

  read(uri: string, options: ReadOptions = {}): Readable {
    return chunkStream(this.chunks(uri, options));
  }

  /** The bytes of read(): ranged GETs, resumed from the next undelivered byte after a cut connection. */
  async *chunks(uri: string, options: ReadOptions = {}): AsyncGenerator<Buffer> {
    const { bucket, key } = this.location(uri);
    const end = options.range?.end;
    let position = options.range?.start ?? 0;
    let failures = 0;
    for (;;) {
      if (end !== undefined && position >= end) return;
      let body: Readable | undefined;
      try {
        const whole = position === 0 && end === undefined;
        const got = await this.client
          .send(
            new GetObjectCommand({
              Bucket: bucket,
              Key: key,
              ...(!whole && { Range: `bytes=${position}-${end !== undefined ? end - 1 : ''}` }),
              ...(options.generation && { IfMatch: options.generation }),
            }),
          )
          .catch((err: unknown) => {
            // A range starting at the object's end: nothing to read (GCS and local files read nothing there too).
            if (status(err) === 416) return undefined;
            throw err;
          });
        if (!got) return;
        body = got.Body as Readable;
        for await (const chunk of body) {
          position += (chunk as Buffer).length;
          failures = 0;
          yield chunk as Buffer;
        }
        return;
      } catch (err) {
        if (err instanceof Error && err.name === 'AbortError') throw err;
        if (!transient(err) || ++failures > READ_RETRIES) throw s3Error(uri, err, this.settings);
        this.log.warn('S3 read interrupted; resuming', { uri, position, attempt: failures, error: String(err) });
        await new Promise((r) => setTimeout(r, 250 * failures));
      } finally {
        body?.destroy();
      }
    }
  }
}
