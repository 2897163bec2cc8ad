// Avro binary → JSON text bytes, compiled once per writer schema: each schema node becomes a function that reads its
// value at `tap.pos` and writes its JSON straight into a byte sink (no JS object, no JS string for the usual types,
// no JSON.stringify). The JSON form is avro-json.ts's, byte for byte (test/unit/mirror/avro-json-writer.test.ts
// checks it on random schemas and values): unions unwrapped, null record fields and map entries omitted, longs exact,
// bytes/fixed base64, decimals exact strings, timestamps/dates/times ISO text, NaN/Infinity as strings.
//
// Strings are copied as UTF-8 bytes, escaping `"`, `\` and control characters as JSON.stringify does; a string that
// is not valid UTF-8 goes through Buffer.toString (U+FFFD replacement) and JSON.stringify, as before.
import avro from 'avsc';
import { AvroDecodeError, floatText, timeText, truncated } from './avro-json.js';
import {
  ascii,
  bytesSpan,
  type BoundedTap,
  FALSE_TEXT,
  JsonSink,
  NULL_TEXT,
  putByte,
  putBytes,
  readCountN,
  readLongN,
  TRUE_TEXT,
  writeBase64,
  writeDate,
  writeDecimal,
  writeIso,
  writeJsonString,
} from './json-bytes.js';
import { writeDouble, writeLong } from './json-numbers.js';

export { JsonSink, writeJsonString } from './json-bytes.js';

type Schema = string | Schema[] | { [key: string]: any };

/** Reads one value and writes its JSON; false (and nothing written) for null. */
type Writer = (t: BoundedTap, o: JsonSink) => boolean;

interface Named {
  write?: Writer;
}

/** An Avro writer schema compiled into a writer of JSON bytes. */
export class AvroJsonWriter {
  private readonly named = new Map<string, Named>();
  /** Reused by writeAll (synchronous, not re-entered): no object per datum. */
  private readonly tap: BoundedTap = { buf: Buffer.alloc(0), pos: 0, end: 0 };
  private readonly root: Writer;
  /** avsc's view of the same schema (validation, canonical form, fingerprint). */
  readonly type: avro.Type;

  constructor(schema: Schema) {
    const parsed = typeof schema === 'string' && schema.trim().startsWith('{') ? JSON.parse(schema) : schema;
    try {
      this.type = avro.Type.forSchema(parsed as any, { wrapUnions: true });
    } catch (err) {
      throw new AvroDecodeError(`invalid Avro schema: ${(err as Error).message}`);
    }
    this.root = this.compile(parsed, '');
  }

  /** Reads one datum at `tap.pos` and appends its JSON to `o` (`null` for a null root). */
  write(tap: BoundedTap, o: JsonSink): void {
    if (!this.root(tap, o)) putBytes(o, NULL_TEXT);
  }

  /**
   * Appends the JSON of the one datum in `src[start, end)` (trailing bytes are an error: the schema does not match).
   * On an error the sink may hold part of the datum: the caller resets `o.pos`.
   */
  writeAll(src: Buffer, start: number, end: number, o: JsonSink): void {
    const tap = this.tap;
    tap.buf = src;
    tap.pos = start;
    tap.end = end;
    this.write(tap, o);
    if (tap.pos > end) throw truncated(); // a long's BigInt fallback reads up to the buffer's end
    if (tap.pos !== end) throw new AvroDecodeError(`${end - tap.pos} bytes left after the Avro datum`);
  }

  /** The JSON of one whole datum as a new Buffer (the converters' general path). */
  toBuffer(src: Buffer, start = 0, o = new JsonSink(1024)): Buffer {
    o.pos = 0;
    this.writeAll(src, start, src.length, o);
    return Buffer.from(o.buf.subarray(0, o.pos));
  }

  private fullName(name: string, namespace: string): string {
    return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
  }

  private compile(schema: Schema, namespace: string): Writer {
    if (typeof schema === 'string') return this.primitiveOrRef(schema, namespace);
    if (Array.isArray(schema)) {
      const branches = schema.map((s) => this.compile(s, namespace));
      return (t, o) => {
        const i = readCountN(t);
        const branch = branches[i];
        if (!branch) throw new AvroDecodeError(`union branch ${i} out of range`);
        return branch(t, o);
      };
    }
    const type = schema.type;
    const logical = this.logical(schema, type);
    if (logical) return logical;
    switch (type) {
      case 'record':
      case 'error':
        return this.compileRecord(schema, namespace);
      case 'enum': {
        const symbols = (schema.symbols as string[]).map((s) => Buffer.from(JSON.stringify(s)));
        const write: Writer = (t, o) => {
          const i = readCountN(t);
          const symbol = symbols[i];
          if (symbol === undefined) throw new AvroDecodeError(`enum index ${i} out of range`);
          putBytes(o, symbol);
          return true;
        };
        this.named.set(this.fullName(schema.name, schema.namespace ?? namespace), { write });
        return write;
      }
      case 'fixed': {
        const size = schema.size as number;
        const write: Writer = (t, o) => {
          if (t.pos + size > t.end) throw truncated();
          t.pos += size;
          writeBase64(o, t.buf, t.pos - size, t.pos);
          return true;
        };
        this.named.set(this.fullName(schema.name, schema.namespace ?? namespace), { write });
        return write;
      }
      case 'array':
        return arrayWriter(this.compile(schema.items, namespace));
      case 'map':
        return mapWriter(this.compile(schema.values, namespace));
      default:
        return this.compile(type, namespace);
    }
  }

  /** A record's writer: `{`, each field's `"name":` and value (rolled back when null), `}`. */
  private compileRecord(schema: { [key: string]: any }, namespace: string): Writer {
    const full = this.fullName(schema.name, schema.namespace ?? namespace);
    const ns = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
    const slot: Named = {};
    this.named.set(full, slot);
    const fields = (schema.fields as { name: string; type: Schema }[]).map((f) => ({
      key: Buffer.from(JSON.stringify(f.name) + ':'),
      withComma: Buffer.from(',' + JSON.stringify(f.name) + ':'),
      write: this.compile(f.type, ns),
    }));
    const count = fields.length;
    const write: Writer = (t, o) => {
      putByte(o, 0x7b);
      let first = true;
      for (let i = 0; i < count; i++) {
        const f = fields[i];
        const mark = o.pos;
        putBytes(o, first ? f.key : f.withComma);
        if (f.write(t, o)) first = false;
        else o.pos = mark;
      }
      putByte(o, 0x7d);
      return true;
    };
    slot.write = write;
    return write;
  }

  private primitiveOrRef(name: string, namespace: string): Writer {
    switch (name) {
      case 'null':
        return () => false;
      case 'boolean':
        return (t, o) => {
          if (t.pos >= t.end) throw truncated();
          putBytes(o, t.buf[t.pos++] ? TRUE_TEXT : FALSE_TEXT);
          return true;
        };
      case 'int':
      case 'long':
        return (t, o) => {
          writeLong(o, readLongN(t));
          return true;
        };
      case 'float':
        return (t, o) => {
          if (t.pos + 4 > t.end) throw truncated();
          const x = t.buf.readFloatLE(t.pos);
          t.pos += 4;
          ascii(o, floatText(x));
          return true;
        };
      case 'double':
        return (t, o) => {
          if (t.pos + 8 > t.end) throw truncated();
          const x = t.buf.readDoubleLE(t.pos);
          t.pos += 8;
          writeDouble(o, x);
          return true;
        };
      case 'bytes':
        return (t, o) => {
          const start = bytesSpan(t);
          writeBase64(o, t.buf, start, t.pos);
          return true;
        };
      case 'string':
        return (t, o) => {
          const start = bytesSpan(t);
          writeJsonString(o, t.buf, start, t.pos);
          return true;
        };
    }
    const slot = this.named.get(this.fullName(name, namespace)) ?? this.named.get(name);
    if (!slot) throw new AvroDecodeError(`unknown Avro type ${name}`);
    // Late-bound: a record may refer to itself before its writer exists.
    return (t, o) => slot.write!(t, o);
  }

  /** Writers for logical types; undefined when there is none (or it does not apply: the Avro spec says ignore it). */
  private logical(schema: { [key: string]: any }, type: unknown): Writer | undefined {
    const lt = schema.logicalType;
    if (typeof lt !== 'string' || typeof type !== 'string') return undefined;
    if (lt === 'decimal' && (type === 'bytes' || type === 'fixed')) {
      const scale = Number(schema.scale ?? 0);
      if (type === 'bytes') {
        return (t, o) => {
          const start = bytesSpan(t);
          writeDecimal(o, t.buf, start, t.pos, scale);
          return true;
        };
      }
      const size = schema.size as number;
      const write: Writer = (t, o) => {
        if (t.pos + size > t.end) throw truncated();
        t.pos += size;
        writeDecimal(o, t.buf, t.pos - size, t.pos, scale);
        return true;
      };
      if (schema.name) this.named.set(this.fullName(schema.name, schema.namespace ?? ''), { write });
      return write;
    }
    if (type === 'long') {
      const zone = !lt.startsWith('local-');
      const iso =
        (perMs: number, fraction: number): Writer =>
        (t, o) => {
          writeIso(o, readLongN(t), perMs, fraction, zone);
          return true;
        };
      switch (lt) {
        case 'timestamp-millis':
        case 'local-timestamp-millis':
          return iso(1, 3);
        case 'timestamp-micros':
        case 'local-timestamp-micros':
          return iso(1000, 6);
        case 'timestamp-nanos':
        case 'local-timestamp-nanos':
          return iso(1_000_000, 9);
        case 'time-micros':
          return (t, o) => {
            ascii(o, timeText(readLongN(t), 1_000_000, 6));
            return true;
          };
      }
    }
    if (type === 'int') {
      if (lt === 'date') {
        return (t, o) => {
          writeDate(o, readLongN(t));
          return true;
        };
      }
      if (lt === 'time-millis') {
        return (t, o) => {
          ascii(o, timeText(readLongN(t), 1000, 3));
          return true;
        };
      }
    }
    return undefined;
  }
}

/** Items in blocks until a zero count (a negative count comes with the block's byte size); a null item is `null`. */
function arrayWriter(items: Writer): Writer {
  return (t, o) => {
    putByte(o, 0x5b);
    let first = true;
    for (let n = readCountN(t); n !== 0; n = readCountN(t)) {
      if (n < 0) {
        n = -n;
        readCountN(t); // block size in bytes, only useful to skip
      }
      for (let i = 0; i < n; i++) {
        if (!first) putByte(o, 0x2c);
        first = false;
        if (!items(t, o)) putBytes(o, NULL_TEXT);
      }
    }
    putByte(o, 0x5d);
    return true;
  };
}

/** String keys and values in blocks, as for arrays; an entry whose value is null is left out. */
function mapWriter(values: Writer): Writer {
  return (t, o) => {
    putByte(o, 0x7b);
    let first = true;
    for (let n = readCountN(t); n !== 0; n = readCountN(t)) {
      if (n < 0) {
        n = -n;
        readCountN(t);
      }
      for (let i = 0; i < n; i++) {
        const mark = o.pos;
        if (!first) putByte(o, 0x2c);
        const start = bytesSpan(t);
        writeJsonString(o, t.buf, start, t.pos);
        putByte(o, 0x3a);
        if (values(t, o)) first = false;
        else o.pos = mark;
      }
    }
    putByte(o, 0x7d);
    return true;
  };
}
