// `dsc run --c FILE [--fresh] [--json]`: runs a config file's connectors in this one process on the embedded
// runtime (SQLite state in DSC_STATE_DIR, Kafka from KAFKA_BROKERS). File connectors in mode=eof run until every one
// is FINISHED (exit 0) or one FAILED (exit 1, with file, line and reason), or a signal interrupts them (exit 130);
// streaming and mirror connectors run until SIGINT/SIGTERM, after which every task checkpoints and the command exits
// 0. Only FILE's connectors run, whatever else the state folder holds.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { formatIssue, parseConnectorConfig } from '../config/index.js';
import { hasErrors, type ConnectorSpec } from '../config/spec.js';
import { openEmbeddedRuntime, type EmbeddedRuntime } from '../app/wiring.js';
import { ConnectorError } from '../lifecycle/connector-service.js';
import type { ConnectorStatus } from '../lifecycle/status.js';
import { createLogger, type Logger, type Severity } from '../runtime/log.js';
import { EXIT } from './exit-codes.js';
import { otherConnectorsNote, runExitCode, runScope } from './run-scope.js';
import type { CliIo } from './io.js';
import { ProgressDisplay } from './progress.js';
import type { UiServer } from './ui-server.js';

const USAGE = `usage: dsc run --c FILE [--fresh] [--json] [--ui [--port N]]

Runs the connectors of FILE on this machine: state in DSC_STATE_DIR (default .dsc), Kafka at KAFKA_BROKERS
(default 127.0.0.1:9092) unless a connector sets target.cluster.bootstrap.servers.
Connectors that already exist continue from their checkpoints; --fresh deletes them first so they load again.
mode=eof file connectors: exits 0 when all are FINISHED, 1 when one FAILED, 130 when Ctrl-C/SIGTERM stops them
first. Streaming file connectors and mirror connectors run until Ctrl-C (SIGINT) or SIGTERM (exit 0); tasks
checkpoint before the command exits. Only FILE's connectors run; others in DSC_STATE_DIR are named and left alone.

options:
  --c, --config, -c FILE   the config file
  --fresh                  delete existing connectors of FILE first (their state and checkpoints)
  --json                   progress as plain lines on stderr; the final status as JSON on stdout
  --ui                     serve the status page on http://127.0.0.1:N/ (pause, resume, restart, delete);
                           the run then goes on until Ctrl-C
  --port N                 the status page's port (default 8377; 0 picks a free one)
  -h, --help               this help`;

interface RunArgs {
  configFile: string;
  fresh: boolean;
  json: boolean;
  /** The status page's port when --ui is given. */
  uiPort?: number;
}

function parse(args: string[]): RunArgs | 'help' | string {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        c: { type: 'string', short: 'c' },
        config: { type: 'string' },
        fresh: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        ui: { type: 'boolean', default: false },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) return 'help';
    if (positionals.length > 0) return `unexpected argument ${positionals[0]}`;
    const configFile = values.c ?? values.config;
    if (!configFile) return 'missing --c FILE';
    const port = values.port ?? '8377';
    if (values.port !== undefined && !values.ui) return '--port goes with --ui';
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return `--port must be a port number, got ${port}`;
    const ui = values.ui ? { uiPort: Number(port) } : {};
    return { configFile, fresh: Boolean(values.fresh), json: Boolean(values.json), ...ui };
  } catch (err) {
    return (err as Error).message;
  }
}

const POLL_MS = 250;

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parse(args);
  if (parsed === 'help') {
    io.out(USAGE);
    return EXIT.OK;
  }
  if (typeof parsed === 'string') {
    io.err(`dsc run: ${parsed}`);
    io.err(USAGE);
    return EXIT.USAGE;
  }
  const specs = await readSpecs(parsed.configFile, io);
  if (!specs) return EXIT.INVALID;
  const level = ((io.env.DSC_LOG_LEVEL as Severity | undefined) || 'WARNING') as Severity;
  const log = createLogger({ component: 'dsc-run' }, (line) => io.err(line), level);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let runtime: EmbeddedRuntime | undefined;
  let mirror: Promise<void> | undefined;
  let ui: UiServer | undefined;
  try {
    runtime = await openEmbeddedRuntime({ env: io.env, cwd: io.cwd, log, stop: stop.signal });
    const others = await otherConnectorsNote(runtime.store, specs, parsed.configFile);
    if (others) io.err(others);
    // Connectors this run creates count every record as loaded now, even those acked before the first look.
    const created: string[] = [];
    for (const spec of specs)
      if (parsed.fresh || !(await runtime.store.getConnector(spec.name))) created.push(spec.name);
    await start(runtime, specs, parsed, io);
    if (specs.some((s) => s.kind === 'mirror')) {
      const { runMirrorWorker } = await import('../mirror/mirror-worker.js');
      const connectors = runScope(specs);
      mirror = runMirrorWorker({ store: runtime.store, log, signal: stop.signal, vault: runtime.vault, connectors });
    }
    const tty = !parsed.json && isTty(io);
    const columns = tty ? process.stdout.columns : undefined;
    // With --json stdout carries only the final JSON; the progress lines go to stderr.
    const display = new ProgressDisplay(parsed.json ? { ...io, out: io.err } : io, {
      tty,
      created,
      ...(columns && { columns }),
    });
    if (parsed.uiPort !== undefined) ui = await startRunUi(runtime, parsed.uiPort, log, io);
    const final = await watch(runtime, specs, stop, display, ui !== undefined);
    stop.abort();
    await runtime.idle();
    await mirror;
    return report(final, await statusesOf(runtime, specs), specs, parsed.json ? undefined : display, io);
  } catch (err) {
    io.err(`dsc run: ${(err as Error).message}`);
    stop.abort();
    await runtime?.idle();
    return EXIT.UNAVAILABLE;
  } finally {
    await ui?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await mirror?.catch(() => {});
    await runtime?.close();
  }
}

/** FILE's connectors, or undefined once every issue (with its line) is printed. */
async function readSpecs(configFile: string, io: CliIo): Promise<ConnectorSpec[] | undefined> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, configFile), 'utf8');
  } catch (err) {
    io.err(`dsc run: cannot read ${configFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return undefined;
  }
  const { specs, issues } = parseConnectorConfig(text, { fileName: configFile });
  for (const issue of issues) io.err(formatIssue(issue, configFile));
  if (hasErrors(issues)) {
    const n = issues.filter((i) => i.severity === 'error').length;
    io.err(`dsc run: ${configFile} has ${n} error${n === 1 ? '' : 's'}; nothing was run`);
    return undefined;
  }
  if (specs.length === 0) {
    io.err(`dsc run: ${configFile} defines no connector`);
    return undefined;
  }
  return specs;
}

/** The final status (a table, or JSON on stdout without a display), why it ended, and the exit code. */
function report(
  final: Final,
  statuses: ConnectorStatus[],
  specs: ConnectorSpec[],
  display: ProgressDisplay | undefined,
  io: CliIo,
): number {
  if (display) display.summary(statuses);
  else io.out(JSON.stringify(statuses, null, 2));
  const failed = final === 'failed' || statuses.some((s) => s.state === 'FAILED');
  if (failed) {
    for (const s of statuses.filter((x) => x.state === 'FAILED')) {
      io.err(`dsc run: ${s.name} FAILED: ${s.lastError ?? 'no reason recorded'}`);
    }
  }
  if (final === 'paused') io.err('dsc run: paused connectors keep their checkpoints; `dsc run` again resumes them');
  // A signal after every connector FINISHED (dsc run --ui waits for Ctrl-C) interrupted nothing.
  const finishedAll = statuses.length > 0 && statuses.every((s) => s.state === 'FINISHED');
  const end = failed ? 'failed' : final === 'stopped' && finishedAll ? 'finished' : final;
  const code = runExitCode(end, specs);
  if (code === EXIT.INTERRUPTED)
    io.err('dsc run: interrupted before every connector FINISHED; `dsc run` again continues');
  return code;
}

const isTty = (io: CliIo): boolean => {
  const flag = (io as CliIo & { isTTY?: boolean }).isTTY;
  return flag ?? Boolean(process.stdout.isTTY);
};

/**
 * Another process (`dsc restart`/`dsc resume` or `dsc ui` on the same state) gave a file connector a new epoch: our
 * tasks stand down, and nobody here planned the new epoch, since that process dispatches nothing. After two polls
 * with unfinished tasks still on an older epoch, plan it here so the load continues from its checkpoints.
 */
async function planEpochsFromElsewhere(
  rt: EmbeddedRuntime,
  statuses: ConnectorStatus[],
  unplanned: Map<string, number>,
): Promise<void> {
  for (const s of statuses) {
    const behind =
      s.kind === 'file' && s.desired === 'RUNNING' && s.tasks.some((t) => t.state !== 'FINISHED' && t.epoch < s.epoch);
    const polls = behind ? (unplanned.get(s.name) ?? 0) + 1 : 0;
    unplanned.set(s.name, polls);
    if (polls === 2) await rt.dispatcher.plan({ connector: s.name, epoch: s.epoch });
  }
}

/** The status page on the run's own runtime: its buttons reach the tasks this process runs. */
async function startRunUi(rt: EmbeddedRuntime, port: number, log: Logger, io: CliIo): Promise<UiServer> {
  // Loaded with --ui only: node:http's ESM facade alone loads undici (~10 ms) on every run otherwise.
  const [{ InProcessTransport }, { startUiServer }, { managementHandler }, { noAuth }] = await Promise.all([
    import('./in-process-transport.js'),
    import('./ui-server.js'),
    import('../lifecycle/management-api.js'),
    import('../lifecycle/auth.js'),
  ]);
  const handler = managementHandler(rt.service, noAuth(), log); // 127.0.0.1 only, this user's own state
  const ui = await startUiServer(new InProcessTransport(handler, `local state in ${rt.stateDir}`), port);
  io.err(`dsc run: status page on ${ui.url} (Ctrl-C to stop the run)`);
  return ui;
}

/** Creates missing connectors, continues existing ones (a new epoch; their tasks resume from checkpoints). */
async function start(rt: EmbeddedRuntime, specs: ConnectorSpec[], args: RunArgs, io: CliIo): Promise<void> {
  for (const spec of specs) {
    const existing = await rt.store.getConnector(spec.name);
    if (existing && args.fresh) await rt.service.delete(spec.name);
    if (!existing || args.fresh) {
      await rt.service.createSpecs([spec], args.configFile);
      continue;
    }
    try {
      await rt.service.continue(spec.name);
    } catch (err) {
      // The one refusal: a FINISHED connector has nothing left to load.
      if (!(err instanceof ConnectorError && err.kind === 'conflict')) throw err;
      io.err(`dsc run: ${spec.name} already FINISHED; use --fresh to load it again`);
      continue;
    }
    io.err(`dsc run: continuing ${spec.name} from its checkpoints (its stored settings apply; --fresh reloads)`);
  }
  // Streaming file connectors also look for new files, every file.scan.interval.ms, until the run stops.
  rt.startScans(specs.filter((s) => s.kind === 'file' && s.mode !== 'eof').map((s) => s.name));
}

const statusesOf = (rt: EmbeddedRuntime, specs: ConnectorSpec[]): Promise<ConnectorStatus[]> =>
  rt.service.statuses(specs.map((s) => s.name));

type Final = 'finished' | 'failed' | 'paused' | 'stopped';

/** Polls status until the run is over; draws progress meanwhile. */
async function watch(
  rt: EmbeddedRuntime,
  specs: ConnectorSpec[],
  stop: AbortController,
  display: ProgressDisplay,
  /** The status page is up: the run goes on until Ctrl-C, so a paused or failed load can be resumed from it. */
  untilStopped: boolean,
): Promise<Final> {
  const endless = untilStopped || specs.some((s) => s.kind === 'mirror' || (s.kind === 'file' && s.mode !== 'eof'));
  const unplanned = new Map<string, number>();
  for (;;) {
    const statuses = await statusesOf(rt, specs);
    // Poll often in both modes (a finished run exits at once); plain output prints only every few seconds.
    display.update(statuses);
    await planEpochsFromElsewhere(rt, statuses, unplanned);
    if (!untilStopped && statuses.some((s) => s.state === 'FAILED')) return 'failed';
    if (stop.signal.aborted) return 'stopped';
    if (!endless && statuses.length === specs.length) {
      const done = statuses.every((s) => s.state === 'FINISHED' || s.state === 'PAUSED');
      if (done) return statuses.some((s) => s.state === 'PAUSED') ? 'paused' : 'finished';
    }
    // The next poll, or sooner: a task or plan that returned (a finished load exits at once) or a stop.
    // Whichever comes first ends the other wait (no timer or listener left behind).
    const woken = new AbortController();
    const signal = AbortSignal.any([stop.signal, woken.signal]);
    await Promise.race([sleep(POLL_MS, undefined, { signal }).catch(() => {}), rt.dispatcher.settled(signal)]);
    woken.abort();
  }
}
