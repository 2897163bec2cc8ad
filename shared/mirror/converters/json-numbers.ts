// Numbers as JSON text into the compiled Avro writer's byte sink (json-bytes.ts), digit by digit where that is exact:
// the same text String() writes.
import { num } from './avro-json.js';
import { ascii, type JsonSink, putByte, room } from './json-bytes.js';

/** Decimal digits of a safe integer, written without a string. */
export function writeInt(o: JsonSink, n: number): void {
  room(o, 17);
  const buf = o.buf;
  let p = o.pos;
  if (n < 0) {
    buf[p++] = 45;
    n = -n;
  }
  if (n < 10) {
    buf[p++] = 48 + n;
    o.pos = p;
    return;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let i = p + digits - 1;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    buf[i--] = 48 + (n - q * 10);
    n = q;
  }
  buf[i] = 48 + n;
  o.pos = p + digits;
}

/**
 * A double as String(x) writes it, without the string when x is a whole number of thousandths below 10^15 in
 * magnitude (prices, weights, ratios): such a decimal has at most 15 significant digits, so it is the one shortest
 * text that reads back as x, which is what String(x) prints (fixed notation from 10^-6 up to 10^21). Else String(x).
 */
export function writeDouble(o: JsonSink, x: number): void {
  const c = Math.round(x * 1000);
  if (c / 1000 !== x || c >= 1e15 || c <= -1e15) {
    ascii(o, num(x));
    return;
  }
  let m = c;
  if (m < 0) {
    putByte(o, 45);
    m = -m;
  }
  const whole = Math.floor(m / 1000);
  let frac = m - whole * 1000;
  writeInt(o, whole);
  if (frac === 0) return;
  room(o, 4);
  const buf = o.buf;
  let p = o.pos;
  buf[p++] = 0x2e;
  const d1 = Math.floor(frac / 100);
  frac -= d1 * 100;
  const d2 = Math.floor(frac / 10);
  const d3 = frac - d2 * 10;
  buf[p++] = 48 + d1;
  if (d2 !== 0 || d3 !== 0) buf[p++] = 48 + d2;
  if (d3 !== 0) buf[p++] = 48 + d3;
  o.pos = p;
}

export function writeLong(o: JsonSink, v: number | bigint): void {
  if (typeof v === 'number') writeInt(o, v);
  else ascii(o, String(v));
}
