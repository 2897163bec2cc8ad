// dsc: gadmin-style connector management. `create`, `list`, `status`, `pause`, `resume`, `delete` go through the
// management API (a deployed one with --url/DSC_URL, or the same handler in-process on the local state);
// `validate` parses offline; `run` executes connectors locally (run.ts).
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatIssue, parseConnectorConfig } from '../config/index.js';
import { hasErrors, type ConfigIssue } from '../config/spec.js';
import { connectorSummary, issueOfBody } from '../lifecycle/api-types.js';
import { EXIT, exitCodeForStatus } from './exit-codes.js';
import { HttpTransport } from './http-transport.js';
import { InProcessTransport } from './in-process-transport.js';
import { processIo, type CliIo } from './io.js';
import { ApiCallError, ManagementClient } from './management-client.js';
import { printConfig, printList, printStatus, printSummaries } from './output.js';
import { TransportError, type ApiTransport } from './transport.js';

const USAGE = `usage: dsc <command> [options]

commands:
  create   --c FILE     create every connector of a config file (all or nothing)
  list     [NAME]       list connectors, or show one connector's config (secrets as ****)
  status   [NAME]       connector and task status
  pause    NAME         stop loading; offsets are kept
  resume   NAME         continue a paused or failed connector from its offsets
  restart  NAME         restart a FAILED or RUNNING connector's tasks from their offsets; error counts
                        reset, the last error stays in status; --failed-only restarts only failed tasks
  delete   NAME         remove a connector, its tasks and offsets (cannot be undone)
  validate --c FILE     check a config file offline and show what it would create
  run      --c FILE     run a config file's connectors on this machine (dsc run --help)
  tigergraph NAME      write TigerGraph's data source, topic-partition files and loading job for the
                        connector's output into --out DIR (default ./tigergraph/NAME/); options --graph G,
                        --data-source DS (default k1), --path-prefix P (where the files sit on TigerGraph)
  ui       [--port N]   serve the status page on http://127.0.0.1:N/ (default 8377) until Ctrl-C

options:
  --c, --config, -c FILE  the config file
  --url URL               management API (default: DSC_URL; unset = the local state in DSC_STATE_DIR, default .dsc)
  --json                  machine-readable output
  --failed-only           (restart) only the FAILED tasks
  --port N                (ui) the local port; 0 picks a free one
  -h, --help              this help
  --version               print the version

environment:
  DSC_URL, DSC_TOKEN      API address and bearer token; for an IAM deployment use
                          DSC_TOKEN=$(gcloud auth print-identity-token)
  DSC_STATE_DIR           local state folder for the embedded mode

exit codes: 0 ok, 1 invalid config or a FAILED connector, 2 usage, 3 not found, 4 conflict,
            5 API unreachable, auth refused or API failure`;

class UsageError extends Error {}

function version(): string {
  // dist/shared/cli/main.js and shared/cli/main.ts sit at different depths: walk up to dsc's package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dsc') return pkg.version ?? 'unknown';
    }
  }
  return 'unknown';
}

interface Parsed {
  command: string | undefined;
  positionals: string[];
  configFile?: string;
  url?: string;
  json: boolean;
  failedOnly: boolean;
  port?: string;
  out?: string;
  graph?: string;
  dataSource?: string;
  pathPrefix?: string;
  help: boolean;
  version: boolean;
}

function parse(argv: string[]): Parsed {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        c: { type: 'string' },
        config: { type: 'string', short: 'c' },
        url: { type: 'string' },
        json: { type: 'boolean' },
        'failed-only': { type: 'boolean' },
        port: { type: 'string' },
        out: { type: 'string' },
        graph: { type: 'string' },
        'data-source': { type: 'string' },
        'path-prefix': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [command, ...rest] = positionals;
  return {
    command,
    positionals: rest,
    configFile: (values.c ?? values.config) as string | undefined,
    url: values.url as string | undefined,
    json: values.json === true,
    failedOnly: values['failed-only'] === true,
    ...(values.port !== undefined && { port: values.port as string }),
    ...(values.out !== undefined && { out: values.out as string }),
    ...(values.graph !== undefined && { graph: values.graph as string }),
    ...(values['data-source'] !== undefined && { dataSource: values['data-source'] as string }),
    ...(values['path-prefix'] !== undefined && { pathPrefix: values['path-prefix'] as string }),
    help: values.help === true,
    version: values.version === true,
  };
}

const NEEDS_NAME = new Set(['pause', 'resume', 'restart', 'delete', 'tigergraph']);
const TAKES_NAME = new Set(['list', 'status']);
const NEEDS_FILE = new Set(['create', 'validate']);
const COMMANDS = new Set([...NEEDS_NAME, ...TAKES_NAME, ...NEEDS_FILE, 'ui']);

function checkArgs(p: Parsed): void {
  const c = p.command!;
  if (!COMMANDS.has(c)) throw new UsageError(`unknown command '${c}'`);
  const max = NEEDS_NAME.has(c) || TAKES_NAME.has(c) ? 1 : 0;
  if (NEEDS_NAME.has(c) && p.positionals.length === 0) throw new UsageError(`dsc ${c} needs a connector NAME`);
  if (p.positionals.length > max) throw new UsageError(`unexpected argument '${p.positionals[max]}' for dsc ${c}`);
  if (NEEDS_FILE.has(c) && !p.configFile) throw new UsageError(`dsc ${c} needs --c FILE`);
  if (!NEEDS_FILE.has(c) && p.configFile) throw new UsageError(`dsc ${c} takes no --c`);
  if (p.port !== undefined && (c !== 'ui' || !/^\d{1,5}$/.test(p.port) || Number(p.port) > 65535))
    throw new UsageError(c === 'ui' ? `--port must be a port number, got ${p.port}` : `dsc ${c} takes no --port`);
  if (c !== 'tigergraph' && (p.out ?? p.graph ?? p.dataSource ?? p.pathPrefix) !== undefined)
    throw new UsageError(`--out, --graph, --data-source and --path-prefix are options of dsc tigergraph, not dsc ${c}`);
  if (p.failedOnly && c !== 'restart') throw new UsageError(`--failed-only is an option of dsc restart, not dsc ${c}`);
}

async function readConfig(file: string, io: CliIo): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function printIssues(issues: ConfigIssue[], fileName: string, io: CliIo): void {
  for (const i of issues) io.err(formatIssue(i, fileName));
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // `run` owns its own options, and loads the whole runtime (Kafka, GCS clients): imported only when used.
  if (argv[0] === 'run') return (await import('./run.js')).runCommand(argv.slice(1), io);
  let p: Parsed;
  try {
    p = parse(argv);
    if (p.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    if (p.version) {
      io.out(`dsc ${version()}`);
      return EXIT.OK;
    }
    if (!p.command) throw new UsageError('no command given');
    checkArgs(p);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`dsc: ${err.message}`);
    io.err(USAGE);
    return EXIT.USAGE;
  }
  try {
    if (p.command === 'validate') return await validateOffline(p, io);
    if (p.command === 'tigergraph') return await tigergraph(p, io);
    const transport = await openTransport(p, io);
    try {
      if (p.command === 'ui') return await serveUi(transport, Number(p.port ?? DEFAULT_UI_PORT), io);
      return await runApiCommand(p, new ManagementClient(transport), io);
    } finally {
      await transport.close();
    }
  } catch (err) {
    return reportError(err, p, io);
  }
}

const DEFAULT_UI_PORT = 8377;

async function tigergraph(p: Parsed, io: CliIo): Promise<number> {
  const { tigergraphMain } = await import('./tigergraph.js');
  return tigergraphMain({ ...p, name: p.positionals[0] }, p.url ?? io.env.DSC_URL, io);
}

/** `dsc ui`: the status page on 127.0.0.1 until SIGINT/SIGTERM. */
async function serveUi(transport: ApiTransport, port: number, io: CliIo): Promise<number> {
  // Loaded by `dsc ui` only: importing node:http loads undici (~10 ms) into every command otherwise.
  const { startUiServer } = await import('./ui-server.js');
  const ui = await startUiServer(transport, port);
  io.out(`status page of ${transport.target}: ${ui.url} (Ctrl-C to stop)`);
  if (!(transport instanceof HttpTransport))
    io.out('a `dsc run` on the same state acts on what you do here; without one it is recorded for the next `dsc run`');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.close();
  return EXIT.OK;
}

async function openTransport(p: Parsed, io: CliIo): Promise<ApiTransport> {
  const url = p.url ?? io.env.DSC_URL;
  if (url) return new HttpTransport(url, io.env.DSC_TOKEN);
  // The composition root loads the store and vault adapters: only without DSC_URL.
  const { embeddedManagement } = await import('../app/wiring.js');
  const local = await embeddedManagement(io.env, io.cwd);
  return new InProcessTransport(local.handler, local.target, local.close);
}

function reportError(err: unknown, p: Parsed, io: CliIo): number {
  if (err instanceof UsageError) {
    io.err(`dsc: ${err.message}`);
    return EXIT.USAGE;
  }
  if (err instanceof ApiCallError) {
    if (p.json) io.out(JSON.stringify(err.body, null, 2));
    io.err(`dsc: ${err.message}`);
    if (err.body.issues) printIssues(err.body.issues.map(issueOfBody), p.configFile ?? 'config', io);
    if (err.status === 401 || err.status === 403)
      io.err('dsc: set DSC_TOKEN (for an IAM deployment: DSC_TOKEN=$(gcloud auth print-identity-token))');
    return exitCodeForStatus(err.status);
  }
  if (err instanceof TransportError) {
    io.err(`dsc: ${err.message}`);
    return EXIT.UNAVAILABLE;
  }
  // The local state could not be opened, or a bug: one line, no stack.
  io.err(`dsc: ${err instanceof Error ? err.message : String(err)}`);
  return EXIT.UNAVAILABLE;
}

async function validateOffline(p: Parsed, io: CliIo): Promise<number> {
  const file = p.configFile!;
  const text = await readConfig(file, io);
  const { specs, issues } = parseConnectorConfig(text, { fileName: file });
  const ok = !hasErrors(issues) && specs.length > 0;
  if (p.json) {
    io.out(JSON.stringify({ valid: ok, connectors: ok ? specs.map(connectorSummary) : [], issues }, null, 2));
  }
  printIssues(issues, file, io);
  if (!ok) {
    if (specs.length === 0 && !hasErrors(issues)) io.err(`dsc: ${file} defines no connector`);
    return EXIT.INVALID;
  }
  if (!p.json) {
    io.out(`${file} is valid; it would create ${specs.length} connector${specs.length === 1 ? '' : 's'}:`);
    printSummaries(specs.map(connectorSummary), io);
  }
  return EXIT.OK;
}

async function runApiCommand(p: Parsed, client: ManagementClient, io: CliIo): Promise<number> {
  const name = p.positionals[0];
  const json = (v: unknown) => io.out(JSON.stringify(v, null, 2));
  switch (p.command) {
    case 'create': {
      const file = p.configFile!;
      const created = await client.create(await readConfig(file, io), file);
      printIssues(created.warnings.map(issueOfBody), file, io);
      if (p.json) json(created);
      else {
        for (const c of created.connectors) io.out(`created connector ${c.name}`);
        printSummaries(created.connectors, io);
        if (!(client.transport instanceof HttpTransport))
          io.out(`recorded in ${client.transport.target}; start loading with: dsc run`);
      }
      return EXIT.OK;
    }
    case 'list': {
      if (name) {
        const config = await client.config(name);
        if (p.json) json(config);
        else printConfig(config, io);
      } else {
        const rows = await client.list();
        if (p.json) json(rows);
        else printList(rows, io);
      }
      return EXIT.OK;
    }
    case 'status': {
      const statuses = name ? [await client.status(name)] : await client.statusAll();
      if (p.json) json(name ? statuses[0] : statuses);
      else printStatus(statuses, io);
      return statuses.some((s) => s.state === 'FAILED') ? EXIT.INVALID : EXIT.OK;
    }
    case 'pause':
    case 'resume': {
      const r = p.command === 'pause' ? await client.pause(name) : await client.resume(name);
      if (p.json) json(r);
      else io.out(`${p.command === 'pause' ? 'paused' : 'resumed'} connector ${r.name} (epoch ${r.epoch})`);
      return EXIT.OK;
    }
    case 'restart': {
      const r = await client.restart(name, p.failedOnly);
      if (p.json) json(r);
      else if (r.restarted.length === 0 && p.failedOnly)
        io.out(`connector ${r.name} has no failed task; nothing was restarted`);
      else if (r.restarted.length === 0)
        io.out(`restarted connector ${r.name} (epoch ${r.epoch}): it is planned again`);
      else {
        const ids = r.restarted.join(', ');
        io.out(`restarted connector ${r.name}: task${r.restarted.length === 1 ? '' : 's'} ${ids} (epoch ${r.epoch})`);
        if (!(client.transport instanceof HttpTransport))
          io.out(`recorded in ${client.transport.target}; a running dsc run picks it up, or start one: dsc run`);
      }
      return EXIT.OK;
    }
    case 'delete': {
      await client.delete(name);
      if (p.json) json({ deleted: name });
      else io.out(`deleted connector ${name}`);
      return EXIT.OK;
    }
  }
  throw new UsageError(`unknown command '${p.command}'`);
}
