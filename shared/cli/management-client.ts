// Typed calls of the management API over any transport. A non-2xx answer becomes ApiCallError carrying the
// API's `{error_code, message, issues}` body, so commands map it to an exit code and print the issues.
import type {
  ConnectorConfigBody,
  ConnectorListRow,
  ConnectorStatus,
  CreatedBody,
  ErrorBody,
  RestartBody,
  TransitionBody,
  ValidatedBody,
} from '../lifecycle/api-types.js';
import type { ApiCall, ApiTransport } from './transport.js';

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiCallError';
  }
}

const connectorPath = (name: string, action?: string) =>
  `/connectors/${encodeURIComponent(name)}${action ? `/${action}` : ''}`;

export class ManagementClient {
  constructor(readonly transport: ApiTransport) {}

  private async call<T>(call: ApiCall): Promise<T> {
    const reply = await this.transport.send(call);
    if (reply.status >= 200 && reply.status < 300) return reply.body as T;
    const body = reply.body as Partial<ErrorBody> | undefined;
    throw new ApiCallError(reply.status, {
      error_code: reply.status,
      message: typeof body?.message === 'string' ? body.message : `HTTP ${reply.status}`,
      ...(Array.isArray(body?.issues) && { issues: body.issues }),
    });
  }

  private configBody = (config: string, fileName: string) => ({
    body: JSON.stringify({ config, fileName }),
    contentType: 'application/json',
  });

  create(config: string, fileName: string): Promise<CreatedBody> {
    return this.call({ method: 'POST', path: '/connectors', ...this.configBody(config, fileName) });
  }

  validate(config: string, fileName: string): Promise<ValidatedBody> {
    return this.call({ method: 'POST', path: '/connectors/validate', ...this.configBody(config, fileName) });
  }

  list(): Promise<ConnectorListRow[]> {
    return this.call({ method: 'GET', path: '/connectors' });
  }

  config(name: string): Promise<ConnectorConfigBody> {
    return this.call({ method: 'GET', path: connectorPath(name) });
  }

  status(name: string): Promise<ConnectorStatus> {
    return this.call({ method: 'GET', path: connectorPath(name, 'status') });
  }

  statusAll(): Promise<ConnectorStatus[]> {
    return this.call({ method: 'GET', path: '/status' });
  }

  pause(name: string): Promise<TransitionBody> {
    return this.call({ method: 'PUT', path: connectorPath(name, 'pause') });
  }

  resume(name: string): Promise<TransitionBody> {
    return this.call({ method: 'PUT', path: connectorPath(name, 'resume') });
  }

  restart(name: string, onlyFailed: boolean): Promise<RestartBody> {
    const query = onlyFailed ? '?onlyFailed=true' : '';
    return this.call({ method: 'POST', path: `${connectorPath(name, 'restart')}${query}` });
  }

  async delete(name: string): Promise<void> {
    await this.call({ method: 'DELETE', path: connectorPath(name) });
  }
}
