// com.tigergraph.kafka.connect.converters.TigerGraphAvroConverterWithoutSchemaRegistry: the schema travels with the
// data or comes from `value.converter.schema`. Accepted message layouts, recognised by their first bytes:
// - an Avro object container file ("Obj\x01"): its own writer schema; every record in it becomes one target record;
// - single-object encoding (C3 01 + 8-byte little-endian CRC-64-AVRO fingerprint): needs `value.converter.schema`,
//   and the fingerprint must match it;
// - anything else: a bare Avro binary datum of `value.converter.schema` (when one is configured).
import type { ValueConverterSpec } from '../../config/spec.js';
import { AvroJsonWriter, JsonSink } from './avro-json-writer.js';
import { CONTAINER_MAGIC, fingerprint64, readContainerFile, SINGLE_OBJECT_MAGIC } from './avro-framing.js';
import { ConversionError, type Converter, type ConverterState } from './converter.js';
import { errorText } from '../../runtime/error-text.js';
import { storageFor } from '../../storage/storage-router.js';

/** `value.converter.schema`: inline JSON, or a file path, file:// or gs:// URI read through the storage port. */
export async function loadSchemaText(ref: string): Promise<string> {
  const text = ref.trim();
  if (text.startsWith('{') || text.startsWith('[') || text.startsWith('"')) return text;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of storageFor().read(text)) chunks.push(chunk as Buffer);
  } catch (err) {
    throw new Error(`value.converter.schema: cannot read ${text}: ${errorText(err)}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class AvroEmbeddedConverter implements Converter {
  private configured?: { reader: AvroJsonWriter; fingerprint: Buffer; text: string };
  /** Container files usually repeat one schema: keep its compiled reader by schema text. */
  private readonly containerReaders = new Map<string, AvroJsonWriter>();

  private constructor() {}

  static async create(spec: ValueConverterSpec): Promise<AvroEmbeddedConverter> {
    const c = new AvroEmbeddedConverter();
    if (spec.schema) {
      const text = await loadSchemaText(spec.schema);
      const reader = new AvroJsonWriter(text);
      const fp = Buffer.alloc(8);
      fp.writeBigUInt64LE(fingerprint64(JSON.stringify(reader.type.schema())));
      c.configured = { reader, fingerprint: fp, text };
    }
    return c;
  }

  writeInto(value: Buffer, start: number, end: number, sink: JsonSink): boolean {
    const configured = this.configured;
    const b0 = value[start];
    // Container files (one value → many records) and anything without a configured schema: convert().
    if (!configured || end - start < 2 || (b0 === 0x4f && value[start + 1] === 0x62)) return false;
    let from = start;
    if (b0 === 0xc3 && value[start + 1] === 0x01 && end - start >= 10) {
      if (value.compare(configured.fingerprint, 0, 8, start + 2, start + 10) !== 0) return false; // convert() says why
      from = start + 10;
    }
    try {
      configured.reader.writeAll(value, from, end, sink);
    } catch (err) {
      throw new ConversionError((err as Error).message);
    }
    return true;
  }

  state(): ConverterState {
    return this.configured ? { schema: this.configured.text } : {};
  }

  async convert(value: Buffer | null): Promise<(Buffer | null)[]> {
    if (value === null) return [null];
    try {
      if (value.subarray(0, 4).equals(CONTAINER_MAGIC)) return this.container(value);
      const configured = this.configured;
      if (value.subarray(0, 2).equals(SINGLE_OBJECT_MAGIC) && value.length >= 10) {
        if (!configured) throw new ConversionError('single-object Avro needs value.converter.schema');
        if (!value.subarray(2, 10).equals(configured.fingerprint)) {
          throw new ConversionError(
            `single-object Avro fingerprint ${value.subarray(2, 10).toString('hex')} does not match value.converter.schema (${configured.fingerprint.toString('hex')})`,
          );
        }
        return [configured.reader.toBuffer(value, 10)];
      }
      if (!configured) {
        throw new ConversionError(
          'neither an Avro container file nor single-object Avro, and no value.converter.schema',
        );
      }
      return [configured.reader.toBuffer(value)];
    } catch (err) {
      if (err instanceof ConversionError) throw err;
      throw new ConversionError((err as Error).message);
    }
  }

  private container(value: Buffer): Buffer[] {
    const file = readContainerFile(value);
    const key = JSON.stringify(file.schema);
    let reader = this.containerReaders.get(key);
    if (!reader) {
      reader = new AvroJsonWriter(file.schema as any);
      if (this.containerReaders.size > 100) this.containerReaders.clear();
      this.containerReaders.set(key, reader);
    }
    const out: Buffer[] = [];
    for (const block of file.blocks) {
      const tap = { buf: block.data, pos: 0, end: block.data.length };
      const sink = new JsonSink(1024);
      for (let i = 0; i < block.count; i++) {
        sink.pos = 0;
        reader.write(tap, sink);
        out.push(Buffer.from(sink.buf.subarray(0, sink.pos)));
      }
    }
    return out;
  }
}
