// The handler called in-process (as the CLI's embedded mode does): bodies that functions-framework would have
// parsed arrive as strings here, and a failing dispatcher must not lose the created connectors.
import { describe, expect, it } from 'vitest';
import type { Dispatcher } from '../../../shared/dispatch/dispatcher.js';
import { NoopDispatcher } from '../../../shared/dispatch/noop-dispatcher.js';
import { noAuth } from '../../../shared/lifecycle/auth.js';
import type { ApiRequest } from '../../../shared/lifecycle/api-types.js';
import { createManagementHandler } from '../../../shared/lifecycle/management-api.js';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../../../shared/runtime/log.js';
import { seedGcs } from '../cli/seed-configs.js';

async function handle(req: ApiRequest, dispatcher: Dispatcher = new NoopDispatcher()) {
  const store = await SqliteConnectorStore.open(':memory:');
  const handler = createManagementHandler({ store, dispatcher, auth: noAuth(), log: silentLogger });
  const res = {
    statusCode: 0,
    headers: {} as Record<string, string>,
    text: '',
    setHeader(k: string, v: string) {
      this.headers[k.toLowerCase()] = v;
    },
    end(body?: string) {
      this.text = body ?? '';
    },
  };
  await handler(req, res);
  return { status: res.statusCode, body: res.text ? JSON.parse(res.text) : undefined, headers: res.headers, store };
}

describe('createManagementHandler (in-process)', () => {
  it('parses a JSON body given as a string and answers 400 for malformed JSON', async () => {
    const ok = await handle({
      method: 'POST',
      url: '/connectors/validate',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: seedGcs(), fileName: 'seed-gcs.conf' }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    const bad = await handle({
      method: 'POST',
      url: '/connectors',
      headers: { 'content-type': 'application/json' },
      body: '{"config": ',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe(400);
    expect(bad.body.message).toMatch(/^request body is not valid JSON: /);
  });

  it('accepts a Buffer body (an unknown content type) as config text', async () => {
    const r = await handle({ method: 'POST', url: '/connectors/validate', headers: {}, body: Buffer.from(seedGcs()) });
    expect(r.status).toBe(200);
    expect(r.body.connectors).toHaveLength(2);
  });

  it('503 when a plan cannot be dispatched, keeping the connectors and saying how to retry', async () => {
    const failing: Dispatcher = {
      plan: async () => {
        throw new Error('topic dsc-plan not found');
      },
      task: async () => {},
    };
    const r = await handle({ method: 'POST', url: '/connectors', headers: {}, body: seedGcs() }, failing);
    expect(r.status).toBe(503);
    expect(r.body.message).toBe(
      'connectors fs-person-demo-104, fs-friend-demo-104 were created, but their plans could not be dispatched ' +
        '(topic dsc-plan not found); pause and resume them to retry',
    );
    expect((await r.store.listConnectors()).map((c) => c.name).sort()).toEqual([
      'fs-friend-demo-104',
      'fs-person-demo-104',
    ]);
  });

  it('decodes percent-encoded connector names', async () => {
    const r = await handle({ method: 'GET', url: '/connectors/a%20b/status', headers: {} });
    expect(r).toMatchObject({ status: 404, body: { message: 'connector a b not found' } });
  });
});
