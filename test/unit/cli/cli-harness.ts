// Runs `main` in-process with captured output, in a temp working directory holding the config files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../shared/cli/io.js';
import { main } from '../../../shared/cli/main.js';
import { PLAIN_MIRROR, badMirror, seedGcs, seedMirror } from './seed-configs.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export class CliHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'dsc-cli-'));
  env: NodeJS.ProcessEnv = { DSC_STATE_DIR: 'state' };

  constructor() {
    writeFileSync(join(this.dir, 'seed-gcs.conf'), seedGcs());
    writeFileSync(join(this.dir, 'seed-mirror.conf'), seedMirror());
    writeFileSync(join(this.dir, 'bad-mirror.conf'), badMirror());
    writeFileSync(join(this.dir, 'mirror.conf'), PLAIN_MIRROR);
  }

  get stateDir(): string {
    return join(this.dir, 'state');
  }

  async run(...argv: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: this.env, cwd: this.dir };
    const code = await main(argv, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  cleanUp(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
