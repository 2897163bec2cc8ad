// The engine's start-up loads only the parts of @platformatic/kafka it calls: not the package's index of every API
// nor the clients' option schemas (compiled by ajv at load), which its connection module would otherwise import.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const module = fileURLToPath(new URL('../../../shared/kafka/wire/platformatic.ts', import.meta.url));

describe('platformatic.ts', () => {
  it('loads the connection without the API index or the option schemas, and the connection still works', () => {
    // A fresh Node process (vitest's own loader is not Node's): every module URL Node loads is recorded.
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ load(url, ctx, next) { seen.push(url); return next(url, ctx); } });
      const p = await import(${JSON.stringify(module.replace(/\/shared\/.*$/, '/dist/shared/kafka/wire/platformatic.js'))});
      const pool = new p.ConnectionPool('slim-test', {});
      await pool.close();
      console.log(JSON.stringify({ uncopied: p.requestsWrittenUncopied, seen: seen.filter((u) => u.includes('node_modules/')) }));
    `;
    const { uncopied, seen } = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, DEBUG: '' },
      }),
    ) as { uncopied: boolean; seen: string[] };
    const loaded = seen.filter((u) => u.includes('@platformatic/kafka/dist/'));
    expect(loaded.some((u) => u.endsWith('/network/connection.js'))).toBe(true);
    // utils.js's ajv instance is a stub: none of ajv's modules load.
    expect(seen.filter((u) => u.includes('/node_modules/ajv/'))).toEqual([]);
    // Without DEBUG, its loggers are quiet stubs: the debug package does not load.
    expect(seen.filter((u) => u.includes('/node_modules/debug/'))).toEqual([]);
    // The pinned version's connection is written request parts first (see writeRequestsUncopied).
    expect(uncopied).toBe(true);
    expect(loaded.filter((u) => u.endsWith('/apis/index.js') || u.endsWith('/clients/base/options.js'))).toEqual([]);
    expect(loaded.length).toBeLessThan(150);
  });

  it('writes a request as its parts only where the source is the one it was written for', async () => {
    const { writeRequestsUncopied } = await import('../../../shared/kafka/wire/platformatic.js');
    const index = createRequire(import.meta.url).resolve('@platformatic/kafka');
    const source = readFileSync(index.replace(/index\.js$/, 'network/connection.js'), 'utf8');
    const patched = writeRequestsUncopied(source);
    expect(patched).toContain('payload: writer.buffers,');
    expect(patched).toContain('writeParts(this.#socket, request.payload)');
    expect(patched).not.toContain('payload: writer.buffer,');
    // Another version's text is left as it is.
    const other = source.replace('payload: writer.buffer,', 'payload: writer.joined(),');
    expect(writeRequestsUncopied(other)).toBe(other);
  });
});
