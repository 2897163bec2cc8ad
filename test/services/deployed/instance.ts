// One process of the local deployed shape, kept alive like a Cloud Run instance: when it dies without being asked to
// (a crash, or a test's SIGKILL), a new one starts on the same port, as Cloud Run starts a new instance behind the
// same URL. Output goes to a log file per process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import net from 'node:net';

export interface InstanceOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** When set, ready means this port accepts connections; otherwise ready at spawn. */
  port?: number;
  /** Restart after an unrequested exit (default true). */
  restart?: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Children die with us even when a test run ends without stop() (a timeout, an uncaught error): no orphans holding
// ports or CPU on a shared machine.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export class Instance {
  /** Processes started so far (1 + restarts). */
  starts = 0;
  exits: { code: number | null; signal: NodeJS.Signals | null }[] = [];
  private child: ChildProcess | undefined;
  private readonly out: WriteStream;
  private stopping = false;

  constructor(readonly options: InstanceOptions) {
    this.out = createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    this.spawnOnce();
    await this.ready(timeoutMs);
  }

  /** SIGKILL, as a crashed or preempted instance; a new one starts unless restart is off. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  /** Waits until the instance answers again (after a kill). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const port = this.options.port;
    if (port === undefined) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await portOpen(port)) return;
      await sleep(100);
    }
    throw new Error(`${this.options.name} not listening on ${port} after ${timeoutMs} ms\n${this.tail()}`);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((r) => this.out.end(r));
  }

  /** The last lines of the log (for failure messages). */
  tail(lines = 40): string {
    try {
      const text = readFileSync(this.options.logFile, 'utf8').trimEnd().split('\n');
      return `--- ${this.options.logFile} (last ${lines} lines) ---\n${text.slice(-lines).join('\n')}`;
    } catch {
      return `(no log at ${this.options.logFile})`;
    }
  }

  private spawnOnce(): void {
    const { command, args, cwd, env } = this.options;
    this.starts++;
    this.out.write(`--- ${new Date().toISOString()} start #${this.starts}: ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    child.stdout!.pipe(this.out, { end: false });
    child.stderr!.pipe(this.out, { end: false });
    child.on('exit', (code, signal) => {
      live.delete(child);
      this.exits.push({ code, signal });
      this.out.write(`--- exit code=${code} signal=${signal}\n`);
      if (!this.stopping && this.options.restart !== false) setTimeout(() => this.stopping || this.spawnOnce(), 200);
    });
  }
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A free loopback port (the OS picks; closed again before the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
