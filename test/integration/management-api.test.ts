// The management API over real HTTP: functions-framework's server (body parsers and all) in front of the handler,
// the SQLite store and the file vault in a temp folder, a dispatcher that records plan messages.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NoopDispatcher } from '../../shared/dispatch/noop-dispatcher.js';
import { noAuth, tokenAuth, iamAuth, type AuthPolicy } from '../../shared/lifecycle/auth.js';
import { FileSecretVault } from '../../shared/lifecycle/file-secret-vault.js';
import { createManagementHandler } from '../../shared/lifecycle/management-api.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import type { ConnectorStore, NewTaskRecord, TaskState } from '../../shared/lifecycle/store.js';
import { createLogger } from '../../shared/runtime/log.js';
import { PLAIN_MIRROR, badMirror, seedGcs } from '../unit/cli/seed-configs.js';

// Express answers body-parser errors itself; in production (as on Cloud Functions) without a stack trace.
process.env.NODE_ENV = 'production';

interface Server {
  url: string;
  close(): Promise<void>;
}

let serial = 0;
async function serve(handler: Parameters<typeof http>[1]): Promise<Server> {
  const name = `manage-test-${++serial}`;
  http(name, handler);
  const server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Env {
  dir: string;
  store: SqliteConnectorStore;
  vault: FileSecretVault;
  dispatcher: NoopDispatcher;
  logs: string[];
  server: Server;
}

async function setUp(auth: AuthPolicy, storeOverride?: (s: ConnectorStore) => ConnectorStore): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'dsc-api-'));
  const store = await SqliteConnectorStore.openStateDir(dir);
  const vault = new FileSecretVault(join(dir, 'secrets.json'));
  const dispatcher = new NoopDispatcher();
  const logs: string[] = [];
  const handler = createManagementHandler({
    store: storeOverride ? storeOverride(store) : store,
    vault,
    dispatcher,
    auth,
    log: createLogger({}, (l) => logs.push(l)),
  });
  return { dir, store, vault, dispatcher, logs, server: await serve(handler) };
}

async function tearDown(env: Env) {
  await env.server.close();
  await env.store.close();
  rmSync(env.dir, { recursive: true, force: true });
}

type Reply = { status: number; body: any; text: string; headers: Headers };

async function call(
  env: Env,
  method: string,
  path: string,
  init: { body?: string; contentType?: string; token?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (init.contentType) headers['Content-Type'] = init.contentType;
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  const res = await fetch(env.server.url + path, { method, headers, body: init.body });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

const text = (body: string) => ({ body, contentType: 'text/plain' });
const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });

const tasks = (connector: string, states: TaskState[]): NewTaskRecord[] =>
  states.map((state, taskId) => ({
    connector,
    taskId,
    epoch: 1,
    state,
    assignment: { files: [] },
    progress: {
      filesDone: 1,
      filesTotal: 2,
      records: 100 * (taskId + 1),
      bytes: 5000,
      bytesTotal: 10000,
      recordsPerSecond: 50,
      errors: taskId,
    },
    ...(state === 'FAILED' && { lastError: 'gs://example/p.csv line 9: bad record' }),
  }));

describe('management API (local mode)', () => {
  let env: Env;
  beforeEach(async () => {
    env = await setUp(noAuth());
  });
  afterEach(() => tearDown(env));

  it('GET /healthz', async () => {
    const r = await call(env, 'GET', '/healthz');
    expect(r).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('POST /connectors (text/plain) creates every connector of the file, seals secrets and plans file connectors', async () => {
    const r = await call(env, 'POST', '/connectors?fileName=seed-gcs.conf', text(seedGcs()));
    expect(r.status).toBe(201);
    expect(r.body.created).toEqual(['fs-person-demo-104', 'fs-friend-demo-104']);
    expect(r.body.warnings).toEqual([]);
    expect(r.body.connectors[0]).toMatchObject({
      name: 'fs-person-demo-104',
      kind: 'file',
      tasksMax: 10,
      topic: 'person-demo-104',
    });
    // The private key never comes back, and the store only holds a reference to it.
    expect(r.text).not.toContain('PRIVATE KEY');
    expect(r.body.connectors[0].config.gcs.privateKey).toBe('****');
    const stored = await env.store.getConnector('fs-person-demo-104');
    expect(JSON.stringify(stored)).not.toContain('PRIVATE KEY');
    expect(stored?.spec.kind === 'file' && stored.spec.gcs.privateKey).toMatch(/^secret:\/\//);
    expect(stored).toMatchObject({ desired: 'RUNNING', epoch: 1 });
    expect(env.dispatcher.plans).toEqual([
      { connector: 'fs-person-demo-104', epoch: 1 },
      { connector: 'fs-friend-demo-104', epoch: 1 },
    ]);
  });

  it('POST /connectors (JSON body) creates a mirror connector without a plan message', async () => {
    const r = await call(env, 'POST', '/connectors', json({ config: PLAIN_MIRROR, fileName: 'mirror.conf' }));
    expect(r.status).toBe(201);
    expect(r.body.created).toEqual(['avro-test-without-registry']);
    expect(r.body.connectors[0].topics).toEqual(['avro-without-registry-topic']);
    expect(env.dispatcher.plans).toEqual([]);
  });

  it('409 names existing connectors and creates nothing (all or nothing)', async () => {
    expect((await call(env, 'POST', '/connectors', text(seedGcs()))).status).toBe(201);
    const oneNew = seedGcs().replace('name = fs-friend-demo-104', 'name = fs-friend-new');
    const r = await call(env, 'POST', '/connectors', text(oneNew));
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      error_code: 409,
      message: 'connector fs-person-demo-104 already exists; nothing was created',
    });
    expect(await env.store.getConnector('fs-friend-new')).toBeUndefined();
    expect(env.dispatcher.plans).toHaveLength(2);
  });

  it('400 lists every config issue with key, section, line, message and severity', async () => {
    const r = await call(env, 'POST', '/connectors', json({ config: badMirror(), fileName: 'bad-mirror.conf' }));
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe(400);
    expect(r.body.message).toMatch(/^bad-mirror.conf has \d+ errors; nothing was created$/);
    expect(r.body.issues.length).toBeGreaterThan(1);
    for (const i of r.body.issues)
      expect(Object.keys(i).sort()).toEqual(['key', 'line', 'message', 'section', 'severity']);
    expect(r.body.issues).toContainEqual(
      expect.objectContaining({
        key: 'producer.sasl.mechanism',
        section: null,
        severity: 'error',
        message: expect.stringMatching(/KERBEROS_V4/),
      }),
    );
    expect(await env.store.listConnectors()).toEqual([]);
  });

  it('400 for an empty body, a JSON body without config, and malformed JSON (no stack trace)', async () => {
    const empty = await call(env, 'POST', '/connectors', text(''));
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/request body is empty/);
    const noConfig = await call(env, 'POST', '/connectors', json({ fileName: 'x.conf' }));
    expect(noConfig).toMatchObject({
      status: 400,
      body: { error_code: 400, message: expect.stringMatching(/"config"/) },
    });
    const bad = await call(env, 'POST', '/connectors', { body: '{"config": ', contentType: 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.text).not.toMatch(/at .*\.js:\d+/);
  });

  it('POST /connectors/validate parses only', async () => {
    const r = await call(env, 'POST', '/connectors/validate', text(seedGcs()));
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(true);
    expect(r.body.connectors.map((c: { name: string }) => c.name)).toEqual([
      'fs-person-demo-104',
      'fs-friend-demo-104',
    ]);
    expect(await env.store.listConnectors()).toEqual([]);
    expect((await call(env, 'POST', '/connectors/validate', text(badMirror()))).status).toBe(400);
  });

  it('GET /connectors, /connectors/:name, /connectors/:name/status and /status', async () => {
    await call(env, 'POST', '/connectors', text(seedGcs()));
    await call(env, 'POST', '/connectors', text(PLAIN_MIRROR));
    const list = await call(env, 'GET', '/connectors');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      {
        name: 'avro-test-without-registry',
        kind: 'mirror',
        state: 'UNASSIGNED',
        tasksMax: 10,
        topics: ['avro-without-registry-topic'],
      },
      { name: 'fs-friend-demo-104', kind: 'file', state: 'UNASSIGNED', tasksMax: 10, topic: 'friend-demo-104' },
      { name: 'fs-person-demo-104', kind: 'file', state: 'UNASSIGNED', tasksMax: 10, topic: 'person-demo-104' },
    ]);

    const config = await call(env, 'GET', '/connectors/fs-person-demo-104');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ name: 'fs-person-demo-104', kind: 'file', desired: 'RUNNING', epoch: 1 });
    expect(config.body.config.settings['file.reader.settings.fs.gs.auth.service.account.private.key']).toBe('****');
    expect(config.text).not.toContain('PRIVATE KEY');
    expect(config.text).not.toContain('secret://');

    await env.store.putTasks('fs-person-demo-104', tasks('fs-person-demo-104', ['RUNNING', 'FAILED']));
    const status = await call(env, 'GET', '/connectors/fs-person-demo-104/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      name: 'fs-person-demo-104',
      state: 'FAILED',
      totals: { records: 300, errors: 1 },
      lastError: 'task 1: gs://example/p.csv line 9: bad record',
    });
    expect(status.body.tasks[1]).toMatchObject({
      id: 1,
      state: 'FAILED',
      progress: { filesDone: 1, filesTotal: 2, records: 200 },
    });

    const all = await call(env, 'GET', '/status');
    expect(all.body.map((s: { name: string; state: string }) => `${s.name}=${s.state}`)).toEqual([
      'avro-test-without-registry=UNASSIGNED',
      'fs-friend-demo-104=UNASSIGNED',
      'fs-person-demo-104=FAILED',
    ]);
  });

  it('pause, resume (epoch + plan), and their 409s', async () => {
    await call(env, 'POST', '/connectors', text(seedGcs()));
    const name = 'fs-person-demo-104';
    await env.store.putTasks(name, tasks(name, ['RUNNING']));
    const resumeRunning = await call(env, 'PUT', `/connectors/${name}/resume`);
    expect(resumeRunning).toMatchObject({
      status: 409,
      body: { error_code: 409, message: `connector ${name} is running; nothing to resume` },
    });

    const pause = await call(env, 'PUT', `/connectors/${name}/pause`);
    expect(pause).toMatchObject({ status: 202, body: { name, desired: 'PAUSED', epoch: 1 } });
    expect((await call(env, 'GET', `/connectors/${name}/status`)).body.state).toBe('PAUSED');
    const again = await call(env, 'PUT', `/connectors/${name}/pause`);
    expect(again).toMatchObject({ status: 409, body: { message: `connector ${name} is already paused` } });

    const resume = await call(env, 'PUT', `/connectors/${name}/resume`);
    expect(resume).toMatchObject({ status: 202, body: { name, desired: 'RUNNING', epoch: 2 } });
    expect(env.dispatcher.plans.at(-1)).toEqual({ connector: name, epoch: 2 });

    await env.store.putTasks(name, tasks(name, ['FINISHED', 'FINISHED']));
    const finished = await call(env, 'PUT', `/connectors/${name}/resume`);
    expect(finished.status).toBe(409);
    expect(finished.body.message).toMatch(/FINISHED.*delete the connector and create it again/);
    expect((await call(env, 'PUT', `/connectors/${name}/pause`)).status).toBe(409);
  });

  it('DELETE removes the connector, its tasks and offsets and its secrets; then 404', async () => {
    await call(env, 'POST', '/connectors', text(seedGcs()));
    const name = 'fs-person-demo-104';
    await env.store.putTasks(name, tasks(name, ['RUNNING']));
    await env.store.putOffset(name, 'gs://example/p.csv', { offset: 10 });
    expect(readFileSync(join(env.dir, 'secrets.json'), 'utf8')).toContain(name);

    const del = await call(env, 'DELETE', `/connectors/${name}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(await env.store.listTasks(name)).toEqual([]);
    expect(await env.store.listOffsets(name)).toEqual([]);
    expect(readFileSync(join(env.dir, 'secrets.json'), 'utf8')).not.toContain(name);
    // The other connector of the file keeps its secrets.
    expect(readFileSync(join(env.dir, 'secrets.json'), 'utf8')).toContain('fs-friend-demo-104');

    for (const [method, path] of [
      ['DELETE', `/connectors/${name}`],
      ['GET', `/connectors/${name}`],
      ['GET', `/connectors/${name}/status`],
      ['PUT', `/connectors/${name}/pause`],
      ['PUT', `/connectors/${name}/resume`],
    ]) {
      const r = await call(env, method, path);
      expect(r, `${method} ${path}`).toMatchObject({
        status: 404,
        body: { error_code: 404, message: `connector ${name} not found` },
      });
    }
  });

  it('405 for a known path with the wrong method (with Allow), 404 for an unknown route', async () => {
    const r = await call(env, 'DELETE', '/connectors');
    expect(r).toMatchObject({ status: 405, body: { error_code: 405 } });
    expect(r.headers.get('allow')).toBe('GET, POST');
    expect((await call(env, 'POST', '/connectors/x/pause')).status).toBe(405);
    expect((await call(env, 'PATCH', '/connectors/x')).status).toBe(405);
    expect((await call(env, 'GET', '/connectors/x/restart')).status).toBe(405);
    const unknown = await call(env, 'GET', '/connectors/x/offsets');
    expect(unknown).toMatchObject({
      status: 404,
      body: { error_code: 404, message: 'no such route: /connectors/x/offsets' },
    });
    expect((await call(env, 'GET', '/nothing/here')).status).toBe(404);
    const page = await call(env, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});

describe('management API errors it did not expect', () => {
  let env: Env;
  beforeAll(async () => {
    env = await setUp(noAuth(), (store) =>
      Object.assign(Object.create(store) as ConnectorStore, {
        listConnectors: async () => {
          throw new Error('disk I/O error at /var/secret/path');
        },
      }),
    );
  });
  afterAll(() => tearDown(env));

  it('answers 500 with a request id and logs the details, never a stack trace', async () => {
    const r = await call(env, 'GET', '/connectors');
    expect(r.status).toBe(500);
    expect(r.body.message).toMatch(/^internal error \(request [0-9a-f-]{36}\); see the manage function's logs$/);
    expect(r.text).not.toContain('disk I/O');
    const logged = env.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'management request failed');
    expect(logged).toMatchObject({ severity: 'ERROR', error: 'disk I/O error at /var/secret/path' });
    expect(r.body.message).toContain(logged.requestId);
  });
});

describe('management API auth', () => {
  it('token: 401 without or with a wrong token, 200 with the token; /healthz stays open', async () => {
    const env = await setUp(tokenAuth('t0ken-for-tests'));
    try {
      const none = await call(env, 'GET', '/connectors');
      expect(none).toMatchObject({ status: 401, body: { error_code: 401 } });
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect((await call(env, 'GET', '/connectors', { token: 'wrong' })).status).toBe(401);
      expect((await call(env, 'POST', '/connectors', { ...text(seedGcs()), token: 'wrong' })).status).toBe(401);
      expect(await env.store.listConnectors()).toEqual([]);
      expect((await call(env, 'GET', '/connectors', { token: 't0ken-for-tests' })).status).toBe(200);
      expect((await call(env, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await tearDown(env);
    }
  });

  it('iam: needs an Authorization header', async () => {
    const env = await setUp(iamAuth());
    try {
      expect((await call(env, 'GET', '/status')).status).toBe(401);
      expect((await call(env, 'GET', '/status', { token: 'an.identity.token' })).status).toBe(200);
    } finally {
      await tearDown(env);
    }
  });

  it('none (local mode): no header needed', async () => {
    const env = await setUp(noAuth());
    try {
      expect((await call(env, 'GET', '/status')).status).toBe(200);
    } finally {
      await tearDown(env);
    }
  });
});

describe('functions/manage.ts (the deployed entry point)', () => {
  const keys = ['DSC_AUTH', 'DSC_API_TOKEN', 'DSC_STATE_DIR', 'DSC_STORE', 'DSC_SECRETS', 'DSC_DISPATCH'] as const;
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  const dir = mkdtempSync(join(tmpdir(), 'dsc-manage-'));
  afterAll(() => {
    for (const k of keys)
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 500 naming DSC_AUTH when it is unset, then wires from env once it is set', async () => {
    for (const k of keys) delete process.env[k];
    await import('../../functions/manage.js');
    const server = getTestServer('manage');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refused = await fetch(`${url}/connectors`);
      expect(refused.status).toBe(500);
      expect(await refused.json()).toEqual({
        error_code: 500,
        message:
          'manage function cannot start: DSC_AUTH is not set: set DSC_AUTH=token with DSC_API_TOKEN, iam, or none for local mode',
      });

      Object.assign(process.env, { DSC_AUTH: 'token', DSC_API_TOKEN: 'entry-token', DSC_STATE_DIR: dir });
      expect((await fetch(`${url}/connectors`)).status).toBe(401);
      const created = await fetch(`${url}/connectors`, {
        method: 'POST',
        headers: { Authorization: 'Bearer entry-token', 'Content-Type': 'text/plain' },
        body: seedGcs(),
      });
      expect(created.status).toBe(201);
      const store = await SqliteConnectorStore.openStateDir(dir);
      expect((await store.listConnectors()).map((c) => c.name).sort()).toEqual([
        'fs-friend-demo-104',
        'fs-person-demo-104',
      ]);
      await store.close();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
