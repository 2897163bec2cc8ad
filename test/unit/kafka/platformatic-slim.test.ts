// The engine's start-up loads only the parts of @platformatic/kafka it calls: not the package's index of every API
// nor the clients' option schemas (compiled by ajv at load), which its connection module would otherwise import.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const module = fileURLToPath(new URL('../../../shared/kafka/platformatic.ts', import.meta.url));

describe('platformatic.ts', () => {
  it('loads the connection without the API index or the option schemas, and the connection still works', () => {
    // A fresh Node process (vitest's own loader is not Node's): every module URL Node loads is recorded.
    const script = `
      import { registerHooks } from 'node:module';
      const seen = [];
      registerHooks({ load(url, ctx, next) { seen.push(url); return next(url, ctx); } });
      const p = await import(${JSON.stringify(module.replace(/\/shared\/.*$/, '/dist/shared/kafka/platformatic.js'))});
      const pool = new p.ConnectionPool('slim-test', {});
      await pool.close();
      console.log(JSON.stringify(seen.filter((u) => u.includes('@platformatic/kafka/dist/'))));
    `;
    const loaded = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as string[];
    expect(loaded.some((u) => u.endsWith('/network/connection.js'))).toBe(true);
    expect(loaded.filter((u) => u.endsWith('/apis/index.js') || u.endsWith('/clients/base/options.js'))).toEqual([]);
    expect(loaded.length).toBeLessThan(150);
  });
});
