// fake-gcs-server behind a valve, for tests that must look at (or stop) a load mid-file whatever the machine's speed.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GCS } from './file-helpers.js';

/**
 * fake-gcs-server behind a valve: the bytes of a media download (a GCS object read) past `open` (an offset in the
 * object) wait until the test opens the valve further; everything else passes. The load then stands mid-file, waiting
 * on the network as on a slow link, for as long as the test looks at it: what a test sees mid-load, and that its pause
 * lands before the end, do not depend on how fast the machine loads.
 */
export class GcsValve {
  open = 0;
  private readonly waiting = new Set<() => void>();
  private server: Server | undefined;

  openTo(offset: number): void {
    this.open = offset;
    for (const flow of [...this.waiting]) flow();
  }

  /** Starts the proxy; returns its URL (for STORAGE_EMULATOR_HOST). */
  async start(): Promise<string> {
    const upstream = new URL(GCS());
    this.server = createServer((req, res) => {
      const up = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          if (/alt=media/.test(req.url ?? '')) this.meter(req, upRes, res);
          else upRes.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.openTo(Infinity);
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Passes the body up to the valve's offset (a ranged read starts at its own first byte); holds the rest. */
  private meter(req: IncomingMessage, upRes: IncomingMessage, res: ServerResponse): void {
    let at = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const held: Buffer[] = [];
    let ended = false;
    const flow = () => {
      while (held.length > 0 && at < this.open) {
        const room = this.open - at;
        const chunk = held[0];
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        res.write(part);
        at += part.length;
        if (part === chunk) held.shift();
        else held[0] = chunk.subarray(part.length);
      }
      if (held.length > 0) upRes.pause();
      else if (ended) {
        this.waiting.delete(flow);
        res.end();
      } else upRes.resume();
    };
    this.waiting.add(flow);
    upRes.on('data', (chunk: Buffer) => {
      held.push(chunk);
      flow();
    });
    upRes.on('end', () => {
      ended = true;
      flow();
    });
    res.on('close', () => {
      this.waiting.delete(flow);
      upRes.destroy();
    });
  }
}
