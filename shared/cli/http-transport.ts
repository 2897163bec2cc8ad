// HTTP to a deployed management API. For an IAM-protected deployment the token is an identity token:
// DSC_TOKEN=$(gcloud auth print-identity-token).
import { TransportError, type ApiCall, type ApiReply, type ApiTransport } from './transport.js';

export class HttpTransport implements ApiTransport {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token?: string,
    private readonly timeoutMs = 60_000,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  get target(): string {
    return this.base;
  }

  async send(call: ApiCall): Promise<ApiReply> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (call.contentType) headers['Content-Type'] = call.contentType;
    let response: Response;
    try {
      response = await fetch(this.base + call.path, {
        method: call.method,
        headers,
        body: call.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { message?: string; code?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new TransportError(`cannot reach ${this.base}: ${reason}`);
    }
    const text = await response.text();
    if (text === '') return { status: response.status, body: undefined };
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      // Something other than the API answered (a proxy, a login page, the wrong URL).
      const excerpt = text.replace(/\s+/g, ' ').slice(0, 120);
      if (response.status >= 400)
        return { status: response.status, body: { error_code: response.status, message: excerpt } };
      throw new TransportError(`${this.base} did not answer with JSON (HTTP ${response.status}): ${excerpt}`);
    }
  }

  async close(): Promise<void> {}
}
