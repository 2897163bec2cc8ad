// What the HTTP edge refuses before a handler runs, and how: every refusal is the API's JSON error body with one log
// line, never an HTML page or a stack trace. The functions' Express server (functions/http-edge.ts) and the
// management handler both use these rules.

/** The largest request body accepted: a config file is a few kilobytes; 1 MiB leaves room and bounds memory. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface EdgeRefusal {
  status: number;
  message: string;
}

/**
 * Refusal of a request by its Content-Length alone, before its body is read; undefined when it may proceed. A chunked
 * body (no Content-Length; Pub/Sub pushes and HTTP/2 clients may send one) is read, within Cloud Run's 32 MiB request
 * limit, and the management handler refuses it afterwards when it is over MAX_BODY_BYTES.
 */
export function refuseByHeaders(headers: Record<string, string | string[] | undefined>): EdgeRefusal | undefined {
  const length = headers['content-length'];
  if (typeof length === 'string' && Number(length) > MAX_BODY_BYTES) return tooLarge(Number(length));
  return undefined;
}

export function tooLarge(bytes: number): EdgeRefusal {
  return {
    status: 413,
    message: `request body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES} bytes (1 MiB)`,
  };
}

/** An error thrown by the server's body parsers or router, as the answer to give (4xx) or an internal error. */
export function refusalOf(err: unknown): EdgeRefusal {
  const e = (err ?? {}) as { status?: unknown; statusCode?: unknown; type?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.type === 'entity.parse.failed') return { status: 400, message: `request body is not valid JSON: ${message}` };
  if (e.type === 'entity.too.large') return tooLarge(Number((err as { length?: number }).length) || 0);
  if (err instanceof URIError || /decode param|URI malformed/i.test(message))
    return { status: 400, message: 'malformed path: a % must start a valid percent-encoding such as %2F' };
  if (status >= 400 && status < 500) return { status, message };
  return { status: 500, message: 'internal error; see the function logs' };
}
