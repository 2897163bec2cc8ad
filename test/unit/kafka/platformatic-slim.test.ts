// The engine's start-up loads only the parts of @platformatic/kafka it calls: not the package's index of every API
// nor the clients' option schemas (compiled by ajv at load), which its connection module would otherwise import
// (patches/@platformatic+kafka+2.12.1.patch, applied at install).
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
      registerHooks({ load(url, ctx, next) { seen.push(url); return next(url, ctx); } }); // this test's own probe
      const p = await import(${JSON.stringify(module.replace(/\/shared\/.*$/, '/dist/shared/kafka/wire/platformatic.js'))});
      const pool = new p.ConnectionPool('slim-test', {});
      await pool.close();
      console.log(JSON.stringify({ seen: seen.filter((u) => u.includes('node_modules/')) }));
    `;
    const { seen } = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, DEBUG: '' },
      }),
    ) as { seen: string[] };
    const loaded = seen.filter((u) => u.includes('@platformatic/kafka/dist/'));
    expect(loaded.some((u) => u.endsWith('/network/connection.js'))).toBe(true);
    // utils.js builds its ajv instance on first use: none of ajv's modules load.
    expect(seen.filter((u) => u.includes('/node_modules/ajv/'))).toEqual([]);
    // Its loggers log nothing without DEBUG: the `debug` package (with supports-color) does not load.
    expect(seen.filter((u) => u.includes('/node_modules/debug/'))).toEqual([]);
    expect(loaded.filter((u) => u.endsWith('/apis/index.js') || u.endsWith('/clients/base/options.js'))).toEqual([]);
    expect(loaded.length).toBeLessThan(150);
  });

  it('writes a request as its parts (the patch is applied)', () => {
    const index = createRequire(import.meta.url).resolve('@platformatic/kafka');
    const source = readFileSync(index.replace(/index\.js$/, 'network/connection.js'), 'utf8');
    expect(source).toContain('payload: writer.buffers,');
    expect(source).toContain('writeParts(this.#socket, request.payload)');
    expect(source).not.toContain('payload: writer.buffer,');
  });
});
