// Where a CLI command writes and what it reads from its surroundings; tests pass their own to capture output.
export interface CliIo {
  /** Writes one line (a newline is added) to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIo = (): CliIo => ({
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  env: process.env,
  cwd: process.cwd(),
});
