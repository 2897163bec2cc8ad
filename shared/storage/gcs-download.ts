// One GCS media download (JSON API `alt=media`) over node:http(s): the response body as stored, ranged and pinned to
// a generation. @google-cloud/storage's createReadStream layers teeny-request, node-fetch and retry-request streams
// over each download, and teeny-request 11 attaches more than ten listeners to node-fetch's body stream, so every
// read printed two MaxListenersExceededWarning lines (googleapis/google-cloud-node#9185). A plain request has none of
// those layers, and no transcoding: Accept-Encoding gzip keeps gzip-encoded objects as stored, and nothing decodes.
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface MediaRequest {
  /** The JSON API base, e.g. https://storage.googleapis.com/storage/v1 */
  baseUrl: string;
  bucket: string;
  name: string;
  generation?: string;
  /** First byte; default 0. */
  start?: number;
  /** One past the last byte; default the end of the object. */
  end?: number;
  /** Authorization and the like; none for the emulator. */
  headers?: Record<string, string>;
}

/** An HTTP answer other than the object's bytes; `code` is the status, as @google-cloud/storage's errors carry it. */
export class GcsHttpError extends Error {
  override name = 'GcsHttpError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function mediaUrl(r: MediaRequest): URL {
  const url = new URL(
    `${r.baseUrl.replace(/\/+$/, '')}/b/${encodeURIComponent(r.bucket)}/o/${encodeURIComponent(r.name)}`,
  );
  url.searchParams.set('alt', 'media');
  if (r.generation) url.searchParams.set('generation', r.generation);
  return url;
}

/** Resolves with the body stream (200 or 206); `undefined` when the range starts at or past the end (416). */
export function downloadMedia(r: MediaRequest): Promise<IncomingMessage | undefined> {
  const url = mediaUrl(r);
  const headers: Record<string, string> = { 'Accept-Encoding': 'gzip', ...r.headers };
  const start = r.start ?? 0;
  if (start > 0 || r.end !== undefined) headers.Range = `bytes=${start}-${r.end !== undefined ? r.end - 1 : ''}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status === 200 || status === 206) return resolve(res);
      if (status === 416) {
        res.resume();
        return resolve(undefined);
      }
      // The error body says why (JSON from GCS); keep a little of it.
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text.length < 2048 ? (text += c) : undefined));
      res.on('end', () => reject(new GcsHttpError(status, `${status} ${res.statusMessage ?? ''}: ${reason(text)}`)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function reason(body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text itself
  }
  return body.trim().slice(0, 200) || 'no detail';
}

/** What a whole-object download is checked with, fed every byte in order. */
export interface DownloadCheck {
  update(chunk: Buffer): void;
  /** Why the bytes do not match the stored hash, or undefined when they do. */
  mismatch(): string | undefined;
}

interface Crc32cValidator {
  update(data: Buffer): void;
  validate(expected: string): boolean;
  toString(): string;
}

/**
 * The check for a whole-object read from its `x-goog-hash: crc32c=...,md5=...` header. CRC-32C when GCS stored one
 * and `nativeCrc32c` says the generator is native (SSE4.2: ~20× faster than MD5, which cost ~0.36 s of CPU per 200 MB,
 * a quarter of a gs:// load); else MD5 (OpenSSL, native) when GCS has one, else CRC-32C with whatever generator there
 * is (composite objects have no MD5); undefined without either.
 */
export function downloadCheck(
  header: string | string[] | undefined,
  crc32c: () => Crc32cValidator,
  nativeCrc32c = false,
): DownloadCheck | undefined {
  const values = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  const stored = (name: string) =>
    values
      .map((v) => v.trim())
      .find((v) => v.startsWith(`${name}=`))
      ?.slice(name.length + 1);
  const md5 = stored('md5');
  if (md5 && !(nativeCrc32c && stored('crc32c'))) {
    const hash = createHash('md5');
    return {
      update: (chunk) => void hash.update(chunk),
      mismatch: () => {
        const actual = hash.digest('base64');
        return actual === md5 ? undefined : `MD5 ${actual}, stored ${md5}`;
      },
    };
  }
  const crc = stored('crc32c');
  if (!crc) return undefined;
  const validator = crc32c();
  return {
    update: (chunk) => validator.update(chunk),
    mismatch: () => (validator.validate(crc) ? undefined : `CRC-32C ${validator.toString()}, stored ${crc}`),
  };
}
