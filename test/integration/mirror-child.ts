// The mirror container entry (functions/mirror.ts) as a child process on a SQLite state folder, for the tests that
// kill it (SIGKILL, SIGTERM) and restart it. Compiled once per test file, as the container runs it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
export const BUILD = join(ROOT, 'node_modules/.cache/dsc-mirror-test');
const NODE = join(ROOT, 'node_modules/.bin/node');

/**
 * Compiles the entry and what it imports; tsc emits even when unrelated files have type errors. Asynchronous: a
 * synchronous compile blocks the vitest worker, whose calls to the runner time out after 60 s on a loaded machine.
 */
export async function buildMirrorEntry(): Promise<void> {
  try {
    await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/tsc'),
      [
        '--strict',
        // Incremental: later compiles (other test files, later runs) only check what changed.
        '--incremental',
        '--tsBuildInfoFile',
        join(BUILD, '.tsbuildinfo'),
        '--outDir',
        BUILD,
        '--rootDir',
        ROOT,
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        '--target',
        'ES2023',
        '--skipLibCheck',
        '--esModuleInterop',
        '--resolveJsonModule',
        '--types',
        'node',
        join(ROOT, 'functions/mirror.ts'),
        // Started by URL (conversion-pool.ts), not imported: named so the compiled mirror has its conversion threads.
        join(ROOT, 'shared/mirror/conversion-worker.ts'),
      ],
      { cwd: ROOT },
    );
  } catch {
    if (!existsSync(join(BUILD, 'functions/mirror.js'))) throw new Error('cannot compile functions/mirror.ts');
  }
}

export const tempStateDir = (): string => mkdtempSync(join(tmpdir(), 'dsc-mirror-child-'));

export function startMirrorChild(stateDir: string, extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(NODE, [join(BUILD, 'functions/mirror.js')], {
    env: { ...process.env, DSC_STORE: 'sqlite', DSC_STATE_DIR: stateDir, DSC_LOG_LEVEL: 'INFO', ...extraEnv },
    stdio: ['ignore', 'ignore', openSync(join(stateDir, 'mirror.log'), 'a')],
  });
}

export const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (c) => r(c)));
