// The deployed shape on one machine: manage, plan, work and notify as separate functions-framework processes from
// dist/ (production mode, the environment infra/ gives them), the Eventarc / Pub/Sub push stand-in between them over
// the Pub/Sub emulator, Firestore through its emulator, files on fake-gcs-server, and the mirror container entry
// (`node dist/functions/mirror.js`) beside them on the same Firestore.
// What differs from Google Cloud, and why: Secret Manager has no emulator, so DSC_SECRETS=file (one vault file all
// processes share); Cloud Run's IAM check has no local equivalent, so manage runs DSC_AUTH=token instead of iam; one
// process per function serves concurrent requests where Cloud Run would start an instance per work request.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EventarcStandIn } from './eventarc-stand-in.js';
import { freePort, Instance } from './instance.js';
import { readInfraWiring, type InfraWiring } from './terraform-wiring.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
const FUNCTIONS_FRAMEWORK = join(ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js');

export interface ShapeOptions {
  /** Extra environment per function resource (`work`: { DSC_TASK_BUDGET_SECONDS: '3' }). */
  env?: Partial<Record<'manage' | 'plan' | 'work' | 'notify' | 'mirror', Record<string, string>>>;
  /** Start the mirror container entry too (default false). */
  mirror?: boolean;
  /** Print instance and stand-in lines (default: quiet; logs stay in `logDir`). */
  log?: (line: string) => void;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TaskStatus {
  taskId: number;
  state: string;
  records?: number;
  [k: string]: unknown;
}

export interface ConnectorStatus {
  name: string;
  state: string;
  desired: string;
  epoch: number;
  tasks: TaskStatus[];
  totals?: { records?: number; [k: string]: unknown };
  lastError?: string;
}

function nodeBinary(): string {
  const local = join(ROOT, 'node_modules/.bin/node');
  return existsSync(local) ? realpathSync(local) : process.execPath;
}

function requireEnv(key: string): string {
  const v = process.env[key];
  if (!v) throw new Error(`${key} is not set: run npm run services:up and load ~/.cache/dsc/run/services.env`);
  return v;
}

export class DeployedShape {
  readonly instances: Record<string, Instance> = {};
  readonly token = randomUUID();
  readonly projectId = `dsc-local-${randomUUID().slice(0, 8)}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'dsc-deployed-'));
  readonly logDir = join(this.dir, 'logs');
  standIn!: EventarcStandIn;
  wiring!: InfraWiring;
  urls: Record<string, string> = {};

  private constructor(private readonly options: ShapeOptions) {}

  static async start(options: ShapeOptions = {}): Promise<DeployedShape> {
    const shape = new DeployedShape(options);
    try {
      await shape.startAll();
    } catch (err) {
      await shape.stop();
      throw err;
    }
    return shape;
  }

  get manageUrl(): string {
    return this.urls.manage;
  }

  /** `dsc ...` against the manage function over HTTP (DSC_URL + DSC_TOKEN), as a user would run it. */
  dsc(...args: string[]): Promise<CliResult> {
    return new Promise((done, fail) => {
      const child = spawn(nodeBinary(), [join(ROOT, 'bin/dsc.js'), ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DSC_URL: this.manageUrl, DSC_TOKEN: this.token },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.once('error', fail);
      child.once('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    });
  }

  /** `dsc` that must exit 0; otherwise throws with its output. */
  async dscOk(...args: string[]): Promise<string> {
    const r = await this.dsc(...args);
    if (r.code !== 0) throw new Error(`dsc ${args.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  async status(name: string): Promise<ConnectorStatus> {
    return JSON.parse(await this.dscOk('status', name, '--json')) as ConnectorStatus;
  }

  /** Polls the status over HTTP until `until` holds; throws with the last status and the logs' tails otherwise. */
  async waitFor(
    name: string,
    until: (s: ConnectorStatus) => boolean,
    timeoutMs = 60_000,
    what = 'condition',
  ): Promise<ConnectorStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: ConnectorStatus | undefined;
    while (Date.now() < deadline) {
      const res = await fetch(`${this.manageUrl}/connectors/${encodeURIComponent(name)}/status`, {
        headers: { authorization: `Bearer ${this.token}` },
      });
      if (res.ok) {
        last = (await res.json()) as ConnectorStatus;
        if (until(last)) return last;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(
      `${name}: ${what} not reached in ${timeoutMs} ms; last status ${JSON.stringify(last)}\n${this.tails()}`,
    );
  }

  waitForState(name: string, state: string, timeoutMs = 60_000): Promise<ConnectorStatus> {
    return this.waitFor(name, (s) => s.state === state, timeoutMs, `state ${state}`);
  }

  /** The last log lines of every process (for failure messages). */
  tails(lines = 30): string {
    return Object.values(this.instances)
      .map((i) => i.tail(lines))
      .join('\n');
  }

  async stop(): Promise<void> {
    await this.standIn?.stop().catch(() => {});
    await Promise.all(Object.values(this.instances).map((i) => i.stop()));
    if (!process.env.DSC_KEEP_SHAPE_LOGS) rmSync(this.dir, { recursive: true, force: true });
  }

  private async startAll(): Promise<void> {
    if (!existsSync(join(ROOT, 'dist/functions/index.js'))) throw new Error('dist/ is missing: run npm run build');
    const names = ['manage', 'plan', 'work', 'notify'] as const;
    const ports: Record<string, number> = {};
    for (const n of names) {
      ports[n] = await freePort();
      this.urls[n] = `http://127.0.0.1:${ports[n]}`;
    }
    this.wiring = await readInfraWiring(
      join(ROOT, 'infra'),
      { project_id: this.projectId, kafka_brokers: requireEnv('KAFKA_BROKERS') },
      this.urls,
    );
    mkdirSync(this.logDir, { recursive: true });
    for (const n of names) {
      const fn = this.wiring.functions[n];
      if (!fn) throw new Error(`infra/ declares no google_cloudfunctions2_function.${n}`);
      const env = { ...this.baseEnv(), ...strings(fn.env), ...this.localEnv(n), ...this.options.env?.[n] };
      this.instances[n] = new Instance({
        name: n,
        command: nodeBinary(),
        args: [FUNCTIONS_FRAMEWORK, `--target=${fn.entryPoint}`, `--port=${ports[n]}`, `--source=${ROOT}`],
        cwd: ROOT,
        env: { ...env, PORT: String(ports[n]), K_SERVICE: `dsc-${n}`, FUNCTION_TARGET: fn.entryPoint },
        logFile: join(this.logDir, `${n}.log`),
        port: ports[n],
      });
    }
    if (this.options.mirror) {
      const env = { ...this.baseEnv(), ...strings(this.wiring.mirrorEnv), ...this.localEnv('mirror') };
      this.instances.mirror = new Instance({
        name: 'mirror',
        command: nodeBinary(),
        args: [join(ROOT, 'dist/functions/mirror.js')],
        cwd: ROOT,
        env: { ...env, ...this.options.env?.mirror },
        logFile: join(this.logDir, 'mirror.log'),
      });
    }
    this.standIn = new EventarcStandIn({
      wiring: this.wiring,
      functionUrls: this.urls,
      storageUrl: requireEnv('STORAGE_EMULATOR_HOST'),
      log: this.options.log,
    });
    await this.standIn.start();
    await Promise.all(Object.values(this.instances).map((i) => i.start()));
  }

  /** What every process inherits from this machine: only what a container would have, plus the emulators. */
  private baseEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      NODE_ENV: 'production',
      // No GCE metadata server on this machine: the Google clients would probe for one and warn.
      METADATA_SERVER_DETECTION: 'none',
      FIRESTORE_EMULATOR_HOST: requireEnv('FIRESTORE_EMULATOR_HOST'),
      STORAGE_EMULATOR_HOST: requireEnv('STORAGE_EMULATOR_HOST'),
      PUBSUB_EMULATOR_HOST: requireEnv('PUBSUB_EMULATOR_HOST'),
    };
  }

  /** The local replacements of what Google Cloud provides (see the file comment). */
  private localEnv(component: string): Record<string, string> {
    const env: Record<string, string> = { DSC_SECRETS: 'file', DSC_STATE_DIR: join(this.dir, 'state') };
    if (component === 'manage') Object.assign(env, { DSC_AUTH: 'token', DSC_API_TOKEN: this.token });
    return env;
  }
}

const strings = (env: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
