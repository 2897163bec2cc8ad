// The part of the Confluent Schema Registry REST API a reader needs: GET /schemas/ids/{id}, cached by id (an id
// never changes meaning). A tiny fetch client rather than @kafkajs/confluent-schema-registry: that library decodes to
// JS objects (longs as doubles); we need the raw writer schema to write exact JSON ourselves.
//
// Failures are classified for the task: 401/403 is `fatal` (retrying a refused password only stalls the mirror), and
// names the registry URL (credentials redacted) and the key that holds the credentials; a 5xx, a timeout or a refused
// connection is retried here with backoff (each retry reported through onRetry), then thrown as not fatal.
import { redactText } from '../../config/secrets.js';

export interface SchemaRegistryOptions {
  /** `value.converter.schema.registry.url`; a comma list is tried in order. May carry `user:password@`. */
  url: string;
  /** `value.converter.basic.auth.user.info` (`user:password`) when the credentials source is USER_INFO. */
  userInfo?: string;
  timeoutMs?: number;
  /** Attempts over all URLs for transient failures (default 3), with backoff starting at `backoffMs` (500). */
  attempts?: number;
  backoffMs?: number;
  /** Told about each transient failure before the retry (the task shows it in status). */
  onRetry?: (message: string) => void;
}

export class SchemaRegistryError extends Error {
  constructor(
    message: string,
    /** True when retrying cannot help (credentials refused): the task fails with this message. */
    readonly fatal = false,
  ) {
    super(message);
    this.name = 'SchemaRegistryError';
  }
}

const URL_KEY = 'value.converter.schema.registry.url';
const USER_INFO_KEY = 'value.converter.basic.auth.user.info';

interface Registry {
  /** The URL without credentials, for requests. */
  base: string;
  /** The URL as shown: credentials redacted. */
  shown: string;
  authorization?: string;
  /** The key the credentials came from. */
  credentialsKey?: string;
}

/** One registry URL: credentials in it become a Basic header (fetch refuses URLs with credentials). */
function registryOf(url: string, userInfo: string | undefined): Registry {
  const trimmed = url.trim().replace(/\/+$/, '');
  const shown = redactText(trimmed);
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new SchemaRegistryError(`${URL_KEY}: ${JSON.stringify(shown)} is not a URL`, true);
  }
  let authorization: string | undefined;
  let credentialsKey: string | undefined;
  if (userInfo) {
    authorization = 'Basic ' + Buffer.from(userInfo).toString('base64');
    credentialsKey = USER_INFO_KEY;
  } else if (parsed.username || parsed.password) {
    const pair = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    authorization = 'Basic ' + Buffer.from(pair).toString('base64');
    credentialsKey = URL_KEY;
  }
  parsed.username = '';
  parsed.password = '';
  return { base: parsed.toString().replace(/\/+$/, ''), shown, authorization, credentialsKey };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SchemaRegistryClient {
  private readonly registries: Registry[];
  private readonly cache = new Map<number, Promise<string>>();

  constructor(private readonly options: SchemaRegistryOptions) {
    const urls = options.url.split(',').filter((u) => u.trim() !== '');
    if (urls.length === 0) throw new SchemaRegistryError(`${URL_KEY} is empty`, true);
    this.registries = urls.map((u) => registryOf(u, options.userInfo));
  }

  /** The writer schema (JSON text) registered under `id`. Failures are not cached, so a retry can succeed. */
  schemaById(id: number): Promise<string> {
    let hit = this.cache.get(id);
    if (!hit) {
      hit = this.fetchWithRetry(id);
      this.cache.set(id, hit);
      hit.catch(() => this.cache.delete(id));
    }
    return hit;
  }

  private async fetchWithRetry(id: number): Promise<string> {
    const attempts = Math.max(1, this.options.attempts ?? 3);
    let backoff = this.options.backoffMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchSchema(id);
      } catch (err) {
        if (!(err instanceof SchemaRegistryError) || err.fatal || attempt >= attempts || !isTransient(err)) throw err;
        this.options.onRetry?.(`${err.message}; retry ${attempt} of ${attempts - 1} in ${backoff} ms`);
        await sleep(backoff);
        backoff *= 2;
      }
    }
  }

  private async fetchSchema(id: number): Promise<string> {
    const failures: string[] = [];
    for (const r of this.registries) {
      let res: Response;
      try {
        res = await fetch(`${r.base}/schemas/ids/${id}`, {
          headers: {
            accept: 'application/vnd.schemaregistry.v1+json, application/json',
            ...(r.authorization && { authorization: r.authorization }),
          },
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        failures.push(`${r.shown}: ${redactText(String(cause))}`);
        continue;
      }
      if (res.ok) {
        const body = (await res.json()) as { schema?: string; schemaType?: string };
        if (body.schemaType && body.schemaType !== 'AVRO') {
          throw new SchemaRegistryError(`schema id ${id} is ${body.schemaType}, not AVRO`);
        }
        if (typeof body.schema !== 'string') throw new SchemaRegistryError(`schema id ${id}: response has no schema`);
        return body.schema;
      }
      const text = await res.text().catch(() => '');
      if (res.status === 404)
        throw new SchemaRegistryError(`schema id ${id} not found in the schema registry (${r.shown})`);
      if (res.status === 401 || res.status === 403) {
        const check = r.credentialsKey
          ? `check ${r.credentialsKey}`
          : `no credentials were sent: set ${USER_INFO_KEY} (with value.converter.basic.auth.credentials.source=USER_INFO)`;
        throw new SchemaRegistryError(
          `schema registry ${r.shown} refused the credentials (HTTP ${res.status}); ${check}`,
          true,
        );
      }
      failures.push(`${r.shown}: HTTP ${res.status} ${redactText(text.slice(0, 200))}`.trim());
    }
    throw new SchemaRegistryError(`schema id ${id}: no schema registry answered (${failures.join('; ')})`);
  }
}

/** "no schema registry answered" is a network failure or a 5xx (a 4xx other than 401/403/404 will not improve). */
function isTransient(err: SchemaRegistryError): boolean {
  return /no schema registry answered/.test(err.message) && !/HTTP 4\d\d/.test(err.message);
}
