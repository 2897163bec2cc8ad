// The status page on this machine (`dsc ui`, `dsc run --ui`): an HTTP server on 127.0.0.1 only that serves the page
// and passes every API call to an ApiTransport — the management handler in-process (embedded default), or a deployed
// API with DSC_TOKEN added (so a token-protected deployment is browsed without putting the token in a browser).
// Loopback is not a login: a request whose Host is not loopback (DNS rebinding) or whose Origin is another site
// (a page elsewhere posting to 127.0.0.1) is refused.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STATUS_PAGE_HEADERS, STATUS_PAGE_HTML } from '../lifecycle/status-page.js';
import { TransportError, type ApiCall, type ApiTransport } from './transport.js';

export interface UiServer {
  url: string;
  close(): Promise<void>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);
const MAX_BODY_BYTES = 1024 * 1024;
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

export async function startUiServer(transport: ApiTransport, port = 0): Promise<UiServer> {
  const server: Server = createServer((req, res) => {
    handle(transport, req, res).catch((err: unknown) => {
      reply(res, 500, { error_code: 500, message: err instanceof Error ? err.message : String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(transport: ApiTransport, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = req.headers.host ?? '';
  if (!LOOPBACK_HOST.test(host))
    return reply(res, 403, { error_code: 403, message: 'the status page answers on 127.0.0.1 only' });
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`)
    return reply(res, 403, { error_code: 403, message: `requests from ${origin} are refused` });
  const method = (req.method ?? 'GET').toUpperCase();
  const path = req.url ?? '/';
  if (path === '/' || path.startsWith('/?')) {
    if (method !== 'GET')
      return reply(res, 405, { error_code: 405, message: `${method} is not supported on /; use GET` });
    res.writeHead(200, STATUS_PAGE_HEADERS);
    res.end(STATUS_PAGE_HTML);
    return;
  }
  if (!METHODS.has(method)) return reply(res, 405, { error_code: 405, message: `${method} is not supported` });
  const body = await readBody(req);
  const call: ApiCall = {
    method: method as ApiCall['method'],
    path,
    ...(body.length > 0 && { body: body.toString('utf8') }),
    ...(req.headers['content-type'] && { contentType: req.headers['content-type'] }),
  };
  try {
    const answer = await transport.send(call);
    reply(res, answer.status, answer.body);
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    reply(res, 502, { error_code: 502, message: err.message });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
