// A GCS download cut mid-way (a server or network hiccup while Kafka back-pressure holds the read open) resumes from
// the next undelivered byte: the reader sees every byte exactly once. A proxy in front of fake-gcs-server cuts the
// first media download after 64 KiB.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GcsObjectStorage, transientReadError } from '../../shared/storage/gcs-object-storage.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { gcsBucket, gcsPut } from './file-helpers.js';

const upstream = new URL(process.env.STORAGE_EMULATOR_HOST ?? 'http://127.0.0.1:4443');
let proxy: Server;
let cuts = 0;
let mediaRequests = 0;
/** When set, the proxy flips one byte of every media body (a corrupted transfer). */
let corrupt = false;

beforeAll(async () => {
  proxy = createServer((req, res) => {
    const media = /alt=media/.test(req.url ?? '');
    if (media) mediaRequests++;
    const cut = media && cuts === 0;
    const up = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        let sent = 0;
        upRes.on('data', (chunk: Buffer) => {
          if (cut && sent + chunk.length > 64 * 1024) {
            cuts++;
            res.write(chunk.subarray(0, 64 * 1024 - sent));
            res.socket?.destroy(); // the connection drops mid-body
            upRes.destroy();
            return;
          }
          if (corrupt && sent === 0 && chunk.length > 0)
            chunk = Buffer.concat([Buffer.from([chunk[0] ^ 1]), chunk.subarray(1)]);
          sent += chunk.length;
          res.write(chunk);
        });
        upRes.on('end', () => res.end());
      },
    );
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => proxy.close(() => r())));

describe('GCS reads', () => {
  it('resume after the connection drops mid-download, delivering every byte once', async () => {
    const content = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i}\n`).join(''));
    const bucket = await gcsBucket();
    const meta = await gcsPut(bucket, 'big.txt', content);
    const port = (proxy.address() as AddressInfo).port;
    const storage = new GcsObjectStorage({ apiEndpoint: `http://127.0.0.1:${port}` });
    const chunks: Buffer[] = [];
    for await (const c of storage.read(`gs://${bucket}/big.txt`, { generation: meta.generation }))
      chunks.push(c as Buffer);
    expect(cuts).toBe(1);
    expect(mediaRequests).toBe(2);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  it('reads without a MaxListenersExceededWarning (or any warning), whole and ranged', async () => {
    const bucket = await gcsBucket();
    const meta = await gcsPut(bucket, 'w.csv', Buffer.alloc(3_000_000, 'a\n'));
    const storage = new GcsObjectStorage({});
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      let n = 0;
      for await (const c of storage.read(`gs://${bucket}/w.csv`, { generation: meta.generation })) n += c.length;
      for await (const c of storage.read(`gs://${bucket}/w.csv`, { range: { start: 10, end: 2_000_000 } }))
        n += c.length;
      expect(n).toBe(3_000_000 + 1_999_990);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it('a consumer that stops early ends the download: no retry, no second request, no warning', async () => {
    const bucket = await gcsBucket();
    await gcsPut(bucket, 'early.txt', Buffer.alloc(4_000_000, 'b\n'));
    const port = (proxy.address() as AddressInfo).port;
    const warned: string[] = [];
    const log = { ...silentLogger, warn: (m: string) => void warned.push(m) };
    const storage = new GcsObjectStorage({ apiEndpoint: `http://127.0.0.1:${port}`, log });
    cuts = 1; // no cut this time
    const before = mediaRequests;
    for await (const c of storage.read(`gs://${bucket}/early.txt`)) if (c) break;
    // Asserting an absence: a retry would have asked again after its 250 ms backoff. A loaded machine can only delay
    // such a retry past this pause (the test then passes without catching it), never make a correct read fail.
    await new Promise((r) => setTimeout(r, 400));
    expect(mediaRequests - before).toBe(1);
    expect(warned).toEqual([]);
  });

  it('a whole read whose bytes fail the stored CRC-32C fails, naming the object', async () => {
    const bucket = await gcsBucket();
    await gcsPut(bucket, 'm.txt', Buffer.from('hello world\n'.repeat(1000)));
    const port = (proxy.address() as AddressInfo).port;
    const storage = new GcsObjectStorage({ apiEndpoint: `http://127.0.0.1:${port}` });
    corrupt = true;
    try {
      const read = async () => {
        for await (const c of storage.read(`gs://${bucket}/m.txt`)) void c;
      };
      await expect(read()).rejects.toThrow(
        new RegExp(`gs://${bucket}/m\\.txt: the bytes read fail the object's stored hash \\(CRC-32C `),
      );
    } finally {
      corrupt = false;
    }
  });

  it('treats cuts and 5xx as transient, 404 and 403 as final', () => {
    expect(transientReadError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))).toBe(true);
    expect(transientReadError(new Error('aborted'))).toBe(true);
    expect(transientReadError(Object.assign(new Error('x'), { code: 503 }))).toBe(true);
    expect(transientReadError(Object.assign(new Error('No such object'), { code: 404 }))).toBe(false);
    expect(transientReadError(Object.assign(new Error('Forbidden'), { code: 403 }))).toBe(false);
  });
});
