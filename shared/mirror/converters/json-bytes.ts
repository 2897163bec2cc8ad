// The JSON text pieces the compiled Avro writer (avro-json-writer.ts) puts into its byte sink: numbers, strings
// escaped from UTF-8 bytes, base64, exact decimals, ISO dates and times, each as avro-json.ts writes it as text.
import { isUtf8 } from 'node:buffer';
import { validUtf8 } from './utf8-check.js';
import { AvroDecodeError, decimalText, isoText, MS_PER_DAY, readLong, truncated, type Tap } from './avro-json.js';

/** A tap over `buf[pos, end)`: one datum inside a batch body, read without a view of it. */
export interface BoundedTap extends Tap {
  end: number;
}

/** A growable output buffer; `pos` is the end of what was written. Reused: the caller copies out what it needs. */
export class JsonSink {
  buf: Buffer;
  pos = 0;

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  grow(extra: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

export const room = (o: JsonSink, n: number): void => {
  if (o.pos + n > o.buf.length) o.grow(n);
};

/** ASCII text (numbers, base64, ISO dates) into the sink. */
export function ascii(o: JsonSink, s: string): void {
  room(o, s.length);
  o.pos += o.buf.write(s, o.pos, 'latin1');
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Zigzag varint as a number while exact (up to 2^53, so today's timestamp-micros stay numbers), else avro-json's
 * readLong (BigInt beyond). Same values as readLong: the JSON text is the same digits.
 */
export function readLongN(t: BoundedTap): number | bigint {
  const buf = t.buf;
  let p = t.pos;
  const b0 = buf[p];
  if (p < t.end && b0 < 0x80) {
    t.pos = p + 1;
    return (b0 >>> 1) ^ -(b0 & 1);
  }
  let n = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (p >= t.end) throw truncated();
    const b = buf[p++];
    n += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (n > MAX_SAFE) break;
      t.pos = p;
      return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    mul *= 128;
  }
  return readLong(t);
}

/** A block count or length: avro-json's readCount within the tap's end. */
export function readCountN(t: BoundedTap): number {
  const n = readLongN(t);
  if (typeof n !== 'number') throw new AvroDecodeError('Avro length out of range');
  return n;
}

// 0: copy; 1: escape; 2: copy, and the string needs a UTF-8 check.
const CLASS = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) CLASS[c] = 1;
CLASS[0x22] = 1;
CLASS[0x5c] = 1;
for (let c = 0x80; c < 0x100; c++) CLASS[c] = 2;
const HEX = '0123456789abcdef';
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72 };

export function escapeByte(buf: Buffer, p: number, c: number): number {
  buf[p++] = 0x5c;
  if (c === 0x22 || c === 0x5c) {
    buf[p++] = c;
    return p;
  }
  const short = SHORT_ESCAPES[c];
  if (short !== undefined) {
    buf[p++] = short;
    return p;
  }
  buf[p++] = 0x75; // \u00XX, lower-case hex as JSON.stringify writes it
  buf[p++] = 0x30;
  buf[p++] = 0x30;
  buf[p++] = HEX.charCodeAt(c >> 4);
  buf[p++] = HEX.charCodeAt(c & 15);
  return p;
}

/** `src[start, end)` (UTF-8) as a JSON string. */
export function writeJsonString(o: JsonSink, src: Buffer, start: number, end: number): void {
  const len = end - start;
  room(o, len * 6 + 2);
  const buf = o.buf;
  const at = o.pos;
  let p = at;
  buf[p++] = 0x22;
  let high = 0;
  let i = start;
  if (len >= 48) {
    // Long strings: find the first byte to escape, copy everything before it at once.
    while (i < end) {
      const k = CLASS[src[i]];
      if (k === 1) break;
      high |= k;
      i++;
    }
    p += src.copy(buf, p, start, i);
  }
  for (; i < end; i++) {
    const c = src[i];
    const k = CLASS[c];
    if (k === 1) p = escapeByte(buf, p, c);
    else {
      buf[p++] = c;
      high |= k;
    }
  }
  if (high !== 0 && !(len < 256 ? validUtf8(src, start, end) : isUtf8(src.subarray(start, end)))) {
    // Not UTF-8: what toString('utf8') makes of it (U+FFFD for each bad sequence), escaped by JSON.stringify.
    o.pos = at;
    const text = JSON.stringify(src.toString('utf8', start, end));
    room(o, Buffer.byteLength(text));
    o.pos += o.buf.write(text, o.pos, 'utf8');
    return;
  }
  buf[p++] = 0x22;
  o.pos = p;
}

export function writeBase64(o: JsonSink, src: Buffer, start: number, end: number): void {
  const text = src.toString('base64', start, end);
  room(o, text.length + 2);
  const buf = o.buf;
  buf[o.pos++] = 0x22;
  o.pos += buf.write(text, o.pos, 'latin1');
  buf[o.pos++] = 0x22;
}

/** `bytes` as a count and a position: the view avro-json's readBytes makes, without the view. */
export function bytesSpan(t: BoundedTap): number {
  const len = readCountN(t);
  if (len < 0 || t.pos + len > t.end) throw truncated();
  const start = t.pos;
  t.pos += len;
  return start;
}

export function writeDecimal(o: JsonSink, src: Buffer, start: number, end: number, scale: number): void {
  const len = end - start;
  if (len === 0 || len > 6) {
    ascii(o, decimalText(src.subarray(start, end), scale));
    return;
  }
  let v = src.readIntBE(start, len); // two's complement, exact up to 6 bytes
  const neg = v < 0;
  if (neg) v = -v;
  let digits = 1;
  for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
  // Leading zeros up to one before the point ("0.05"), then the point `scale` digits from the right.
  const width = Math.max(digits, scale + 1);
  const size = 2 + (neg ? 1 : 0) + width + (scale > 0 ? 1 : 0);
  room(o, size);
  const buf = o.buf;
  let i = o.pos + size - 1;
  buf[i--] = 0x22;
  for (let k = 0; k < width; k++) {
    if (k === scale && scale > 0) buf[i--] = 0x2e;
    const q = Math.floor(v / 10);
    buf[i--] = 48 + (v - q * 10);
    v = q;
  }
  if (neg) buf[i--] = 45;
  buf[i] = 0x22;
  o.pos += size;
}

// Days 0000-03-01 .. 9999-12-31 relative to 1970-01-01: the years Date.toISOString prints with 4 digits.
const FIRST_DAY = -719468;
const END_DAY = 2932897;

function put2(buf: Uint8Array, p: number, n: number): void {
  const t = Math.floor(n / 10);
  buf[p] = 48 + t;
  buf[p + 1] = 48 + (n - t * 10);
}

/**
 * The text of recently written days, direct-mapped by the day number's low bits: the timestamps of a batch mostly fall
 * on a few days (and dates within a year), so the calendar arithmetic runs once per day rather than once per value.
 */
const DAY_SLOTS = 1024;
const dayKeys = new Int32Array(DAY_SLOTS).fill(-0x7fffffff);
const dayText = new Uint8Array(DAY_SLOTS * 10);

/** Writes `YYYY-MM-DD` of a day number since 1970-01-01 (in range) at `p`. */
function putDate(buf: Buffer, p: number, days: number): void {
  const slot = days & (DAY_SLOTS - 1);
  const at = slot * 10;
  if (dayKeys[slot] !== days) {
    civilDate(dayText, at, days);
    dayKeys[slot] = days;
  }
  for (let i = 0; i < 10; i++) buf[p + i] = dayText[at + i];
}

/** `YYYY-MM-DD` of a day number at `p` (H. Hinnant's civil_from_days). */
function civilDate(buf: Uint8Array, p: number, days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  put2(buf, p, Math.floor(y / 100));
  put2(buf, p + 2, y % 100);
  buf[p + 4] = 45;
  put2(buf, p + 5, m);
  buf[p + 7] = 45;
  put2(buf, p + 8, d);
}

/** avro-json's isoText, written digit by digit for years 0000-9999 and exact (number) units. */
export function writeIso(o: JsonSink, units: number | bigint, perMs: number, fraction: number, zone: boolean): void {
  if (typeof units !== 'number') return ascii(o, isoText(units, BigInt(perMs), fraction, zone));
  let ms = Math.floor(units / perMs);
  let rest = units - ms * perMs;
  if (rest < 0) {
    rest += perMs;
    ms -= 1;
  } else if (rest >= perMs) {
    rest -= perMs;
    ms += 1;
  }
  const days = Math.floor(ms / MS_PER_DAY);
  if (days < FIRST_DAY || days >= END_DAY) return ascii(o, isoText(units, BigInt(perMs), fraction, zone));
  let inDay = ms - days * MS_PER_DAY;
  room(o, 36);
  const buf = o.buf;
  let p = o.pos;
  buf[p++] = 0x22;
  putDate(buf, p, days);
  p += 10;
  buf[p++] = 0x54; // T
  const millis = inDay % 1000;
  inDay = (inDay - millis) / 1000;
  const s = inDay % 60;
  inDay = (inDay - s) / 60;
  put2(buf, p, Math.floor(inDay / 60));
  buf[p + 2] = 0x3a;
  put2(buf, p + 3, inDay % 60);
  buf[p + 5] = 0x3a;
  put2(buf, p + 6, s);
  buf[p + 8] = 0x2e;
  buf[p + 9] = 48 + Math.floor(millis / 100);
  put2(buf, p + 10, millis % 100);
  p += 12;
  // The sub-millisecond digits: `fraction - 3` of them.
  for (let i = p + fraction - 4; i >= p; i--) {
    const q = Math.floor(rest / 10);
    buf[i] = 48 + (rest - q * 10);
    rest = q;
  }
  p += fraction - 3;
  if (zone) buf[p++] = 0x5a; // Z
  buf[p++] = 0x22;
  o.pos = p;
}

export function writeDate(o: JsonSink, days: number | bigint): void {
  const d = Number(days);
  if (d < FIRST_DAY || d >= END_DAY) {
    // Out of 0000-9999: as avro-json does (Date may refuse it: then the datum is undecodable there too).
    return ascii(o, `"${new Date(d * MS_PER_DAY).toISOString().slice(0, 10)}"`);
  }
  room(o, 12);
  o.buf[o.pos] = 0x22;
  putDate(o.buf, o.pos + 1, d);
  o.buf[o.pos + 11] = 0x22;
  o.pos += 12;
}

export const NULL_TEXT = Buffer.from('null');
export const TRUE_TEXT = Buffer.from('true');
export const FALSE_TEXT = Buffer.from('false');

export function putBytes(o: JsonSink, bytes: Buffer): void {
  room(o, bytes.length);
  const buf = o.buf;
  let p = o.pos;
  for (let i = 0; i < bytes.length; i++) buf[p++] = bytes[i];
  o.pos = p;
}

export function putByte(o: JsonSink, b: number): void {
  room(o, 1);
  o.buf[o.pos++] = b;
}
