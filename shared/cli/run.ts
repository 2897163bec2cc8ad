// `dsc run --c FILE [--fresh] [--json]`: runs a config file's connectors in this one process on the embedded
// runtime (SQLite state in DSC_STATE_DIR, Kafka from KAFKA_BROKERS). File connectors in mode=eof run until every one
// is FINISHED (exit 0) or one FAILED (exit 1, with file, line and reason); streaming and mirror connectors run until
// SIGINT/SIGTERM, after which every task checkpoints and the command exits 0.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatIssue, parseConnectorConfig } from '../config/index.js';
import { hasErrors, type ConnectorSpec } from '../config/spec.js';
import { kafkaOffsetsCleanup } from '../lifecycle/offsets-cleanup.js';
import { sealSpec } from '../lifecycle/secret-vault.js';
import { buildStatus, connectorState, type ConnectorStatus } from '../lifecycle/status.js';
import type { ConnectorRecord } from '../lifecycle/store.js';
import { openEmbeddedRuntime, type EmbeddedRuntime } from '../runtime/embedded.js';
import { createLogger, type Severity } from '../runtime/log.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { bytes, count, formatTable } from './table.js';

const USAGE = `usage: dsc run --c FILE [--fresh] [--json]

Runs the connectors of FILE on this machine: state in DSC_STATE_DIR (default .dsc), Kafka at KAFKA_BROKERS
(default 127.0.0.1:9092) unless a connector sets target.cluster.bootstrap.servers.
Connectors that already exist continue from their checkpoints; --fresh deletes them first so they load again.
mode=eof file connectors: exits 0 when all are FINISHED, 1 when one FAILED. Streaming file connectors and
mirror connectors run until Ctrl-C (SIGINT) or SIGTERM; tasks checkpoint before the command exits.

options:
  --c, --config, -c FILE   the config file
  --fresh                  delete existing connectors of FILE first (their state and checkpoints)
  --json                   no progress display; print the final status as JSON
  -h, --help               this help`;

interface RunArgs {
  configFile: string;
  fresh: boolean;
  json: boolean;
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
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) return 'help';
    if (positionals.length > 0) return `unexpected argument ${positionals[0]}`;
    const configFile = values.c ?? values.config;
    if (!configFile) return 'missing --c FILE';
    return { configFile, fresh: Boolean(values.fresh), json: Boolean(values.json) };
  } catch (err) {
    return (err as Error).message;
  }
}

const REFRESH_TTY_MS = 250;
const REFRESH_PLAIN_MS = 5_000;

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
  const path = resolve(io.cwd, parsed.configFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    io.err(
      `dsc run: cannot read ${parsed.configFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
    return EXIT.INVALID;
  }
  const { specs, issues } = parseConnectorConfig(text, { fileName: parsed.configFile });
  for (const issue of issues) io.err(formatIssue(issue, parsed.configFile));
  if (hasErrors(issues)) {
    const n = issues.filter((i) => i.severity === 'error').length;
    io.err(`dsc run: ${parsed.configFile} has ${n} error${n === 1 ? '' : 's'}; nothing was run`);
    return EXIT.INVALID;
  }
  if (specs.length === 0) {
    io.err(`dsc run: ${parsed.configFile} defines no connector`);
    return EXIT.INVALID;
  }

  const level = ((io.env.DSC_LOG_LEVEL as Severity | undefined) || 'WARNING') as Severity;
  const log = createLogger({ component: 'dsc-run' }, (line) => io.err(line), level);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let runtime: EmbeddedRuntime | undefined;
  let mirror: Promise<void> | undefined;
  try {
    runtime = await openEmbeddedRuntime({ env: io.env, cwd: io.cwd, log, stop: stop.signal });
    await start(runtime, specs, parsed.fresh, io);
    if (specs.some((s) => s.kind === 'mirror')) {
      const { runMirrorWorker } = await import('../mirror/mirror-worker.js');
      mirror = runMirrorWorker({ store: runtime.store, log, signal: stop.signal, vault: runtime.vault });
    }
    const tty = !parsed.json && isTty(io);
    const final = await watch(runtime, specs, stop, io, tty, parsed.json);
    stop.abort();
    await runtime.idle();
    await mirror;
    const statuses = await statusesOf(runtime, specs);
    if (parsed.json) io.out(JSON.stringify(statuses, null, 2));
    else printSummary(statuses, io);
    if (final === 'failed') {
      for (const s of statuses.filter((x) => x.state === 'FAILED')) {
        io.err(`dsc run: ${s.name} FAILED: ${s.lastError ?? 'no reason recorded'}`);
      }
      return EXIT.INVALID;
    }
    if (final === 'paused') io.err('dsc run: paused connectors keep their checkpoints; `dsc run` again resumes them');
    return EXIT.OK;
  } catch (err) {
    io.err(`dsc run: ${(err as Error).message}`);
    stop.abort();
    await runtime?.idle();
    return EXIT.UNAVAILABLE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await mirror?.catch(() => {});
    await runtime?.close();
  }
}

const isTty = (io: CliIo): boolean => {
  const flag = (io as CliIo & { isTTY?: boolean }).isTTY;
  return flag ?? Boolean(process.stdout.isTTY);
};

/** Creates missing connectors, continues existing ones (a new epoch; their tasks resume from checkpoints). */
async function start(rt: EmbeddedRuntime, specs: ConnectorSpec[], fresh: boolean, io: CliIo): Promise<void> {
  const now = new Date().toISOString();
  for (const spec of specs) {
    let existing = await rt.store.getConnector(spec.name);
    if (existing && fresh) {
      await rt.store.deleteConnector(spec.name);
      await kafkaOffsetsCleanup(rt.context.target, rt.context.log, rt.vault, io.env).deleteOffsets(existing);
      await rt.vault.deleteConnector(spec.name);
      existing = undefined;
    }
    if (!existing) {
      const record: ConnectorRecord = {
        name: spec.name,
        kind: spec.kind,
        spec: await sealSpec(spec, rt.vault),
        desired: 'RUNNING',
        epoch: 1,
        createdAt: now,
        updatedAt: now,
      };
      await rt.store.createConnectors([record]);
      if (spec.kind === 'file') await rt.dispatcher.plan({ connector: spec.name, epoch: 1 });
      continue;
    }
    const state = connectorState(existing, await rt.store.listTasks(spec.name));
    if (state === 'FINISHED') {
      io.err(`dsc run: ${spec.name} already FINISHED; use --fresh to load it again`);
      continue;
    }
    // Paused, failed, or left running by an earlier process: a new epoch makes any older worker stand down.
    const updated = await rt.store.updateConnector(spec.name, { desired: 'RUNNING', epoch: existing.epoch + 1 });
    if (updated && updated.kind === 'file') await rt.dispatcher.plan({ connector: spec.name, epoch: updated.epoch });
    if (!fresh)
      io.err(`dsc run: continuing ${spec.name} from its checkpoints (its stored settings apply; --fresh reloads)`);
  }
}

async function statusesOf(rt: EmbeddedRuntime, specs: ConnectorSpec[]): Promise<ConnectorStatus[]> {
  const out: ConnectorStatus[] = [];
  for (const spec of specs) {
    const record = await rt.store.getConnector(spec.name);
    if (record) out.push(buildStatus(record, await rt.store.listTasks(spec.name)));
  }
  return out;
}

type Final = 'finished' | 'failed' | 'paused' | 'stopped';

/** Polls status until the run is over; draws progress meanwhile. */
async function watch(
  rt: EmbeddedRuntime,
  specs: ConnectorSpec[],
  stop: AbortController,
  io: CliIo,
  tty: boolean,
  quiet: boolean,
): Promise<Final> {
  const endless = specs.some((s) => s.kind === 'mirror' || (s.kind === 'file' && s.mode !== 'eof'));
  // Poll often in both modes (a finished run exits at once); plain output prints only every few seconds.
  const interval = REFRESH_TTY_MS;
  let drawn = 0;
  let lastPlain = 0;
  const started = Date.now();
  for (;;) {
    const statuses = await statusesOf(rt, specs);
    if (!quiet) {
      const lines = statuses.map((s) => progressLine(s, tty));
      if (tty) {
        // Move up over the previous drawing and clear it, then draw again in place.
        if (drawn > 0) lines[0] = `\x1b[${drawn}F\x1b[J${lines[0]}`;
        for (const l of lines) io.out(l);
        drawn = lines.length;
      } else if (Date.now() - lastPlain >= REFRESH_PLAIN_MS) {
        for (const l of lines) io.out(`${Math.round((Date.now() - started) / 1000)}s ${l}`);
        lastPlain = Date.now();
      }
    }
    if (statuses.some((s) => s.state === 'FAILED')) return 'failed';
    if (stop.signal.aborted) return 'stopped';
    if (!endless && statuses.length === specs.length) {
      const done = statuses.every((s) => s.state === 'FINISHED' || s.state === 'PAUSED');
      if (done) return statuses.some((s) => s.state === 'PAUSED') ? 'paused' : 'finished';
    }
    await new Promise<void>((r) => {
      const t = setTimeout(r, interval);
      stop.signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
    });
  }
}

const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;

function progressLine(s: ConnectorStatus, tty: boolean): string {
  const filesDone = s.tasks.reduce((n, t) => n + t.progress.filesDone, 0);
  const filesTotal = s.tasks.reduce((n, t) => n + t.progress.filesTotal, 0);
  const total = s.tasks.reduce((n, t) => n + t.progress.bytesTotal, 0);
  const fraction = s.state === 'FINISHED' ? 1 : total > 0 ? Math.min(1, s.totals.bytes / total) : 0;
  const width = 24;
  const filled = Math.round(fraction * width);
  const bar = tty
    ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% `
    : '';
  const files = s.kind === 'file' ? ` files ${filesDone}/${filesTotal}` : '';
  const errors = s.totals.errors > 0 ? ` errors ${count(s.totals.errors)}` : '';
  return (
    `${s.name} ${s.state} ${bar}${count(s.totals.records)} records ${mb(s.totals.bytes)} ` +
    `${count(s.totals.recordsPerSecond)} rec/s${files}${errors}`
  );
}

function printSummary(statuses: ConnectorStatus[], io: CliIo): void {
  const rows = statuses.map((s) => [
    s.name,
    s.state,
    String(s.tasks.length),
    count(s.totals.records),
    bytes(s.totals.bytes),
    count(s.totals.errors),
    s.lastError ?? '',
  ]);
  io.out('');
  for (const line of formatTable(['CONNECTOR', 'STATE', 'TASKS', 'RECORDS', 'BYTES', 'ERRORS', 'LAST ERROR'], rows)) {
    io.out(line);
  }
}
