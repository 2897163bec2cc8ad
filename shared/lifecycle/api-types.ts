// The management API's request and response shapes, shared by the server (management-api.ts, connector-service.ts)
// and its clients (cli/management-client.ts, the CLI's output): one declaration, so both sides cannot drift.
import type { ConfigIssue, ConnectorSpec } from '../config/spec.js';
import type { ConnectorListRow, ConnectorStatus } from './status.js';
import type { ConnectorRecord } from './store.js';

export type { ConnectorListRow, ConnectorStatus };

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

/** What a connector's summary looks like in create/validate answers (and `dsc validate`). */
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

export const connectorSummary = (s: ConnectorSpec): ConnectorSummary => ({
  name: s.name,
  kind: s.kind,
  tasksMax: s.tasksMax,
  ...(s.kind === 'file' ? { topic: s.topic } : { topics: s.topics }),
});

export const issueBody = (i: ConfigIssue): IssueBody => ({
  severity: i.severity,
  key: i.key ?? null,
  section: i.section,
  line: i.line,
  message: i.message,
});

/** The inverse of issueBody: an API issue as the config parser reports it, for formatIssue. */
export const issueOfBody = (i: IssueBody): ConfigIssue => ({
  severity: i.severity,
  ...(i.key !== null && { key: i.key }),
  section: i.section,
  line: i.line,
  message: i.message,
});
