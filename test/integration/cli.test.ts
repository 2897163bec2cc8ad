// dsc through --url/DSC_URL against a live management API (functions-framework server, token auth).
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoopDispatcher } from '../../shared/dispatch/noop-dispatcher.js';
import { tokenAuth } from '../../shared/lifecycle/auth.js';
import { FileSecretVault } from '../../shared/lifecycle/file-secret-vault.js';
import { createManagementHandler } from '../../shared/lifecycle/management-api.js';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../../shared/runtime/log.js';
import { CliHarness } from '../unit/cli/cli-harness.js';
import { HttpTransport } from '../../shared/cli/http-transport.js';
import { startUiServer } from '../../shared/cli/ui-server.js';

describe('dsc --url (HTTP client against a live API)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dsc-cli-http-'));
  const dispatcher = new NoopDispatcher();
  let store: SqliteConnectorStore;
  let server: ReturnType<typeof getTestServer>;
  let url: string;
  const cli = new CliHarness();

  beforeAll(async () => {
    store = await SqliteConnectorStore.openStateDir(join(dir, 'state'));
    const handler = createManagementHandler({
      store,
      dispatcher,
      vault: new FileSecretVault(join(dir, 'state', 'secrets.json')),
      auth: tokenAuth('cli-token'),
      log: silentLogger,
    });
    http('manage-cli-test', handler);
    server = getTestServer('manage-cli-test');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The CLI's own state folder must stay untouched: everything goes over HTTP.
    cli.env = { DSC_STATE_DIR: 'local-state', DSC_TOKEN: 'cli-token' };
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    cli.cleanUp();
  });

  it('creates, lists, shows status, pauses, resumes and deletes over HTTP', async () => {
    const created = await cli.run('create', '--c', 'seed-gcs.conf', '--url', url);
    expect(created.code).toBe(0);
    expect(created.out).toContain('created connector fs-person-demo-104');
    expect(created.out).not.toContain('dsc run');
    expect((await store.listConnectors()).map((c) => c.name).sort()).toEqual([
      'fs-friend-demo-104',
      'fs-person-demo-104',
    ]);
    expect(dispatcher.plans).toEqual([
      { connector: 'fs-person-demo-104', epoch: 1 },
      { connector: 'fs-friend-demo-104', epoch: 1 },
    ]);

    cli.env.DSC_URL = url;
    const list = await cli.run('list', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.out).map((r: { name: string }) => r.name)).toEqual([
      'fs-friend-demo-104',
      'fs-person-demo-104',
    ]);
    const status = await cli.run('status', 'fs-person-demo-104');
    expect(status.out.split('\n')[1]).toMatch(/^fs-person-demo-104\s+UNASSIGNED\s+0\/10\s+0\s+0$/);
    expect((await cli.run('pause', 'fs-person-demo-104')).code).toBe(0);
    expect((await cli.run('pause', 'fs-person-demo-104')).code).toBe(4);
    expect((await cli.run('resume', 'fs-person-demo-104')).code).toBe(0);
    expect(dispatcher.plans.at(-1)).toEqual({ connector: 'fs-person-demo-104', epoch: 2 });
    const restarted = await cli.run('restart', 'fs-person-demo-104');
    expect(restarted).toMatchObject({
      code: 0,
      out: 'restarted connector fs-person-demo-104 (epoch 3): it is planned again',
    });
    expect(dispatcher.plans.at(-1)).toEqual({ connector: 'fs-person-demo-104', epoch: 3, restart: 'all' });
    expect((await cli.run('create', '--c', 'bad-mirror.conf')).code).toBe(1);
    expect((await cli.run('delete', 'fs-person-demo-104')).code).toBe(0);
    expect((await cli.run('list', 'fs-person-demo-104')).code).toBe(3);
    // Nothing was written to the CLI's local state.
    expect(existsSync(join(cli.dir, 'local-state'))).toBe(false);
  });

  it('dsc ui browses a token-protected deployment: the page is local, its API calls carry DSC_TOKEN', async () => {
    expect((await fetch(`${url}/`)).status).toBe(401); // the deployment's own page: behind the token
    const ui = await startUiServer(new HttpTransport(url, 'cli-token'), 0);
    try {
      const page = await fetch(ui.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>dsc connectors</title>');
      const status = await fetch(`${ui.url}status`);
      expect(status.status).toBe(200);
      expect(Array.isArray(await status.json())).toBe(true);
    } finally {
      await ui.close();
    }
    const wrong = await startUiServer(new HttpTransport(url, 'not-the-token'), 0);
    try {
      const denied = await fetch(`${wrong.url}status`);
      expect(denied.status).toBe(401);
      expect(((await denied.json()) as { message: string }).message).toBe('invalid token');
    } finally {
      await wrong.close();
    }
  });

  it('exits 5 with a hint on a wrong token, and 5 when the API cannot be reached', async () => {
    cli.env = { DSC_URL: url, DSC_TOKEN: 'wrong' };
    const denied = await cli.run('list');
    expect(denied.code).toBe(5);
    expect(denied.err).toContain('dsc: invalid token');
    expect(denied.err).toContain('gcloud auth print-identity-token');

    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const closed = await cli.run('list', '--url', `http://127.0.0.1:${port}/`);
    expect(closed.code).toBe(5);
    expect(closed.err).toBe(`dsc: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});
