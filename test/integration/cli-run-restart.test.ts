// `dsc run --ui` keeps a failed load alive for the operator: the task FAILS on a bad line, the user fixes the file
// and restarts only the failed task through the page's API; the load continues from its checkpoint and Kafka holds
// each line once, in order. And `dsc restart` from another terminal while a plain `dsc run` loads: the run plans the
// new epoch itself and finishes. Runs the built CLI (npm test builds first).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../shared/cli/main.js';
import { consumeAll, csvLines, sleep, tally, tempDir, unique, values } from './file-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const kills: (() => void)[] = [];
afterAll(() => kills.forEach((k) => k()));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('dsc run --ui: restart a failed task', () => {
  it('fix the file, POST restart?onlyFailed=true, the load completes exactly', async () => {
    if (!existsSync(join(ROOT, 'dist/shared/cli/ui-server.js'))) throw new Error('dist/ is missing: npm run build');
    const name = unique('run-restart');
    const good = Array.from({ length: 6 }, (_, i) => `{"id":${i}}`);
    const bad = [...good.slice(0, 3), '{"id":3,}', ...good.slice(4)];
    const dir = tempDir({ 'data/x.json': bad.join('\n') + '\n' });
    const conf = ['connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector', 'mode=eof'];
    conf.push('file.reader.batch.size=1', `[c]`, `name=${name}`, `topic=${name}`, `file.uris=${join(dir, 'data')}`);
    writeFileSync(join(dir, 'run.conf'), conf.join('\n') + '\n');
    const child = spawn(process.execPath, [join(ROOT, 'bin/dsc.js'), 'run', '--c', 'run.conf', '--ui', '--port', '0'], {
      cwd: dir,
      env: { ...process.env, DSC_STATE_DIR: join(dir, 'state') },
    });
    kills.push(() => void child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const url = await until('the status page', async () => /status page on (http:\/\/\S+\/)/.exec(out)?.[1]);
    const status = async () =>
      (await (await fetch(`${url}connectors/${name}/status`)).json()) as { state: string; lastError?: string };

    const failed = await until('FAILED', async () => ((await status()).state === 'FAILED' ? status() : undefined));
    expect(failed.lastError).toMatch(/x\.json line 4: invalid JSON/);
    expect(out).not.toMatch(/CONNECTOR\s+STATE/); // with --ui a failure does not end the run

    writeFileSync(join(dir, 'data/x.json'), [...good.slice(0, 3), '{"id":33}', ...good.slice(4)].join('\n') + '\n');
    const restarted = await fetch(`${url}connectors/${name}/restart?onlyFailed=true`, {
      method: 'POST',
      headers: { Origin: url.slice(0, -1) },
    });
    expect(restarted.status).toBe(202);
    expect(await restarted.json()).toMatchObject({ restarted: [0] });
    await until('FINISHED', async () => ((await status()).state === 'FINISHED' ? true : undefined));
    expect(values(await consumeAll(name))).toEqual([...good.slice(0, 3), '{"id":33}', ...good.slice(4)]);

    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code, out).toBe(0);
    expect(out).toMatch(new RegExp(`${name}\\s+FINISHED\\s+1\\s+6\\s`));
  });

  it('dsc restart from another terminal during a plain dsc run: the run continues from the checkpoint', async () => {
    const name = unique('run-elsewhere');
    const lines = csvLines(200_000, 'elsewhere', 30);
    const dir = tempDir({ 'data/big.csv': lines.join('\n') + '\n' });
    const conf = ['connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector', 'mode=eof'];
    // Small batches keep the load running while the other terminal restarts it, however fast the engine.
    conf.push(
      'file.reader.batch.size=20',
      'transaction.boundary.interval.ms=50',
      `[c]`,
      `name=${name}`,
      `topic=${name}`,
      `file.uris=${join(dir, 'data')}`,
    );
    writeFileSync(join(dir, 'run.conf'), conf.join('\n') + '\n');
    const env = { ...process.env, DSC_STATE_DIR: join(dir, 'state') };
    const child = spawn(process.execPath, [join(ROOT, 'bin/dsc.js'), 'run', '--c', 'run.conf'], { cwd: dir, env });
    kills.push(() => void child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));

    // The other terminal: the CLI on the same local state.
    const cli = async (...argv: string[]) => {
      const o: string[] = [];
      const code = await main(argv, { out: (l) => o.push(l), err: (l) => o.push(l), env, cwd: dir });
      return { code, out: o.join('\n') };
    };
    await until('records loading', async () => {
      const r = await cli('status', name, '--json');
      return r.code === 0 && (JSON.parse(r.out) as { totals: { records: number } }).totals.records > 1000
        ? true
        : undefined;
    });
    const restarted = await cli('restart', name);
    expect(restarted.code, restarted.out).toBe(0);
    expect(restarted.out).toMatch(/restarted connector .*: task 0 \(epoch 2\)/);

    expect(await exited, out).toBe(0);
    expect(out).toMatch(new RegExp(`${name}\\s+FINISHED\\s+1\\s+`));
    const got = values(await consumeAll(name));
    // At least once: every line; only the batch in flight at the restart may repeat.
    expect(new Set(got)).toEqual(new Set(lines));
    expect([...tally(got).values()].filter((n) => n > 1).length).toBeLessThanOrEqual(500);
  }, 300_000);
});
