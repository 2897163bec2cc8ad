// `dsc run` as a child process on a SQLite state folder, for the tests that kill it (SIGKILL, SIGTERM) and run it
// again. Compiled once per test file with tsc, as `npm run build` would.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
export const BUILD = join(ROOT, 'node_modules/.cache/dsc-cli-test');
const NODE = join(ROOT, 'node_modules/.bin/node');
const MAIN = join(BUILD, 'shared/cli/main.js');

/**
 * Compiles the CLI and what it imports (tsc emits even when an unrelated file has a type error). Asynchronous: a
 * synchronous compile blocks the vitest worker, whose calls to the runner time out after 60 s on a loaded machine.
 */
export async function buildCli(): Promise<void> {
  try {
    // Incremental: the first compile takes minutes on a loaded machine; the next ones (other test files, later
    // runs) only check what changed.
    const incremental = ['--incremental', '--tsBuildInfoFile', join(BUILD, '.tsbuildinfo')];
    await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsc'), ['-p', ROOT, '--outDir', BUILD, ...incremental], {
      cwd: ROOT,
    });
  } catch {
    if (!existsSync(MAIN)) throw new Error('cannot compile the CLI');
  }
}

/** `dsc run --c conf [--fresh] --json` with its state in `stateDir`; stderr goes to `stateDir/run.log`. */
export function startDscRun(
  stateDir: string,
  conf: string,
  fresh: boolean,
  env: Record<string, string> = {},
): ChildProcess {
  mkdirSync(stateDir, { recursive: true });
  const args = ['run', '--c', conf, '--json', ...(fresh ? ['--fresh'] : [])];
  const script = `import(${JSON.stringify(pathToFileURL(MAIN).href)}).then((m) => m.main(${JSON.stringify(args)})).then((c) => process.exit(c ?? 0))`;
  return spawn(NODE, ['--no-warnings', '-e', script], {
    env: { ...process.env, DSC_STORE: 'sqlite', DSC_STATE_DIR: stateDir, DSC_LOG_LEVEL: 'INFO', ...env },
    stdio: ['ignore', 'ignore', openSync(join(stateDir, 'run.log'), 'a')],
  });
}

export function exited(child: ChildProcess, timeoutMs = 60_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dsc run did not exit in time')), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
