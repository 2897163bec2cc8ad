// The one way the CLI talks to the management API. Two implementations: HTTP against a deployed `manage` function
// (http-transport.ts) and the same handler called in-process on the local state (in-process-transport.ts), so both
// paths exercise the same API code.
export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with an optional query, e.g. `/connectors/a%20b/status`. */
  path: string;
  body?: string;
  contentType?: string;
}

export interface ApiReply {
  status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
}

export interface ApiTransport {
  /** For messages: `https://…` or `local state in <dir>`. */
  readonly target: string;
  send(call: ApiCall): Promise<ApiReply>;
  close(): Promise<void>;
}

/** The API could not be reached at all (network, DNS, TLS, a non-JSON reply from something else). */
export class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransportError';
  }
}
