// The lifecycle HTTP API (in the style of the Kafka Connect REST API), as one (req, res) handler: functions-framework
// serves it as the `manage` function, and the CLI calls the same handler in-process for the embedded mode.
// This layer only routes, authenticates, reads bodies and maps errors; the lifecycle itself is connector-service.ts.
// Every failure leaves as `{error_code, message}`; stack traces go to the log, never into a response.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../runtime/log.js';
import type { ApiRequest, ErrorBody, IssueBody, ManagementHandler } from './api-types.js';
import type { AuthPolicy } from './auth.js';
import {
  ConnectorError,
  ConnectorService,
  type ConnectorErrorKind,
  type ConnectorServiceDeps,
} from './connector-service.js';
import { MAX_BODY_BYTES, tooLarge } from './http-limits.js';
import { STATUS_PAGE_HEADERS, STATUS_PAGE_HTML } from './status-page.js';

export interface ManagementDeps extends ConnectorServiceDeps {
  auth: AuthPolicy;
}

const DEFAULT_FILE_NAME = 'connector.conf';

/** A failure of the HTTP layer itself (body, path, method, auth), turned into an ErrorBody at the edge. */
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

const STATUS_OF: Record<ConnectorErrorKind, number> = { invalid: 400, not_found: 404, conflict: 409, unavailable: 503 };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const headerValue = (req: ApiRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const emptyBodyMessage =
  'request body is empty: send the config file text (Content-Type: text/plain) or JSON {"config": "...", "fileName": "x.conf"}';

/** The request body as text or a JSON value, once the size limit is checked. */
function bodyOf(req: ApiRequest): unknown {
  const body = req.body;
  const size = req.rawBody?.length ?? (Buffer.isBuffer(body) || typeof body === 'string' ? Buffer.byteLength(body) : 0);
  if (size > MAX_BODY_BYTES) throw new ApiError(413, tooLarge(size).message);
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  const contentType = (headerValue(req, 'content-type') ?? '').toLowerCase();
  // functions-framework parses JSON itself; an in-process caller (or a proxy) may hand us the text instead.
  if (typeof text !== 'string' || !contentType.startsWith('application/json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The config file text and its name from either body form: text/plain, or JSON `{config, fileName}`. */
function configFromBody(req: ApiRequest, query: URLSearchParams): { text: string; fileName: string } {
  const body = bodyOf(req);
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

type Result = { status: number; body?: unknown; html?: string; headers?: Record<string, string> };
type Route = (req: ApiRequest, query: URLSearchParams) => Promise<Result>;

const ok = (status: number) => (body: unknown) => ({ status, body });

/** The route for a method and path, or why none applies (404 unknown path, 405 wrong method). */
function route(service: ConnectorService, method: string, segments: string[]): Route {
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
  if (segments.length === 1 && first === 'status') return pick({ GET: () => service.statusAll().then(ok(200)) });
  if (segments.length === 0) return pick({ GET: async () => ({ status: 200, html: STATUS_PAGE_HTML }) });
  if (first === 'connectors' && rest.length === 0) {
    const withConfig = (f: (text: string, fileName: string) => unknown, status: number): Route => {
      return async (req, query) => {
        const { text, fileName } = configFromBody(req, query);
        return { status, body: await f(text, fileName) };
      };
    };
    if (name === undefined)
      return pick({ GET: () => service.list().then(ok(200)), POST: withConfig((t, f) => service.create(t, f), 201) });
    if (action === undefined) {
      const routes: Record<string, Route> = {
        GET: () => service.config(name).then(ok(200)),
        DELETE: async () => (await service.delete(name), { status: 204 }),
      };
      // POST /connectors/validate; GET and DELETE still address a connector that happens to be named "validate".
      if (name === 'validate') routes.POST = withConfig((t, f) => service.validate(t, f), 200);
      return pick(routes);
    }
    if (action === 'status') return pick({ GET: () => service.status(name).then(ok(200)) });
    if (action === 'pause') return pick({ PUT: () => service.pause(name).then(ok(202)) });
    if (action === 'resume') return pick({ PUT: () => service.resume(name).then(ok(202)) });
    if (action === 'restart')
      return pick({ POST: (_req, q) => service.restart(name, q.get('onlyFailed') === 'true').then(ok(202)) });
  }
  throw new ApiError(404, `no such route: /${segments.join('/')}`);
}

/** Any failure as the answer the caller sees; an unexpected one is logged under a request id the caller can quote. */
function failure(err: unknown, req: ApiRequest, method: string, log: Logger): Result {
  const requestId = randomUUID();
  const known = err instanceof ConnectorError ? new ApiError(STATUS_OF[err.kind], err.message, err.issues) : err;
  if (known instanceof ApiError) {
    const body: ErrorBody = {
      error_code: known.status,
      message: known.message,
      ...(known.issues && { issues: known.issues }),
    };
    if (known.status >= 500) log.error(known.message, { requestId, method, url: req.url });
    return { status: known.status, body, headers: known.headers };
  }
  log.error('management request failed', {
    requestId,
    method,
    url: req.url,
    error: err instanceof Error ? err.message : String(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
  return {
    status: 500,
    body: { error_code: 500, message: `internal error (request ${requestId}); see the manage function's logs` },
  };
}

export function createManagementHandler(deps: ManagementDeps): ManagementHandler {
  return managementHandler(new ConnectorService(deps), deps.auth, deps.log);
}

/** The HTTP API over a connector service: routing, auth and error mapping. */
export function managementHandler(service: ConnectorService, auth: AuthPolicy, log: Logger): ManagementHandler {
  return async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    let result: Result;
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
      result = await route(service, method, segments)(req, url.searchParams);
    } catch (err) {
      result = failure(err, req, method, log);
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
