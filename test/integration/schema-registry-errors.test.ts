// What the schema registry client makes of a refusal and of an outage, against the real registry (Apicurio with
// basic auth) and a local server that fails on purpose: 401/403 is fatal and names the redacted URL and the key that
// holds the credentials; a refused connection or a 5xx is retried with backoff, each retry reported.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaRegistryClient, SchemaRegistryError } from '../../shared/mirror/converters/schema-registry-client.js';

const AUTH_URL = () => process.env.SCHEMA_REGISTRY_AUTH_URL ?? 'http://127.0.0.1:8082/apis/ccompat/v7';
const USER = () => process.env.SCHEMA_REGISTRY_USER ?? 'sr-user';
const PASS = () => process.env.SCHEMA_REGISTRY_PASSWORD ?? 'sr-pass';

async function failure(client: SchemaRegistryClient, id = 1): Promise<SchemaRegistryError> {
  try {
    await client.schemaById(id);
  } catch (err) {
    if (err instanceof SchemaRegistryError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

let flaky: Server;
let calls = 0;
beforeAll(async () => {
  // Two 503s, then the schema.
  flaky = createServer((_req, res) => {
    calls++;
    if (calls <= 2) {
      res.writeHead(503).end('busy');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ schema: '"string"' }));
  });
  await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => flaky.close(() => r())));

describe('schema registry errors', () => {
  it('a wrong password in basic.auth.user.info is fatal, naming the URL and the key, never the password', async () => {
    const err = await failure(new SchemaRegistryClient({ url: AUTH_URL(), userInfo: `${USER()}:wrong-pw-1` }));
    expect(err.fatal).toBe(true);
    expect(err.message).toBe(
      `schema registry ${AUTH_URL()} refused the credentials (HTTP 401); check value.converter.basic.auth.user.info`,
    );
  });

  it('a wrong password in the URL is fatal, the URL shown redacted, naming the URL key', async () => {
    const url = AUTH_URL().replace('://', `://${USER()}:wrong-pw-2@`);
    const err = await failure(new SchemaRegistryClient({ url }));
    expect(err.fatal).toBe(true);
    expect(err.message).toContain(AUTH_URL().replace('://', `://${USER()}:****@`));
    expect(err.message).toContain('check value.converter.schema.registry.url');
    expect(err.message).not.toContain('wrong-pw-2');
  });

  it('credentials in the URL are sent (a right password reaches the registry: 404 for an unknown id)', async () => {
    const url = AUTH_URL().replace('://', `://${USER()}:${PASS()}@`);
    const err = await failure(new SchemaRegistryClient({ url }), 987654321);
    expect(err.fatal).toBe(false);
    expect(err.message).toMatch(/^schema id 987654321 not found in the schema registry \(http:\/\/sr-user:\*\*\*\*@/);
  });

  it('no credentials against a registry that wants them: fatal, saying which key to set', async () => {
    const err = await failure(new SchemaRegistryClient({ url: AUTH_URL() }));
    expect(err.fatal).toBe(true);
    expect(err.message).toMatch(/no credentials were sent: set value\.converter\.basic\.auth\.user\.info/);
  });

  it('a refused connection is retried with backoff, each retry reported, then not fatal', async () => {
    const retries: string[] = [];
    // A port nothing listens on: bind one, then free it.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = new SchemaRegistryClient({
      url: `http://u:secret-pw@127.0.0.1:${port}`,
      attempts: 3,
      backoffMs: 10,
      onRetry: (m) => retries.push(m),
    });
    const err = await failure(client);
    expect(err.fatal).toBe(false);
    expect(err.message).toBe(
      `schema id 1: no schema registry answered (http://u:****@127.0.0.1:${port}: ECONNREFUSED)`,
    );
    expect(retries).toEqual([`${err.message}; retry 1 of 2 in 10 ms`, `${err.message}; retry 2 of 2 in 20 ms`]);
  });

  it('a 5xx is retried and the schema arrives', async () => {
    const retries: string[] = [];
    const port = (flaky.address() as AddressInfo).port;
    const client = new SchemaRegistryClient({
      url: `http://127.0.0.1:${port}`,
      backoffMs: 10,
      onRetry: (m) => retries.push(m),
    });
    expect(await client.schemaById(7)).toBe('"string"');
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatch(/HTTP 503 busy\); retry 1 of 2 in 10 ms$/);
  });
});
