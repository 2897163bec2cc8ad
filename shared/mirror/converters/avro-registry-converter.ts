// com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter: Confluent wire format (magic 0, 4-byte big-endian
// schema id, Avro binary) decoded with the writer schema from the registry → one JSON object per record.
import type { ValueConverterSpec } from '../../config/spec.js';
import { AvroJsonWriter, type JsonSink } from './avro-json-writer.js';
import { ConversionError, type Converter, type ConverterState } from './converter.js';
import { SchemaRegistryClient, SchemaRegistryError } from './schema-registry-client.js';

export class AvroRegistryConverter implements Converter {
  private readonly readers = new Map<number, AvroJsonWriter>();
  /** The schemas fetched so far, as text (what a conversion worker compiles its own writers from). */
  private readonly texts = new Map<number, string>();
  private readonly registry: SchemaRegistryClient;

  constructor(spec: ValueConverterSpec, registry?: SchemaRegistryClient) {
    if (!spec.schemaRegistryUrl && !registry) {
      throw new Error('value.converter.schema.registry.url is required for TigerGraphAvroConverter');
    }
    const source = (spec.basicAuthCredentialsSource ?? '').toUpperCase();
    if (source && source !== 'USER_INFO') {
      throw new Error(`value.converter.basic.auth.credentials.source=${source} is not supported; use USER_INFO`);
    }
    this.registry =
      registry ??
      new SchemaRegistryClient({
        url: spec.schemaRegistryUrl!,
        userInfo: source === 'USER_INFO' || (!source && spec.basicAuthUserInfo) ? spec.basicAuthUserInfo : undefined,
      });
  }

  writeInto(value: Buffer, start: number, end: number, sink: JsonSink): boolean {
    if (end - start < 5 || value[start] !== 0) {
      throw new ConversionError('not in the Confluent Avro wire format (magic byte 0 + 4-byte schema id)');
    }
    const id = value.readUInt32BE(start + 1);
    const writer = this.readers.get(id);
    if (!writer) return false; // convert() fetches the schema
    try {
      writer.writeAll(value, start + 5, end, sink);
    } catch (err) {
      throw new ConversionError(`schema id ${id}: ${(err as Error).message}`);
    }
    return true;
  }

  state(): ConverterState {
    return { registrySchemas: [...this.texts] };
  }

  /** Compiles schemas fetched elsewhere (by the task's own converter, for a worker thread's copy). */
  adopt(state: ConverterState): void {
    for (const [id, text] of state.registrySchemas ?? []) {
      if (this.readers.has(id)) continue;
      this.readers.set(id, new AvroJsonWriter(text));
      this.texts.set(id, text);
    }
  }

  async convert(value: Buffer | null): Promise<(Buffer | null)[]> {
    if (value === null) return [null];
    if (value.length < 5 || value[0] !== 0) {
      throw new ConversionError('not in the Confluent Avro wire format (magic byte 0 + 4-byte schema id)');
    }
    const id = value.readUInt32BE(1);
    let reader = this.readers.get(id);
    if (!reader) {
      let schema: string;
      try {
        schema = await this.registry.schemaById(id);
      } catch (err) {
        // A missing id is the record's fault (tolerance applies); an unreachable registry is not: rethrow as is.
        if (err instanceof SchemaRegistryError && /not found|not AVRO/.test(err.message))
          throw new ConversionError(err.message);
        throw err;
      }
      try {
        reader = new AvroJsonWriter(schema);
      } catch (err) {
        throw new ConversionError(`schema id ${id}: ${(err as Error).message}`);
      }
      this.readers.set(id, reader);
      this.texts.set(id, schema);
    }
    try {
      return [reader.toBuffer(value, 5)];
    } catch (err) {
      throw new ConversionError(`schema id ${id}: ${(err as Error).message}`);
    }
  }
}
