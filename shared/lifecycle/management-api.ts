// The lifecycle HTTP API (in the style of the Kafka Connect REST API), as one (req, res) handler: functions-framework
// serves it as the `manage` function, and the CLI calls the same handler in-process for the embedded mode.
// Every failure leaves as `{error_code, message}`; stack traces go to the log, never into a response.
import { randomUUID } from 'node:crypto';
import { parseConnectorConfig } from '../config/index.js';
import { REDACTED, redactSpec } from '../config/secrets.js';
import { hasErrors, type ConfigIssue, type ConnectorSpec } from '../config/spec.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Logger } from '../runtime/log.js';
import type { AuthPolicy } from './auth.js';
import type { OffsetsCleanup } from './offsets-cleanup.js';
import { isSecretReference, sealSpec, type SecretVault } from './secret-vault.js';
import { readScanStatus } from './scan-status.js';
import { buildListRow, buildStatus, connectorState } from './status.js';
import { MAX_BODY_BYTES, tooLarge } from './http-limits.js';
import { StoreConflictError, type ConnectorRecord, type ConnectorStore } from './store.js';
import { pauseTransition, resumeTransition, type Transition } from './transitions.js';
import { restartTransition } from './restart.js';
import { STATUS_PAGE_HEADERS, STATUS_PAGE_HTML } from './status-page.js';

export interface ManagementDeps {
  store: ConnectorStore;
  dispatcher: Dispatcher;
  /** Absent in the embedded mode: specs are stored as parsed in the private state folder. */
  vault?: SecretVault;
  auth: AuthPolicy;
  log: Logger;
  /** Removes a deleted connector's offsets from the offsets topic (exactly-once delivery keeps them there). */
  offsets?: OffsetsCleanup;
}

/** The slice of an Express (functions-framework) request the handler reads; the CLI builds one in-process. */
export interface ApiRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  /** As functions-framework's body parsers leave it: an object (JSON), a string (text/plain), a Buffer (other). */
  body?: unknown;
  /** The bytes as received (functions-framework keeps them): the size limit applies to these. */
  rawBody?: Buffer;
}

/** The slice of http.ServerResponse (and so of Express's response) the handler writes. */
export interface ApiResponse {
  statusCode: number;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  end(body?: string): unknown;
}

export type ManagementHandler = (req: ApiRequest, res: ApiResponse) => Promise<void>;

/** An issue as the API returns it: every field present, so clients need no guesswork. */
export interface IssueBody {
  severity: ConfigIssue['severity'];
  key: string | null;
  section: string | null;
  line: number;
  message: string;
}

export interface ErrorBody {
  error_code: number;
  message: string;
  issues?: IssueBody[];
}

/** What a connector's summary looks like in create/validate answers. */
export interface ConnectorSummary {
  name: string;
  kind: ConnectorSpec['kind'];
  tasksMax: number;
  topic?: string;
  topics?: string[];
}

/** 201 answer to POST /connectors. */
export interface CreatedBody {
  created: string[];
  connectors: (ConnectorSummary & { config: ConnectorSpec })[];
  warnings: IssueBody[];
}

/** 200 answer to POST /connectors/validate. */
export interface ValidatedBody {
  valid: true;
  connectors: ConnectorSummary[];
  warnings: IssueBody[];
}

/** 200 answer to GET /connectors/:name; `config` is the spec with every secret shown as `****`. */
export interface ConnectorConfigBody {
  name: string;
  kind: ConnectorSpec['kind'];
  desired: ConnectorRecord['desired'];
  epoch: number;
  createdAt: string;
  updatedAt: string;
  config: ConnectorSpec;
}

/** 202 answer to PUT /connectors/:name/pause and /resume. */
export interface TransitionBody {
  name: string;
  desired: ConnectorRecord['desired'];
  epoch: number;
}

/** 202 answer to POST /connectors/:name/restart: the ids of the tasks that start again. */
export interface RestartBody extends TransitionBody {
  restarted: number[];
}

const DEFAULT_FILE_NAME = 'connector.conf';

/** A failure with an HTTP status, thrown inside a route and turned into an ErrorBody at the edge. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: IssueBody[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const issueBody = (i: ConfigIssue): IssueBody => ({
  severity: i.severity,
  key: i.key ?? null,
  section: i.section,
  line: i.line,
  message: i.message,
});

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const headerValue = (req: ApiRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The config file text and its name from either body form: text/plain, or JSON `{config, fileName}`. */
function configFromBody(req: ApiRequest, query: URLSearchParams): { text: string; fileName: string } {
  let body = req.body;
  const size = req.rawBody?.length ?? (Buffer.isBuffer(body) || typeof body === 'string' ? Buffer.byteLength(body) : 0);
  if (size > MAX_BODY_BYTES) throw new ApiError(413, tooLarge(size).message);
  if (Buffer.isBuffer(body)) body = body.toString('utf8');
  const contentType = (headerValue(req, 'content-type') ?? '').toLowerCase();
  // functions-framework parses JSON itself; an in-process caller (or a proxy) may hand us the text instead.
  if (typeof body === 'string' && contentType.startsWith('application/json')) {
    try {
      body = JSON.parse(body) as unknown;
    } catch (err) {
      throw new ApiError(400, `request body is not valid JSON: ${(err as Error).message}`);
    }
  }
  const fileNameQuery = query.get('fileName') ?? undefined;
  if (typeof body === 'string') {
    if (body.trim() === '') throw new ApiError(400, emptyBodyMessage);
    return { text: body, fileName: fileNameQuery ?? DEFAULT_FILE_NAME };
  }
  if (isObject(body)) {
    if (Object.keys(body).length === 0) throw new ApiError(400, emptyBodyMessage);
    if (typeof body.config !== 'string' || body.config.trim() === '')
      throw new ApiError(400, 'JSON body needs "config": the config file text as a string');
    if (body.fileName !== undefined && typeof body.fileName !== 'string')
      throw new ApiError(400, 'JSON body "fileName" must be a string');
    return { text: body.config, fileName: (body.fileName as string | undefined) ?? fileNameQuery ?? DEFAULT_FILE_NAME };
  }
  if (body === undefined || body === null) throw new ApiError(400, emptyBodyMessage);
  throw new ApiError(400, 'request body must be the config file text or a JSON object {"config", "fileName"}');
}

const emptyBodyMessage =
  'request body is empty: send the config file text (Content-Type: text/plain) or JSON {"config": "...", "fileName": "x.conf"}';

function parseOrReject(text: string, fileName: string): { specs: ConnectorSpec[]; warnings: IssueBody[] } {
  const { specs, issues } = parseConnectorConfig(text, { fileName });
  if (hasErrors(issues)) {
    const errors = issues.filter((i) => i.severity === 'error');
    throw new ApiError(
      400,
      `${fileName} has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was created`,
      issues.map(issueBody),
    );
  }
  if (specs.length === 0) throw new ApiError(400, `${fileName} defines no connector: add a [section] with name=...`);
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new ApiError(400, `${fileName} defines connector ${s.name} twice`);
    seen.add(s.name);
  }
  return { specs, warnings: issues.filter((i) => i.severity === 'warning').map(issueBody) };
}

/** A stored (sealed) spec as shown: redacted, and no vault reference left under a key redactSpec does not know. */
function showSpec(spec: ConnectorSpec): ConnectorSpec {
  const shown = redactSpec(spec);
  const settings = Object.fromEntries(
    Object.entries(shown.settings).map(([k, v]) => [k, isSecretReference(v) ? REDACTED : v]),
  );
  return { ...shown, settings };
}

const summary = (s: ConnectorSpec): ConnectorSummary => ({
  name: s.name,
  kind: s.kind,
  tasksMax: s.tasksMax,
  ...(s.kind === 'file' ? { topic: s.topic } : { topics: s.topics }),
});

type Route = (req: ApiRequest, query: URLSearchParams) => Promise<{ status: number; body?: unknown; html?: string }>;

export function createManagementHandler(deps: ManagementDeps): ManagementHandler {
  const { store, dispatcher, vault, auth, log } = deps;

  const mustGet = async (name: string): Promise<ConnectorRecord> => {
    const record = await store.getConnector(name);
    if (!record) throw new ApiError(404, `connector ${name} not found`);
    return record;
  };

  const stateOf = async (record: ConnectorRecord) => connectorState(record, await store.listTasks(record.name));

  const create: Route = async (req, query) => {
    const { text, fileName } = configFromBody(req, query);
    const { specs, warnings } = parseOrReject(text, fileName);
    // Refuse before sealing: sealing writes secrets under the connector's name, which must not touch an existing one.
    const existing = (await Promise.all(specs.map((s) => store.getConnector(s.name)))).filter((r) => r !== undefined);
    if (existing.length > 0) throw conflict(existing.map((r) => r.name));
    const now = new Date().toISOString();
    const records: ConnectorRecord[] = [];
    for (const spec of specs) {
      const stored = vault ? await sealSpec(spec, vault) : spec;
      records.push({
        name: spec.name,
        kind: spec.kind,
        spec: stored,
        desired: 'RUNNING',
        epoch: 1,
        createdAt: now,
        updatedAt: now,
      });
    }
    try {
      await store.createConnectors(records);
    } catch (err) {
      if (err instanceof StoreConflictError) throw conflict(err.names);
      throw err;
    }
    log.info('connectors created', { connectors: specs.map((s) => s.name), fileName });
    // Mirror connectors need no plan message: the mirror worker picks up RUNNING mirror connectors from the store.
    await dispatchPlans(
      records.filter((r) => r.kind === 'file'),
      'created',
    );
    return {
      status: 201,
      body: {
        created: specs.map((s) => s.name),
        connectors: specs.map((s) => ({ ...summary(s), config: redactSpec(s) })),
        warnings,
      },
    };
  };

  const dispatchPlans = async (records: ConnectorRecord[], what: string) => {
    const failed: string[] = [];
    let reason = '';
    for (const r of records) {
      try {
        await dispatcher.plan({ connector: r.name, epoch: r.epoch });
      } catch (err) {
        failed.push(r.name);
        reason = err instanceof Error ? err.message : String(err);
        log.error('plan dispatch failed', { connector: r.name, epoch: r.epoch, error: reason });
      }
    }
    if (failed.length === 0) return;
    const many = failed.length > 1;
    throw new ApiError(
      503,
      `connector${many ? 's' : ''} ${failed.join(', ')} ${many ? 'were' : 'was'} ${what}, but ${many ? 'their plans' : 'its plan'} ` +
        `could not be dispatched (${reason}); pause and resume ${many ? 'them' : 'it'} to retry`,
    );
  };

  const conflict = (names: string[]) =>
    new ApiError(
      409,
      names.length === 1
        ? `connector ${names[0]} already exists; nothing was created`
        : `connectors ${names.join(', ')} already exist; nothing was created`,
    );

  const validate: Route = async (req, query) => {
    const { text, fileName } = configFromBody(req, query);
    const { specs, warnings } = parseOrReject(text, fileName);
    return { status: 200, body: { valid: true, connectors: specs.map(summary), warnings } };
  };

  const list: Route = async () => {
    const records = await store.listConnectors();
    const rows = await Promise.all(records.map(async (r) => buildListRow(r, await store.listTasks(r.name))));
    return { status: 200, body: rows.sort((a, b) => a.name.localeCompare(b.name)) };
  };

  const config = async (name: string) => {
    const r = await mustGet(name);
    return {
      status: 200,
      body: {
        name: r.name,
        kind: r.kind,
        desired: r.desired,
        epoch: r.epoch,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        config: showSpec(r.spec),
      },
    };
  };

  const scanOf = (r: ConnectorRecord) => (r.kind === 'file' ? readScanStatus(store, r.name) : undefined);

  const status = async (name: string) => {
    const r = await mustGet(name);
    return { status: 200, body: buildStatus(r, await store.listTasks(name), await scanOf(r)) };
  };

  const statusAll: Route = async () => {
    const records = await store.listConnectors();
    const rows = await Promise.all(
      records.map(async (r) => buildStatus(r, await store.listTasks(r.name), await scanOf(r))),
    );
    return { status: 200, body: rows.sort((a, b) => a.name.localeCompare(b.name)) };
  };

  const change = async (
    name: string,
    decide: (r: ConnectorRecord, s: Awaited<ReturnType<typeof stateOf>>) => Transition,
  ) => {
    const r = await mustGet(name);
    const t = decide(r, await stateOf(r));
    if (!t.ok) throw new ApiError(t.status, t.message);
    const updated = await store.updateConnector(name, t.patch);
    if (!updated) throw new ApiError(404, `connector ${name} not found`);
    return updated;
  };

  const pause = async (name: string) => {
    const r = await change(name, pauseTransition);
    log.info('connector paused', { connector: name, epoch: r.epoch });
    return { status: 202, body: { name, desired: r.desired, epoch: r.epoch } };
  };

  const resume = async (name: string) => {
    const r = await change(name, resumeTransition);
    log.info('connector resumed', { connector: name, epoch: r.epoch });
    if (r.kind === 'file') await dispatchPlans([r], 'resumed');
    return { status: 202, body: { name, desired: r.desired, epoch: r.epoch } };
  };

  const restart = async (name: string, query: URLSearchParams) => {
    const r = await mustGet(name);
    const tasks = await store.listTasks(name);
    const d = restartTransition(r, connectorState(r, tasks), tasks, query.get('onlyFailed') === 'true');
    if (!d.ok) throw new ApiError(d.status, d.message);
    const updated = d.patch ? await store.updateConnector(name, d.patch) : r;
    if (!updated) throw new ApiError(404, `connector ${name} not found`);
    log.info('connector restarted', { connector: name, epoch: updated.epoch, scope: d.scope, tasks: d.tasks });
    if (d.patch && r.kind === 'file')
      await dispatcher.plan({ connector: name, epoch: updated.epoch, restart: d.scope }).catch((err: unknown) => {
        throw new ApiError(
          503,
          `connector ${name} was restarted, but its plan could not be dispatched (${err instanceof Error ? err.message : String(err)})`,
        );
      });
    const body: RestartBody = { name, desired: updated.desired, epoch: updated.epoch, restarted: d.tasks };
    return { status: 202, body };
  };

  const remove = async (name: string) => {
    const record = await store.getConnector(name);
    if (!record || !(await store.deleteConnector(name))) throw new ApiError(404, `connector ${name} not found`);
    // After the store: its tasks see the connector gone within a second and stop. An offset one of them commits
    // after the tombstones is ignored by a re-created connector (offsets carry the connector's creation time).
    await deps.offsets?.deleteOffsets(record);
    await vault?.deleteConnector(name);
    log.info('connector deleted', { connector: name });
    return { status: 204 };
  };

  /** Picks the route for a method and path, or says why none applies (404 unknown path, 405 wrong method). */
  const route = (method: string, segments: string[]): Route => {
    const pick = (routes: Record<string, Route>): Route => {
      const r = routes[method];
      if (r) return r;
      const allow = Object.keys(routes).join(', ');
      throw new ApiError(405, `${method} is not supported on /${segments.join('/')}; use ${allow}`, undefined, {
        Allow: allow,
      });
    };
    const [first, name, action, ...rest] = segments;
    if (segments.length === 1 && first === 'healthz')
      return pick({ GET: async () => ({ status: 200, body: { status: 'ok' } }) });
    if (segments.length === 1 && first === 'status') return pick({ GET: statusAll });
    if (segments.length === 0) return pick({ GET: async () => ({ status: 200, html: STATUS_PAGE_HTML }) });
    if (first === 'connectors' && rest.length === 0) {
      if (name === undefined) return pick({ GET: list, POST: create });
      if (action === undefined) {
        const routes: Record<string, Route> = { GET: () => config(name), DELETE: () => remove(name) };
        // POST /connectors/validate; GET and DELETE still address a connector that happens to be named "validate".
        if (name === 'validate') routes.POST = validate;
        return pick(routes);
      }
      if (action === 'status') return pick({ GET: () => status(name) });
      if (action === 'pause') return pick({ PUT: () => pause(name) });
      if (action === 'resume') return pick({ PUT: () => resume(name) });
      if (action === 'restart') return pick({ POST: (_req, query) => restart(name, query) });
    }
    throw new ApiError(404, `no such route: /${segments.join('/')}`);
  };

  return async (req, res) => {
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    let result: { status: number; body?: unknown; html?: string; headers?: Record<string, string> };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      let segments: string[];
      try {
        segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      } catch {
        throw new ApiError(400, `malformed path ${url.pathname}`);
      }
      const isHealth = segments.length === 1 && segments[0] === 'healthz';
      if (!isHealth) {
        const verdict = auth.check(req.headers);
        if (!verdict.ok) throw new ApiError(401, verdict.message, undefined, { 'WWW-Authenticate': 'Bearer' });
      }
      result = await route(method, segments)(req, url.searchParams);
    } catch (err) {
      if (err instanceof ApiError) {
        const body: ErrorBody = {
          error_code: err.status,
          message: err.message,
          ...(err.issues && { issues: err.issues }),
        };
        result = { status: err.status, body, headers: err.headers };
        if (err.status >= 500) log.error(err.message, { requestId, method, url: req.url });
      } else {
        // Unexpected: the details go to the log under a request id the caller can quote.
        log.error('management request failed', {
          requestId,
          method,
          url: req.url,
          error: err instanceof Error ? err.message : String(err),
          stack: err instanceof Error ? err.stack : undefined,
        });
        result = {
          status: 500,
          body: { error_code: 500, message: `internal error (request ${requestId}); see the manage function's logs` },
        };
      }
    }
    res.statusCode = result.status;
    for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
    if (result.html !== undefined) {
      for (const [k, v] of Object.entries(STATUS_PAGE_HEADERS)) res.setHeader(k, v);
      res.end(result.html);
      return;
    }
    if (result.body === undefined) {
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(result.body));
  };
}
