// The functions' HTTP edge over real HTTP (functions-framework's server): every refusal is the JSON error body and
// one log line, whatever went wrong and whatever the content type; a body over 1 MiB is refused with 413 unread.
import '../../functions/http-edge.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NoopDispatcher } from '../../shared/dispatch/noop-dispatcher.js';
import { noAuth } from '../../shared/lifecycle/auth.js';
import { MAX_BODY_BYTES } from '../../shared/lifecycle/http-limits.js';
import { createManagementHandler } from '../../shared/lifecycle/management-api.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../../shared/runtime/log.js';

let dir: string;
let store: SqliteConnectorStore;
let server: ReturnType<typeof getTestServer>;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsc-edge-'));
  store = await SqliteConnectorStore.openStateDir(dir);
  http(
    'edge-test',
    createManagementHandler({ store, dispatcher: new NoopDispatcher(), auth: noAuth(), log: silentLogger }),
  );
  server = getTestServer('edge-test');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw request: the path is sent as written, and the body may be shorter than the Content-Length announced. */
function send(
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body = '',
): Promise<{ status: number; contentType: string; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: the assertions on body say so
        }
        resolve({ status: res.statusCode!, contentType: String(res.headers['content-type']), body });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.write(body);
    // A 413 answers before the announced body is sent: do not wait to finish it.
    if (Number(headers['Content-Length'] ?? 0) <= Buffer.byteLength(body)) req.end();
  });
}

/** What the process writes to stderr / console.error while `f` runs. */
async function logsOf<T>(f: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.map(String).join(' ')));
  try {
    return { result: await f(), lines: lines.join('').split('\n').filter(Boolean) };
  } finally {
    write.mockRestore();
    error.mockRestore();
  }
}

describe('HTTP edge', () => {
  it('a malformed percent-encoding in the path: JSON 400 and one log line, no stack', async () => {
    const { result, lines } = await logsOf(() => send('GET', '/connectors/%ZZ', {}));
    expect(result.status).toBe(400);
    expect(result.contentType).toMatch(/^application\/json/);
    expect(result.body).toEqual({ error_code: 400, message: expect.stringMatching(/malformed path/) });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ severity: 'WARNING', message: 'request refused', status: 400 });
    expect(lines.join('\n')).not.toMatch(/\n\s+at |URIError/);
  });

  it('malformed JSON: JSON 400 naming the problem, one log line, no SyntaxError stack', async () => {
    const body = '{"config": ';
    const { result, lines } = await logsOf(() =>
      send('POST', '/connectors', { 'Content-Type': 'application/json', 'Content-Length': body.length }, body),
    );
    expect(result.status).toBe(400);
    expect(result.contentType).toMatch(/^application\/json/);
    expect(result.body.message).toMatch(/^request body is not valid JSON/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\s+at /);
  });

  it('a 40 MB body is refused with 413 before it is read', async () => {
    const { result, lines } = await logsOf(() =>
      send(
        'POST',
        '/connectors',
        { 'Content-Type': 'text/plain', 'Content-Length': 40 * 1024 * 1024 },
        'x'.repeat(1000),
      ),
    );
    expect(result.status).toBe(413);
    expect(result.body).toEqual({ error_code: 413, message: expect.stringMatching(/limit is 1048576 bytes/) });
    expect(lines).toHaveLength(1);
  });

  it('a chunked JSON body over the limit (no Content-Length) is read, then refused with 413 JSON', async () => {
    const body = JSON.stringify({ config: 'x'.repeat(2 * MAX_BODY_BYTES) });
    const r = await send(
      'POST',
      '/connectors',
      { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      body,
    );
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ error_code: 413, message: expect.stringMatching(/limit is 1048576 bytes/) });
  });

  it('a body just under the limit reaches the handler (which answers its own JSON error)', async () => {
    const body = 'x'.repeat(MAX_BODY_BYTES - 10);
    const r = await send(
      'POST',
      '/connectors/validate',
      { 'Content-Type': 'text/plain', 'Content-Length': body.length },
      body,
    );
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe(400);
    expect(r.body.message).not.toMatch(/limit/);
  });

  it('the handler itself refuses a body over the limit (in-process callers have no edge)', async () => {
    const handler = createManagementHandler({
      store,
      dispatcher: new NoopDispatcher(),
      auth: noAuth(),
      log: silentLogger,
    });
    let status = 0;
    let text = '';
    await handler(
      {
        method: 'POST',
        url: '/connectors',
        headers: { 'content-type': 'text/plain' },
        body: 'x'.repeat(MAX_BODY_BYTES + 1),
      },
      { statusCode: 0, setHeader: () => {}, end: (b?: string) => void (text = b ?? '') } as never,
    );
    status = JSON.parse(text).error_code;
    expect(status).toBe(413);
  });
});
