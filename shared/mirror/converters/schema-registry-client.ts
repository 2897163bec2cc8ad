// The part of the Confluent Schema Registry REST API a reader needs: GET /schemas/ids/{id}, cached by id (an id
// never changes meaning). A tiny fetch client rather than @kafkajs/confluent-schema-registry: that library decodes to
// JS objects (longs as doubles); we need the raw writer schema to write exact JSON ourselves.

export interface SchemaRegistryOptions {
  /** `value.converter.schema.registry.url`; a comma list is tried in order. */
  url: string;
  /** `value.converter.basic.auth.user.info` (`user:password`) when the credentials source is USER_INFO. */
  userInfo?: string;
  timeoutMs?: number;
}

export class SchemaRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaRegistryError';
  }
}

export class SchemaRegistryClient {
  private readonly urls: string[];
  private readonly cache = new Map<number, Promise<string>>();
  private readonly headers: Record<string, string> = {
    accept: 'application/vnd.schemaregistry.v1+json, application/json',
  };

  constructor(private readonly options: SchemaRegistryOptions) {
    this.urls = options.url
      .split(',')
      .map((u) => u.trim().replace(/\/+$/, ''))
      .filter(Boolean);
    if (this.urls.length === 0) throw new SchemaRegistryError('value.converter.schema.registry.url is empty');
    if (options.userInfo) this.headers.authorization = 'Basic ' + Buffer.from(options.userInfo).toString('base64');
  }

  /** The writer schema (JSON text) registered under `id`. Failures are not cached, so a retry can succeed. */
  schemaById(id: number): Promise<string> {
    let hit = this.cache.get(id);
    if (!hit) {
      hit = this.fetchSchema(id);
      this.cache.set(id, hit);
      hit.catch(() => this.cache.delete(id));
    }
    return hit;
  }

  private async fetchSchema(id: number): Promise<string> {
    let last = '';
    for (const base of this.urls) {
      let res: Response;
      try {
        res = await fetch(`${base}/schemas/ids/${id}`, {
          headers: this.headers,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
      } catch (err) {
        last = `${base}: ${(err as Error).message}`;
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
        throw new SchemaRegistryError(`schema id ${id} not found in the schema registry (${base})`);
      if (res.status === 401 || res.status === 403) {
        throw new SchemaRegistryError(
          `schema registry ${base} refused the credentials (HTTP ${res.status}); check value.converter.basic.auth.user.info`,
        );
      }
      last = `${base}: HTTP ${res.status} ${text.slice(0, 200)}`;
    }
    throw new SchemaRegistryError(`schema id ${id}: no schema registry answered (${last})`);
  }
}
