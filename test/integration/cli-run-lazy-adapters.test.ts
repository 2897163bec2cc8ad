// `dsc run` on local files loads no adapter it does not use: not @google-cloud/storage (no gs:// URI), not the AWS or
// Azure SDKs (no s3a:// or abfss:// URI), not kafkajs (the wire adapter is the default), not Firestore (SQLite state).
// Checked on the built CLI (bin/dsc.js; build first) with a module-load hook that records every ES module and, at
// exit, every CommonJS module loaded.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BROKERS, loadServiceEnv, unique } from './file-helpers.js';

loadServiceEnv();
const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'dsc-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOOK = `export async function load(url, context, next) {
  if (!url.startsWith('node:')) process.stderr.write('LOADED ' + url + '\\n');
  return next(url, context);
}`;
const REGISTER = `import { createRequire, register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});
const require = createRequire(import.meta.url);
process.on('exit', () => { for (const k of Object.keys(require.cache)) process.stderr.write('LOADED ' + k + '\\n'); });`;

/**
 * Runs a one-file eof connector and returns every module path the process loaded. Asynchronous: a synchronous child
 * blocks the vitest worker, whose calls to the runner time out after 60 s on a loaded machine.
 */
async function loadedModules(env: Record<string, string> = {}): Promise<string[]> {
  writeFileSync(join(dir, 'hook.mjs'), HOOK);
  writeFileSync(join(dir, 'register.mjs'), REGISTER);
  const name = unique('lazy');
  writeFileSync(join(dir, `${name}.csv`), 'a,b\n1,2\n');
  const config = [
    'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    'mode=eof',
    `[${name}]`,
    `name=${name}`,
    `topic=${name}`,
    `file.uris=${join(dir, `${name}.csv`)}`,
  ].join('\n');
  writeFileSync(join(dir, `${name}.conf`), config);
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = execFile(
      process.execPath,
      ['--import', join(dir, 'register.mjs'), join(ROOT, 'bin/dsc.js'), 'run', '--c', `${name}.conf`, '--json'],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 180_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, KAFKA_BROKERS: BROKERS(), DSC_STORE: 'sqlite', DSC_STATE_DIR: join(dir, name), ...env },
      },
      (_err, stdout, stderr) => done({ status: child.exitCode, stdout, stderr }),
    );
  });
  const lines = r.stderr.split('\n');
  expect(r.status, lines.filter((l) => !l.startsWith('LOADED ')).join('\n')).toBe(0);
  expect(JSON.parse(r.stdout)[0].state).toBe('FINISHED');
  return lines.filter((l) => l.startsWith('LOADED ')).map((l) => l.slice('LOADED '.length));
}

const loads = (modules: string[], pkg: string) => modules.some((m) => m.includes(`/node_modules/${pkg}/`));

describe('dsc run on local files', () => {
  it('loads neither @google-cloud/storage, nor kafkajs, nor Firestore', async () => {
    const modules = await loadedModules();
    // The hook sees what the run does use: the file.regexp engine and the wire adapter's Kafka library.
    expect(loads(modules, 're2js')).toBe(true);
    expect(loads(modules, '@platformatic/kafka')).toBe(true);
    // A plain CSV needs neither the quoted reader's csv-parse nor the archive libraries, nor ajv.
    for (const pkg of ['csv-parse', 'tar-stream', 'yauzl', 'ajv']) expect(loads(modules, pkg), pkg).toBe(false);
    // Nor the Parquet reader (hyparquet and its codecs), nor `debug` for @platformatic/kafka's loggers (DEBUG unset).
    for (const pkg of ['hyparquet', 'hyparquet-compressors', 'debug']) expect(loads(modules, pkg), pkg).toBe(false);
    expect(loads(modules, '@google-cloud/storage')).toBe(false);
    // Nor the S3 and Azure SDKs (no s3a:// or abfss:// URI).
    for (const pkg of ['@aws-sdk/client-s3', '@azure/storage-blob', '@azure/identity'])
      expect(loads(modules, pkg), pkg).toBe(false);
    expect(loads(modules, '@google-cloud/firestore')).toBe(false);
    expect(modules.filter((m) => m.includes('/node_modules/kafkajs/'))).toEqual([]);
  });

  it('loads kafkajs when DSC_KAFKA_ADAPTER=kafkajs asks for it', async () => {
    const modules = await loadedModules({ DSC_KAFKA_ADAPTER: 'kafkajs' });
    expect(modules.some((m) => m.endsWith('/node_modules/kafkajs/index.js'))).toBe(true);
    expect(loads(modules, '@google-cloud/storage')).toBe(false);
  });
});
