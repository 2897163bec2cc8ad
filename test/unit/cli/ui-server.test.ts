// The status page's two homes: the management handler answers GET / with the page under the API's auth rules, and
// the local server (dsc ui, dsc run --ui) serves it on 127.0.0.1, passes API calls through, and refuses requests
// from another site or for another host.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessTransport } from '../../../shared/cli/in-process-transport.js';
import { startUiServer, type UiServer } from '../../../shared/cli/ui-server.js';
import { NoopDispatcher } from '../../../shared/dispatch/noop-dispatcher.js';
import { noAuth, tokenAuth, type AuthPolicy } from '../../../shared/lifecycle/auth.js';
import { createManagementHandler } from '../../../shared/lifecycle/management-api.js';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../../../shared/runtime/log.js';

async function handlerWith(auth: AuthPolicy) {
  const store = await SqliteConnectorStore.open(':memory:');
  return createManagementHandler({ store, dispatcher: new NoopDispatcher(), auth, log: silentLogger });
}

async function get(handler: Awaited<ReturnType<typeof handlerWith>>, headers: Record<string, string> = {}) {
  const res = { statusCode: 0, headers: {} as Record<string, string>, text: '' };
  await handler(
    { method: 'GET', url: '/', headers },
    {
      set statusCode(v: number) {
        res.statusCode = v;
      },
      get statusCode() {
        return res.statusCode;
      },
      setHeader: (k: string, v: string | number | readonly string[]) => void (res.headers[k.toLowerCase()] = String(v)),
      end: (b?: string) => void (res.text = b ?? ''),
    },
  );
  return res;
}

describe('GET / on the management API', () => {
  it('is the status page, behind the same auth as the API', async () => {
    const open = await get(await handlerWith(noAuth()));
    expect(open.statusCode).toBe(200);
    expect(open.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(open.text).toMatch(/^<!doctype html>/);
    expect(open.text).toContain('fetch(base + path');
    // Only its own inline script runs; no other site may frame it.
    expect(open.headers['content-security-policy']).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(open.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const guarded = await handlerWith(tokenAuth('s3cret-token'));
    expect((await get(guarded)).statusCode).toBe(401);
    expect((await get(guarded, { authorization: 'Bearer s3cret-token' })).statusCode).toBe(200);
  });
});

let ui: UiServer | undefined;
afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

function call(
  url: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local status page server', () => {
  it('serves the page and the API on 127.0.0.1; refuses a foreign Origin or Host', async () => {
    ui = await startUiServer(new InProcessTransport(await handlerWith(noAuth()), 'test'), 0);
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await call(ui.url, 'GET');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>dsc connectors</title>');
    expect(await call(`${ui.url}status`, 'GET')).toEqual({ status: 200, body: '[]' });
    const missing = await call(`${ui.url}connectors/nope/restart`, 'POST', { Origin: ui.url.slice(0, -1) });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).message).toBe('connector nope not found');
    const foreign = await call(`${ui.url}connectors/nope`, 'DELETE', { Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const rebound = await call(`${ui.url}status`, 'GET', { Host: 'evil.example:80' });
    expect(rebound.status).toBe(403);
  });
});
