// Avro binary → JSON text for TigerGraph's JSON loader, straight from the bytes (no intermediate objects), so that:
// - `long` values print as exact integer digits (BigInt beyond 2^49, never a rounded double);
// - unions unwrap to the plain value; bytes/fixed → base64 strings; enums → their symbol;
// - decimal → an exact decimal string ("12.34"); timestamp-millis/micros/nanos → ISO-8601 UTC strings
//   ("2024-01-02T03:04:05.123456Z"; local-timestamp-* without the Z); date → "YYYY-MM-DD"; time-* → "HH:MM:SS.fff";
// - nulls: a record field or map entry whose value is null is OMITTED (the loader takes no NULL values, and an absent
//   `$"field"` is what it treats as missing); inside an array a null stays `null` (positions matter); a null root → `null`.
// - NaN/Infinity (not JSON) become the strings "NaN", "Infinity", "-Infinity".
// The schema is validated by avsc (the well-kept Avro library) before it is compiled here.
import avro from 'avsc';

type Schema = string | Schema[] | { [key: string]: any };
/** Reads one value at `tap.pos`; returns its JSON text, or undefined for null. */
type Reader = (tap: Tap) => string | undefined;

export interface Tap {
  buf: Buffer;
  pos: number;
}

export class AvroDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AvroDecodeError';
  }
}

export const truncated = () => new AvroDecodeError('truncated Avro data');

/** Zigzag varint; a JS number while exact (≤ 7 bytes, 49 bits), a BigInt beyond. */
export function readLong(t: Tap): number | bigint {
  const buf = t.buf;
  let n = 0;
  let shift = 0;
  let b: number;
  do {
    if (t.pos >= buf.length) throw truncated();
    b = buf[t.pos++];
    if (shift === 49) return readLongBig(t, BigInt(n) + (BigInt(b & 0x7f) << 49n), b);
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

function readLongBig(t: Tap, acc: bigint, last: number): bigint {
  let shift = 56n;
  let b = last;
  while (b & 0x80) {
    if (t.pos >= t.buf.length) throw truncated();
    if (shift > 63n) throw new AvroDecodeError('Avro long longer than 10 bytes');
    b = t.buf[t.pos++];
    acc += BigInt(b & 0x7f) << shift;
    shift += 7n;
  }
  acc = BigInt.asUintN(64, acc);
  return (acc >> 1n) ^ -(acc & 1n);
}

export function readCount(t: Tap): number {
  const n = readLong(t);
  if (typeof n !== 'number') throw new AvroDecodeError('Avro length out of range');
  return n;
}

export function readBytes(t: Tap): Buffer {
  const len = readCount(t);
  if (len < 0 || t.pos + len > t.buf.length) throw truncated();
  const out = t.buf.subarray(t.pos, t.pos + len);
  t.pos += len;
  return out;
}

export function readFixedBytes(t: Tap, size: number): Buffer {
  if (t.pos + size > t.buf.length) throw truncated();
  const out = t.buf.subarray(t.pos, t.pos + size);
  t.pos += size;
  return out;
}

export const num = (x: number): string => (Number.isFinite(x) ? String(x) : JSON.stringify(String(x)));

/** The shortest decimal text that reads back as the same 32-bit float (0.1f prints 0.1, not 0.10000000149…). */
export function floatText(x: number): string {
  if (!Number.isFinite(x)) return num(x);
  for (let p = 1; p < 10; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

export function decimalText(bytes: Buffer, scale: number): string {
  if (bytes.length === 0) return '"0"';
  let v = BigInt('0x' + bytes.toString('hex'));
  if (bytes[0] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return `"${neg ? '-' : ''}${digits}"`;
}

export const MS_PER_DAY = 86_400_000;

/** ISO text of `units` since the epoch, `perMs` units per millisecond, `fraction` digits after the second. */
export function isoText(units: number | bigint, perMs: bigint, fraction: number, zone: boolean): string {
  const u = BigInt(units);
  let ms = u / perMs;
  let rest = u % perMs;
  if (rest < 0n) {
    rest += perMs;
    ms -= 1n;
  }
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return `"${u}"`;
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const sub = perMs > 1n ? rest.toString().padStart(fraction - 3, '0') : '';
  return `"${iso.slice(0, -1)}${sub}${zone ? 'Z' : ''}"`;
}

export function timeText(units: number | bigint, perSecond: number, fraction: number): string {
  const u = Number(units);
  const seconds = Math.floor(u / perSecond);
  const frac = u - seconds * perSecond;
  const hh = String(Math.floor(seconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor(seconds / 60) % 60).padStart(2, '0');
  const ss = String(seconds % 60).padStart(2, '0');
  return `"${hh}:${mm}:${ss}.${String(frac).padStart(fraction, '0')}"`;
}

interface Named {
  reader?: Reader;
}

/** Compiles an Avro schema into a reader of JSON text. */
export class AvroJsonReader {
  private readonly named = new Map<string, Named>();
  private readonly root: Reader;
  /** avsc's view of the same schema (canonical form, fingerprint). */
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

  /** Reads one datum starting at `tap.pos` and returns its JSON text. */
  read(tap: Tap): string {
    return this.root(tap) ?? 'null';
  }

  /** A whole buffer holding exactly one datum (trailing bytes are an error: the schema does not match). */
  readAll(buf: Buffer, offset = 0): string {
    const tap = { buf, pos: offset };
    const text = this.read(tap);
    if (tap.pos !== buf.length) throw new AvroDecodeError(`${buf.length - tap.pos} bytes left after the Avro datum`);
    return text;
  }

  private fullName(name: string, namespace: string): string {
    return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
  }

  private compile(schema: Schema, namespace: string): Reader {
    if (typeof schema === 'string') return this.primitiveOrRef(schema, namespace);
    if (Array.isArray(schema)) {
      const branches = schema.map((s) => this.compile(s, namespace));
      return (t) => {
        const i = readCount(t);
        const branch = branches[i];
        if (!branch) throw new AvroDecodeError(`union branch ${i} out of range`);
        return branch(t);
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
        const symbols = (schema.symbols as string[]).map((s) => JSON.stringify(s));
        const reader: Reader = (t) => {
          const i = readCount(t);
          if (symbols[i] === undefined) throw new AvroDecodeError(`enum index ${i} out of range`);
          return symbols[i];
        };
        this.named.set(this.fullName(schema.name, schema.namespace ?? namespace), { reader });
        return reader;
      }
      case 'fixed': {
        const size = schema.size as number;
        const reader: Reader = (t) => `"${readFixedBytes(t, size).toString('base64')}"`;
        this.named.set(this.fullName(schema.name, schema.namespace ?? namespace), { reader });
        return reader;
      }
      case 'array':
        return arrayReader(this.compile(schema.items, namespace));
      case 'map':
        return mapReader(this.compile(schema.values, namespace));
      default:
        return this.compile(type, namespace);
    }
  }

  /** A record's reader: its fields' readers in order, registered under its full name first (it may refer to itself). */
  private compileRecord(schema: { [key: string]: any }, namespace: string): Reader {
    const full = this.fullName(schema.name, schema.namespace ?? namespace);
    const ns = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
    const slot: Named = {};
    this.named.set(full, slot);
    const fields = (schema.fields as { name: string; type: Schema }[]).map((f) => ({
      key: JSON.stringify(f.name) + ':',
      read: this.compile(f.type, ns),
    }));
    const reader: Reader = (t) => {
      let out = '';
      for (const f of fields) {
        const v = f.read(t);
        if (v === undefined) continue;
        out += (out ? ',' : '') + f.key + v;
      }
      return `{${out}}`;
    };
    slot.reader = reader;
    return reader;
  }

  private primitiveOrRef(name: string, namespace: string): Reader {
    switch (name) {
      case 'null':
        return () => undefined;
      case 'boolean':
        return (t) => {
          if (t.pos >= t.buf.length) throw truncated();
          return t.buf[t.pos++] ? 'true' : 'false';
        };
      case 'int':
      case 'long':
        return (t) => String(readLong(t));
      case 'float':
        return (t) => {
          if (t.pos + 4 > t.buf.length) throw truncated();
          const x = t.buf.readFloatLE(t.pos);
          t.pos += 4;
          return floatText(x);
        };
      case 'double':
        return (t) => {
          if (t.pos + 8 > t.buf.length) throw truncated();
          const x = t.buf.readDoubleLE(t.pos);
          t.pos += 8;
          return num(x);
        };
      case 'bytes':
        return (t) => `"${readBytes(t).toString('base64')}"`;
      case 'string':
        return (t) => JSON.stringify(readBytes(t).toString('utf8'));
    }
    const slot = this.named.get(this.fullName(name, namespace)) ?? this.named.get(name);
    if (!slot) throw new AvroDecodeError(`unknown Avro type ${name}`);
    // Late-bound: a record may refer to itself before its reader exists.
    return (t) => slot.reader!(t);
  }

  /** Readers for logical types; undefined when there is none (or it does not apply, as the Avro spec says: ignore it). */
  private logical(schema: { [key: string]: any }, type: unknown): Reader | undefined {
    const lt = schema.logicalType;
    if (typeof lt !== 'string' || typeof type !== 'string') return undefined;
    if (lt === 'decimal' && (type === 'bytes' || type === 'fixed')) {
      const scale = Number(schema.scale ?? 0);
      if (type === 'bytes') return (t) => decimalText(readBytes(t), scale);
      const size = schema.size as number;
      const reader: Reader = (t) => decimalText(readFixedBytes(t, size), scale);
      if (schema.name) this.named.set(this.fullName(schema.name, schema.namespace ?? ''), { reader });
      return reader;
    }
    if (type === 'long') {
      const zone = !lt.startsWith('local-');
      switch (lt) {
        case 'timestamp-millis':
        case 'local-timestamp-millis':
          return (t) => isoText(readLong(t), 1n, 3, zone);
        case 'timestamp-micros':
        case 'local-timestamp-micros':
          return (t) => isoText(readLong(t), 1000n, 6, zone);
        case 'timestamp-nanos':
        case 'local-timestamp-nanos':
          return (t) => isoText(readLong(t), 1_000_000n, 9, zone);
        case 'time-micros':
          return (t) => timeText(readLong(t), 1_000_000, 6);
      }
    }
    if (type === 'int') {
      if (lt === 'date') {
        return (t) => `"${new Date(Number(readLong(t)) * MS_PER_DAY).toISOString().slice(0, 10)}"`;
      }
      if (lt === 'time-millis') return (t) => timeText(readLong(t), 1000, 3);
    }
    return undefined;
  }
}

/** An array's reader: blocks of items until a zero count (a negative count comes with the block's byte size). */
function arrayReader(items: Reader): Reader {
  return (t) => {
    let out = '';
    let first = true;
    for (let n = readCount(t); n !== 0; n = readCount(t)) {
      if (n < 0) {
        n = -n;
        readCount(t); // block size in bytes, only useful to skip
      }
      for (let i = 0; i < n; i++) {
        out += (first ? '' : ',') + (items(t) ?? 'null');
        first = false;
      }
    }
    return `[${out}]`;
  };
}

/** A map's reader: blocks of string keys and values, as for arrays. */
function mapReader(values: Reader): Reader {
  return (t) => {
    let out = '';
    for (let n = readCount(t); n !== 0; n = readCount(t)) {
      if (n < 0) {
        n = -n;
        readCount(t);
      }
      for (let i = 0; i < n; i++) {
        const key = JSON.stringify(readBytes(t).toString('utf8'));
        const v = values(t);
        if (v !== undefined) out += (out ? ',' : '') + key + ':' + v;
      }
    }
    return `{${out}}`;
  };
}
