// JSON bytes of Parquet values written straight into a growable buffer (parquet-columns.ts): numbers, dates,
// timestamps, decimals and ASCII strings digit by digit and byte by byte, anything else through the exact string
// writers of parquet-json.ts. One encoder per column, fed a page (or dictionary) of hyparquet's raw values at a time.
import type { DecodedArray, SchemaElement } from 'hyparquet';
import { ByteOut } from './byte-out.js';
import { ByteArrays, type PageValues } from './parquet-pages.js';

export { ByteOut };
import { datePart as dayText, isUtf8, leafWriter, unitOf } from './parquet-json.js';

/** Writes value `i` of the current page (or dictionary) values. */
export interface Encoder {
  page(values: PageValues): void;
  write(i: number, out: ByteOut): void;
}

/** Any value through the exact string writers (parquet-json.ts). */
class TextEncoder_ implements Encoder {
  private values: PageValues = [];
  constructor(private readonly w: (v: unknown) => string) {}
  page(values: PageValues): void {
    this.values = values;
  }
  write(i: number, out: ByteOut): void {
    const v = this.values;
    out.text(this.w(v instanceof ByteArrays ? v.at(i) : v[i]));
  }
}

class Int32Encoder implements Encoder {
  private values: DecodedArray = [];
  constructor(private readonly mask: number) {}
  page(values: PageValues): void {
    this.values = values as DecodedArray;
  }
  write(i: number, out: ByteOut): void {
    const v = this.values[i] as number;
    out.int(this.mask === 0 ? v : this.mask === -1 ? v >>> 0 : v & this.mask);
  }
}

/** An INT64 page's words (low, high) when it is a BigInt64Array, to stay in Numbers for |v| < 2^53. */
class Int64Words {
  protected values: DecodedArray = [];
  protected bytes: ByteArrays | undefined;
  protected words: Int32Array | undefined;
  page(values: PageValues): void {
    this.bytes = values instanceof ByteArrays ? values : undefined;
    this.values = values instanceof ByteArrays ? [] : values;
    this.words =
      values instanceof BigInt64Array ? new Int32Array(values.buffer, values.byteOffset, values.length * 2) : undefined;
  }
  /** The value as a Number, or undefined when it is outside ±2^53 (then `values[i]` is read as a bigint). */
  protected number(i: number): number | undefined {
    const w = this.words;
    if (w) {
      const hi = w[2 * i + 1];
      if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + (w[2 * i] >>> 0);
      return undefined;
    }
    const v = this.values[i];
    if (typeof v === 'number') return v;
    const b = v as bigint;
    return b < 9007199254740992n && b > -9007199254740992n ? Number(b) : undefined;
  }
}

class Int64Encoder extends Int64Words implements Encoder {
  write(i: number, out: ByteOut): void {
    const n = this.number(i);
    if (n !== undefined) out.int(n);
    else out.ascii(String(this.values[i]));
  }
}

const PER_SECOND = { MILLIS: 1000, MICROS: 1_000_000, NANOS: 1_000_000_000 } as const;
const DIGITS = { MILLIS: 3, MICROS: 6, NANOS: 9 } as const;

/** `"YYYY-MM-DDTHH:MM:SS.fff…[Z]"` of an INT64 timestamp; outside ±2^53 through the string writer. */
class TimestampEncoder extends Int64Words implements Encoder {
  private readonly perSecond: number;
  private readonly perDay: number;
  private readonly digits: number;
  constructor(
    unit: 'MILLIS' | 'MICROS' | 'NANOS',
    private readonly utc: boolean,
    private readonly slow: (v: unknown) => string,
  ) {
    super();
    this.perSecond = PER_SECOND[unit];
    this.perDay = this.perSecond * 86_400;
    this.digits = DIGITS[unit];
  }
  write(i: number, out: ByteOut): void {
    const n = this.number(i);
    if (n === undefined) {
      out.ascii(this.slow(this.values[i]));
      return;
    }
    const days = Math.floor(n / this.perDay);
    const rest = n - days * this.perDay;
    out.room(40);
    out.buf[out.pos++] = 34;
    out.ascii(dayText(days));
    const seconds = Math.floor(rest / this.perSecond);
    const fraction = rest - seconds * this.perSecond;
    const b = out.buf;
    b[out.pos++] = 84; // T
    out.padded(Math.floor(seconds / 3600), 2);
    b[out.pos++] = 58;
    out.padded(Math.floor(seconds / 60) % 60, 2);
    b[out.pos++] = 58;
    out.padded(seconds % 60, 2);
    b[out.pos++] = 46;
    out.padded(fraction, this.digits);
    if (this.utc) b[out.pos++] = 90;
    b[out.pos++] = 34;
  }
}

class DateEncoder implements Encoder {
  private values: DecodedArray = [];
  page(values: PageValues): void {
    this.values = values as DecodedArray;
  }
  write(i: number, out: ByteOut): void {
    out.room(2);
    out.buf[out.pos++] = 34;
    out.ascii(dayText(this.values[i] as number));
    out.room(1);
    out.buf[out.pos++] = 34;
  }
}

class DoubleEncoder implements Encoder {
  private values: DecodedArray = [];
  constructor(private readonly slow: (v: unknown) => string) {}
  page(values: PageValues): void {
    this.values = values as DecodedArray;
  }
  write(i: number, out: ByteOut): void {
    let v = this.values[i] as number;
    // Integers below 2^53 print as their digits (String(-0) is "0", as out.int(-0) writes).
    if (Number.isSafeInteger(v)) {
      out.int(v === 0 ? 0 : v);
      return;
    }
    // At most 6 decimals and |v| < 1e9 (exactly m / 1e6, m an integer): that decimal is the only one of so few
    // digits that reads back as v, so it is the shortest round trip String(v) would write too.
    const m = Math.round(v * 1e6);
    if (m / 1e6 !== v || !(v < 1e9 && v > -1e9)) {
      out.ascii(this.slow(v));
      return;
    }
    out.room(24);
    let n = m;
    if (n < 0) {
      out.buf[out.pos++] = 45;
      n = -n;
      v = -v;
    }
    const whole = Math.floor(n / 1e6);
    let fraction = n - whole * 1e6;
    out.int(whole);
    let digits = 6;
    while (fraction % 10 === 0) {
      fraction /= 10;
      digits--;
    }
    out.buf[out.pos++] = 46;
    out.padded(fraction, digits);
  }
}

class BooleanEncoder implements Encoder {
  private values: DecodedArray = [];
  page(values: PageValues): void {
    this.values = values as DecodedArray;
  }
  write(i: number, out: ByteOut): void {
    out.ascii(this.values[i] ? 'true' : 'false');
  }
}

const HEX = '0123456789abcdef';

/** A UTF-8 string's bytes as a JSON string: ASCII straight, escapes as JSON.stringify writes them, else the writer. */
class Utf8Encoder implements Encoder {
  private values = new ByteArrays(new Uint8Array(0), new Int32Array(0), new Int32Array(0), 0);
  constructor(private readonly slow: (v: unknown) => string) {}
  page(values: PageValues): void {
    this.values = values as ByteArrays;
  }
  write(i: number, out: ByteOut): void {
    const { bytes: v, starts, lengths } = this.values;
    const from = starts[i];
    const to = from + lengths[i];
    out.room((to - from) * 6 + 2);
    const b = out.buf;
    const start = out.pos;
    let p = start;
    b[p++] = 34;
    for (let k = from; k < to; k++) {
      const c = v[k];
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c < 0x80) b[p++] = c;
      else if (c >= 0x80) {
        // Non-ASCII: decoded and written as JSON.stringify does (invalid UTF-8 becomes U+FFFD there too).
        out.pos = start;
        out.text(this.slow(this.values.at(i)));
        return;
      } else {
        b[p++] = 0x5c;
        if (c === 0x22 || c === 0x5c) b[p++] = c;
        else if (c === 0x0a) b[p++] = 0x6e;
        else if (c === 0x0d) b[p++] = 0x72;
        else if (c === 0x09) b[p++] = 0x74;
        else if (c === 0x08) b[p++] = 0x62;
        else if (c === 0x0c) b[p++] = 0x66;
        else {
          b[p++] = 0x75;
          b[p++] = 48;
          b[p++] = 48;
          b[p++] = HEX.charCodeAt(c >> 4);
          b[p++] = HEX.charCodeAt(c & 15);
        }
      }
    }
    b[p++] = 34;
    out.pos = p;
  }
}

/** DECIMAL: the unscaled value (bytes up to 6 long, INT32, INT64 within 2^53) in Numbers, digits and point placed. */
class DecimalEncoder extends Int64Words implements Encoder {
  constructor(
    private readonly scale: number,
    private readonly slow: (v: unknown) => string,
  ) {
    super();
  }
  write(i: number, out: ByteOut): void {
    const ba = this.bytes;
    let n: number | undefined;
    if (ba) {
      const len = ba.lengths[i];
      const at = ba.starts[i];
      const v = ba.bytes;
      if (len <= 6 && len > 0) {
        n = 0;
        for (let k = at; k < at + len; k++) n = n * 256 + v[k];
        if (v[at] & 0x80) n -= 2 ** (8 * len);
      }
    } else n = this.number(i);
    const scale = this.scale;
    if (n === undefined || scale <= 0 || scale > 15) {
      out.ascii(this.slow(ba ? ba.at(i) : this.values[i]));
      return;
    }
    out.room(40);
    if (n < 0) {
      out.buf[out.pos++] = 45;
      n = -n;
    }
    const unit = 10 ** scale;
    const whole = Math.floor(n / unit);
    out.int(whole);
    out.buf[out.pos++] = 46;
    out.padded(n - whole * unit, scale);
  }
}

/** The encoder of a top-level primitive column's non-null values, by its ORIGINAL schema element. */
export function encoderFor(e: SchemaElement): Encoder {
  const slow = leafWriter(e);
  const lt = e.logical_type;
  const ct = e.converted_type;
  if (ct === 'DECIMAL' || lt?.type === 'DECIMAL') {
    const scale = e.scale ?? (lt?.type === 'DECIMAL' ? lt.scale : 0) ?? 0;
    return new DecimalEncoder(scale, slow);
  }
  if (e.type === 'INT32' && (ct === 'DATE' || lt?.type === 'DATE')) return new DateEncoder();
  if (e.type === 'INT64' && (lt?.type === 'TIMESTAMP' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS')) {
    const utc = lt?.type === 'TIMESTAMP' ? lt.isAdjustedToUTC : true;
    return new TimestampEncoder(unitOf(e)!, utc, slow);
  }
  const plainInt = !ct && (!lt || (lt.type === 'INTEGER' && lt.isSigned));
  if (e.type === 'INT32') {
    if (plainInt || ct === 'INT_8' || ct === 'INT_16' || ct === 'INT_32') return new Int32Encoder(0);
    if (ct === 'UINT_32' || (lt?.type === 'INTEGER' && lt.bitWidth === 32)) return new Int32Encoder(-1);
    if (ct === 'UINT_16' || (lt?.type === 'INTEGER' && lt.bitWidth === 16)) return new Int32Encoder(0xffff);
    if (ct === 'UINT_8' || (lt?.type === 'INTEGER' && lt.bitWidth === 8)) return new Int32Encoder(0xff);
  }
  if (e.type === 'INT64' && (plainInt || ct === 'INT_64')) return new Int64Encoder();
  if (e.type === 'DOUBLE' && !ct && !lt) return new DoubleEncoder(slow);
  if (e.type === 'BOOLEAN') return new BooleanEncoder();
  if (isUtf8(e)) return new Utf8Encoder(slow);
  return new TextEncoder_(slow);
}
