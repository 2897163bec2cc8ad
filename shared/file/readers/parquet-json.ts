// One Parquet row → one compact JSON object (TigerGraph's Parquet-to-JSON mapping, made exact): keys are column
// names in schema order; integers and decimals keep every digit; NaN/±Infinity are strings; dates, times and
// timestamps are ISO 8601 strings with the unit's digits (Z when UTC-adjusted; INT96 → 9 digits and Z); UTF-8
// strings are JSON strings and other binary is base64; LIST → array, STRUCT → object, MAP with string keys → object
// (other keys → an array of {"key","value"}).
//
// The values come from hyparquet with the leaf annotations removed (see parquet-reader.ts) except UTF-8 strings: raw
// INT32 numbers, INT64 and INT96 bigints, byte arrays as Uint8Array, strings as strings. The annotations are read here
// from the original schema instead, so no value goes through a float on its way (hyparquet's own DECIMAL conversion
// is a float multiplication).
//
// Each column gets a writer compiled once from its schema node (no per-value type dispatch), and the hot cases stay
// in Number arithmetic where that is exact (dates cached per day, timestamps and decimals within 2^53): row objects
// and BigInts were most of the CPU profile of a 1 GB file.
import type { SchemaElement, SchemaTree } from 'hyparquet';

type Writer = (v: unknown) => string;

const TWO_64 = 1n << 64n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, '0');
}

const PAD2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

function dateText(days: number): string {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const year = y < 0 ? `-${pad(-y, 6)}` : y > 9999 ? `+${pad(y, 6)}` : pad(y, 4);
  return `${year}-${PAD2[d.getUTCMonth() + 1]}-${PAD2[d.getUTCDate()]}`;
}

// Days repeat (a column's dates and timestamps span few of them): each day from 1790 to 2149 is formatted once.
const DAY_CACHE_HALF = 65_536;
const DATES: (string | undefined)[] = new Array<string | undefined>(2 * DAY_CACHE_HALF).fill(undefined);
export function datePart(days: number): string {
  const i = days + DAY_CACHE_HALF;
  if (i < 0 || i >= DATES.length) return dateText(days);
  return (DATES[i] ??= dateText(days));
}

const UNIT_DIGITS = { MILLIS: 3, MICROS: 6, NANOS: 9 } as const;
const UNIT_PER_SECOND = { MILLIS: 1000, MICROS: 1_000_000, NANOS: 1_000_000_000 } as const;
type Unit = keyof typeof UNIT_DIGITS;

/** HH:MM:SS.fff… of a time of day in `unit`s (0 <= units < a day), in Numbers: a day of nanoseconds is < 2^53. */
function timeOfDay(units: number, unit: Unit): string {
  const perSecond = UNIT_PER_SECOND[unit];
  const seconds = Math.floor(units / perSecond);
  const fraction = units - seconds * perSecond;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor(seconds / 60) % 60;
  return `${h < 100 ? PAD2[h] : h}:${PAD2[m]}:${PAD2[seconds % 60]}.${pad(fraction, UNIT_DIGITS[unit])}`;
}

function timestamp(v: bigint | number, unit: Unit, utc: boolean): string {
  const perDay = UNIT_PER_SECOND[unit] * 86_400;
  let days: number;
  let rest: number;
  if (typeof v === 'number' || (v <= MAX_SAFE && v >= -MAX_SAFE)) {
    const n = Number(v);
    days = Math.floor(n / perDay);
    rest = n - days * perDay;
  } else {
    const big = BigInt(perDay);
    let d = v / big;
    let r = v % big;
    if (r < 0n) {
      r += big;
      d -= 1n;
    }
    days = Number(d);
    rest = Number(r);
  }
  return `"${datePart(days)}T${timeOfDay(rest, unit)}${utc ? 'Z' : ''}"`;
}

/** The unscaled value with the decimal point `scale` digits from the right: `1234567`, 2 → `12345.67`. */
function decimal(unscaled: bigint | number, scale: number): string {
  if (scale <= 0) return scale === 0 ? String(unscaled) : (BigInt(unscaled) * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0;
  const digits = String(negative ? -unscaled : unscaled).padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Two's complement, big-endian (DECIMAL in BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY); a Number up to 6 bytes. */
function signedBigEndian(bytes: Uint8Array): bigint | number {
  const n = bytes.length;
  if (n === 0) return 0;
  if (n <= 6) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + bytes[i];
    return bytes[0] & 0x80 ? v - 2 ** (8 * n) : v;
  }
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes[0] & 0x80 ? v - (1n << BigInt(n * 8)) : v;
}

/** Shortest decimal that reads back as the same 32-bit float (a double's shortest form would show float noise). */
function float32(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const text = v.toPrecision(p);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  return String(v);
}

function special(v: number): string {
  return Number.isNaN(v) ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
}

const double: Writer = (v) => {
  const n = v as number;
  return n - n === 0 ? String(n) : special(n); // n - n is NaN for NaN and ±Infinity
};
const single: Writer = (v) => {
  const n = v as number;
  return n - n === 0 ? float32(n) : special(n);
};

export function unitOf(e: SchemaElement): Unit | undefined {
  const lt = e.logical_type;
  if (lt && (lt.type === 'TIMESTAMP' || lt.type === 'TIME')) return lt.unit;
  switch (e.converted_type) {
    case 'TIMESTAMP_MILLIS':
    case 'TIME_MILLIS':
      return 'MILLIS';
    case 'TIMESTAMP_MICROS':
    case 'TIME_MICROS':
      return 'MICROS';
    default:
      return undefined;
  }
}

/** Whether hyparquet is left to decode the column's bytes as UTF-8 strings (see parquet-reader.ts rawMetadata). */
export function isUtf8(e: SchemaElement): boolean {
  const ct = e.converted_type;
  const lt = e.logical_type?.type;
  return (
    e.type === 'BYTE_ARRAY' &&
    (ct === 'UTF8' || ct === 'ENUM' || ct === 'JSON' || lt === 'STRING' || lt === 'ENUM' || lt === 'JSON')
  );
}

const bytesOf = (v: unknown): Buffer => {
  const b = v as Uint8Array;
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
};

/** The writer of a leaf (primitive) column's non-null values. */
export function leafWriter(e: SchemaElement): Writer {
  const lt = e.logical_type;
  const ct = e.converted_type;
  if (ct === 'DECIMAL' || lt?.type === 'DECIMAL') {
    const scale = e.scale ?? (lt?.type === 'DECIMAL' ? lt.scale : 0) ?? 0;
    return (v) => decimal(v instanceof Uint8Array ? signedBigEndian(v) : (v as number | bigint), scale);
  }
  if (ct === 'DATE' || lt?.type === 'DATE') return (v) => `"${datePart(v as number)}"`;
  if (lt?.type === 'TIMESTAMP' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') {
    // The legacy converted types are UTC-adjusted by definition.
    const utc = lt?.type === 'TIMESTAMP' ? lt.isAdjustedToUTC : true;
    const unit = unitOf(e)!;
    return (v) => timestamp(v as bigint | number, unit, utc);
  }
  if (lt?.type === 'TIME' || ct === 'TIME_MILLIS' || ct === 'TIME_MICROS') {
    const unit = unitOf(e)!;
    return (v) => `"${timeOfDay(Number(v), unit)}"`;
  }
  switch (e.type) {
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'INT32': {
      if (ct === 'UINT_32' || (lt?.type === 'INTEGER' && !lt.isSigned && lt.bitWidth === 32))
        return (v) => String((v as number) >>> 0);
      if (ct === 'UINT_8' || (lt?.type === 'INTEGER' && !lt.isSigned && lt.bitWidth === 8))
        return (v) => String((v as number) & 0xff);
      if (ct === 'UINT_16' || (lt?.type === 'INTEGER' && !lt.isSigned && lt.bitWidth === 16))
        return (v) => String((v as number) & 0xffff);
      return String;
    }
    case 'INT64': {
      if (ct === 'UINT_64' || (lt?.type === 'INTEGER' && !lt.isSigned)) {
        return (v) => {
          const n = v as bigint;
          return (n < 0n ? n + TWO_64 : n).toString();
        };
      }
      return String;
    }
    case 'INT96':
      // hyparquet has already turned the (Julian day, nanosecond of the day) pair into nanoseconds since the epoch.
      return (v) => timestamp(v as bigint, 'NANOS', true);
    case 'FLOAT':
      return single;
    case 'DOUBLE':
      return double;
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY': {
      if (lt?.type === 'UUID' && e.type_length === 16) {
        return (v) => {
          const hex = bytesOf(v).toString('hex');
          return `"${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}"`;
        };
      }
      if (isUtf8(e)) return (v) => JSON.stringify(typeof v === 'string' ? v : bytesOf(v).toString('utf8'));
      return (v) => `"${bytesOf(v).toString('base64')}"`;
    }
    default:
      return (v) => JSON.stringify(v);
  }
}

function isList(node: SchemaTree): boolean {
  const e = node.element;
  return (e.converted_type === 'LIST' || e.logical_type?.type === 'LIST') && node.children.length === 1;
}

function isMap(node: SchemaTree): boolean {
  const e = node.element;
  return (
    (e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE' || e.logical_type?.type === 'MAP') &&
    node.children.length === 1 &&
    node.children[0].children.length === 2
  );
}

/** The list's element node, as hyparquet assembles it (the 3-level form's middle `list` group is skipped). */
function listElement(node: SchemaTree): SchemaTree {
  const repeated = node.children[0];
  return repeated.children.length === 1 ? repeated.children[0] : repeated;
}

const isStringKey = (node: SchemaTree): boolean => {
  const e = node.element;
  return (
    e.type === 'BYTE_ARRAY' &&
    (e.converted_type === 'UTF8' ||
      e.converted_type === 'ENUM' ||
      e.logical_type?.type === 'STRING' ||
      e.logical_type?.type === 'ENUM')
  );
};

const nullable =
  (w: Writer): Writer =>
  (v) =>
    v === null || v === undefined ? 'null' : w(v);

const arrayOf =
  (w: Writer): Writer =>
  (v) => {
    const a = v as unknown[];
    let out = '[';
    for (let i = 0; i < a.length; i++) out += (i > 0 ? ',' : '') + w(a[i]);
    return out + ']';
  };

/**
 * The writer of any value, null included, by its node in the ORIGINAL schema. A MAP arrives as hyparquet assembles a
 * group whose annotation was removed: `{ <repeated name>: [{ key, value }, ...] }`.
 */
export function valueWriter(node: SchemaTree): Writer {
  if (node.children.length === 0) {
    const leaf = nullable(leafWriter(node.element));
    // A repeated primitive outside a LIST (legacy 1-level list) arrives as an array.
    if (node.element.repetition_type === 'REPEATED') return nullable(arrayOf(leaf));
    return leaf;
  }
  if (isList(node)) return nullable(arrayOf(valueWriter(listElement(node))));
  if (isMap(node)) {
    const kv = node.children[0];
    const [keyNode, valueNode] = kv.children;
    const entriesName = kv.element.name;
    const keyName = keyNode.element.name;
    const valueName = valueNode.element.name;
    const key = valueWriter(keyNode);
    const value = valueWriter(valueNode);
    const stringKeys = isStringKey(keyNode);
    return nullable((v) => {
      const entries = ((v as Record<string, unknown>)[entriesName] ?? []) as Record<string, unknown>[];
      let out = '';
      for (let i = 0; i < entries.length; i++) {
        const en = entries[i];
        if (i > 0) out += ',';
        out += stringKeys
          ? `${key(en[keyName])}:${value(en[valueName])}`
          : `{"key":${key(en[keyName])},"value":${value(en[valueName])}}`;
      }
      return stringKeys ? `{${out}}` : `[${out}]`;
    });
  }
  const struct = structWriter(node);
  if (node.element.repetition_type === 'REPEATED') return nullable(arrayOf(struct));
  return struct;
}

function structWriter(node: SchemaTree): Writer {
  const names = node.children.map((c) => c.element.name);
  const keys = names.map((n, i) => `${i > 0 ? ',' : ''}${JSON.stringify(n)}:`);
  const fields = node.children.map(valueWriter);
  return nullable((v) => {
    const o = v as Record<string, unknown>;
    let out = '{';
    for (let i = 0; i < fields.length; i++) out += keys[i] + fields[i](o[names[i]]);
    return out + '}';
  });
}

/** The JSON writer of a row given as an array of top-level column values in schema order. */
export function rowJsonWriter(root: SchemaTree): (row: unknown[]) => string {
  const keys = root.children.map((c, i) => `${i > 0 ? ',' : '{'}${JSON.stringify(c.element.name)}:`);
  const columns = root.children.map(valueWriter);
  const n = columns.length;
  if (n === 0) return () => '{}';
  return (row) => {
    let out = '';
    for (let i = 0; i < n; i++) out += keys[i] + columns[i](row[i]);
    return out + '}';
  };
}
