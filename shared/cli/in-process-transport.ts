// The management handler called in-process: a request object shaped like functions-framework's, and a response
// that collects what the handler writes.
import type { ApiRequest, ApiResponse, ManagementHandler } from '../lifecycle/api-types.js';
import { TransportError, type ApiCall, type ApiReply, type ApiTransport } from './transport.js';

class CollectedResponse implements ApiResponse {
  statusCode = 200;
  readonly headers: Record<string, string> = {};
  text = '';

  setHeader(name: string, value: string | number | readonly string[]) {
    this.headers[name.toLowerCase()] = String(value);
    return this;
  }

  end(body?: string) {
    this.text = body ?? '';
    return this;
  }
}

export class InProcessTransport implements ApiTransport {
  constructor(
    private readonly handler: ManagementHandler,
    readonly target: string,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async send(call: ApiCall): Promise<ApiReply> {
    const req: ApiRequest = {
      method: call.method,
      url: call.path,
      headers: call.contentType ? { 'content-type': call.contentType } : {},
      body: call.body,
    };
    const res = new CollectedResponse();
    await this.handler(req, res);
    if (res.text === '') return { status: res.statusCode, body: undefined };
    try {
      return { status: res.statusCode, body: JSON.parse(res.text) as unknown };
    } catch {
      throw new TransportError(`the management handler answered without JSON (HTTP ${res.statusCode})`);
    }
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
