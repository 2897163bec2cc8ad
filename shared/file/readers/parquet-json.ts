// One Parquet row → one compact JSON object (TigerGraph's Parquet-to-JSON mapping, made exact): keys are column
// names in schema order; integers and decimals keep every digit; NaN/±Infinity are strings; dates, times and
// timestamps are ISO 8601 strings with the unit's digits (Z when UTC-adjusted; INT96 → 9 digits and Z); UTF-8
// strings are JSON strings and other binary is base64; LIST → array, STRUCT → object, MAP with string keys → object
// (other keys → an array of {"key","value"}).
//
// The values come from hyparquet with the leaf annotations removed (see parquet-reader.ts): raw INT32 numbers, INT64
// and INT96 bigints, byte arrays as Uint8Array. The annotations are read here from the original schema instead, so no
// value goes through a float on its way (hyparquet's own DECIMAL conversion is a float multiplication).
import type { SchemaElement, SchemaTree } from 'hyparquet';

const TWO_64 = 1n << 64n;

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, '0');
}

function datePart(days: number): string {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const year = y < 0 ? `-${pad(-y, 6)}` : y > 9999 ? `+${pad(y, 6)}` : pad(y, 4);
  return `${year}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

const UNIT_DIGITS = { MILLIS: 3, MICROS: 6, NANOS: 9 } as const;
const UNIT_PER_SECOND = { MILLIS: 1000n, MICROS: 1_000_000n, NANOS: 1_000_000_000n } as const;
type Unit = keyof typeof UNIT_DIGITS;

function timeOfDay(units: bigint, unit: Unit): string {
  const perSecond = UNIT_PER_SECOND[unit];
  const seconds = units / perSecond;
  const fraction = units % perSecond;
  const h = seconds / 3600n;
  const m = (seconds / 60n) % 60n;
  const s = seconds % 60n;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(fraction, UNIT_DIGITS[unit])}`;
}

function timestamp(units: bigint, unit: Unit, utc: boolean): string {
  const perDay = UNIT_PER_SECOND[unit] * 86_400n;
  let days = units / perDay;
  let rest = units % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  return `${datePart(Number(days))}T${timeOfDay(rest, unit)}${utc ? 'Z' : ''}`;
}

/** The unscaled value with the decimal point `scale` digits from the right: `1234567`, 2 → `12345.67`. */
function decimal(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** Two's complement, big-endian (DECIMAL in BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY). */
function signedBigEndian(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes[0] & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

/** Shortest decimal that reads back as the same 32-bit float (a double's shortest form would show float noise). */
function float32(v: number): string {
  for (let p = 1; p <= 9; p++) {
    const text = v.toPrecision(p);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  return String(v);
}

function number(v: number, single: boolean): string {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  return single ? float32(v) : String(v);
}

const asBigInt = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

function unitOf(e: SchemaElement): Unit | undefined {
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

/** A leaf (primitive) value as JSON text. */
export function leafJson(e: SchemaElement, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  const lt = e.logical_type;
  const ct = e.converted_type;
  if (ct === 'DECIMAL' || lt?.type === 'DECIMAL') {
    const scale = e.scale ?? (lt?.type === 'DECIMAL' ? lt.scale : 0) ?? 0;
    return decimal(v instanceof Uint8Array ? signedBigEndian(v) : asBigInt(v), scale);
  }
  if (ct === 'DATE' || lt?.type === 'DATE') return `"${datePart(v as number)}"`;
  if (lt?.type === 'TIMESTAMP' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') {
    // The legacy converted types are UTC-adjusted by definition.
    const utc = lt?.type === 'TIMESTAMP' ? lt.isAdjustedToUTC : true;
    return `"${timestamp(asBigInt(v), unitOf(e)!, utc)}"`;
  }
  if (lt?.type === 'TIME' || ct === 'TIME_MILLIS' || ct === 'TIME_MICROS') {
    return `"${timeOfDay(asBigInt(v), unitOf(e)!)}"`;
  }
  switch (e.type) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'INT32': {
      const n = v as number;
      const unsigned = ct === 'UINT_32' || (lt?.type === 'INTEGER' && !lt.isSigned && lt.bitWidth === 32);
      if (unsigned && n < 0) return String(n + 4294967296);
      if (ct === 'UINT_8' || (lt?.type === 'INTEGER' && !lt.isSigned && lt.bitWidth === 8)) return String(n & 0xff);
      if (ct === 'UINT_16' || (lt?.type === 'INTEGER' && !lt.isSigned && lt.bitWidth === 16)) return String(n & 0xffff);
      return String(n);
    }
    case 'INT64': {
      const n = asBigInt(v);
      const unsigned = ct === 'UINT_64' || (lt?.type === 'INTEGER' && !lt.isSigned);
      return (unsigned && n < 0n ? n + TWO_64 : n).toString();
    }
    case 'INT96':
      // hyparquet has already turned the (Julian day, nanosecond of the day) pair into nanoseconds since the epoch.
      return `"${timestamp(asBigInt(v), 'NANOS', true)}"`;
    case 'FLOAT':
      return number(v as number, true);
    case 'DOUBLE':
      return number(v as number, false);
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY': {
      const bytes = v as Uint8Array;
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (lt?.type === 'UUID' && bytes.length === 16) {
        const hex = buf.toString('hex');
        return `"${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}"`;
      }
      if (
        ct === 'UTF8' ||
        ct === 'ENUM' ||
        ct === 'JSON' ||
        lt?.type === 'STRING' ||
        lt?.type === 'ENUM' ||
        lt?.type === 'JSON'
      ) {
        return JSON.stringify(buf.toString('utf8'));
      }
      return `"${buf.toString('base64')}"`;
    }
    default:
      return JSON.stringify(v);
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

/**
 * Any value as JSON text, by its node in the ORIGINAL schema. A MAP arrives as hyparquet assembles a group whose
 * annotation was removed: `{ <repeated name>: [{ key, value }, ...] }`.
 */
export function valueJson(node: SchemaTree, v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (node.children.length === 0) {
    // A repeated primitive outside a LIST (legacy 1-level list) arrives as an array.
    if (node.element.repetition_type === 'REPEATED' && Array.isArray(v)) {
      return `[${v.map((x) => leafJson(node.element, x)).join(',')}]`;
    }
    return leafJson(node.element, v);
  }
  if (isList(node)) {
    const element = listElement(node);
    return `[${(v as unknown[]).map((x) => valueJson(element, x)).join(',')}]`;
  }
  if (isMap(node)) {
    const kv = node.children[0];
    const [keyNode, valueNode] = kv.children;
    const entries = ((v as Record<string, unknown>)[kv.element.name] ?? []) as Record<string, unknown>[];
    if (isStringKey(keyNode)) {
      const parts = entries.map(
        (en) =>
          `${leafJson(keyNode.element, en[keyNode.element.name])}:${valueJson(valueNode, en[valueNode.element.name])}`,
      );
      return `{${parts.join(',')}}`;
    }
    const parts = entries.map(
      (en) =>
        `{"key":${valueJson(keyNode, en[keyNode.element.name])},"value":${valueJson(valueNode, en[valueNode.element.name])}}`,
    );
    return `[${parts.join(',')}]`;
  }
  if (node.element.repetition_type === 'REPEATED' && Array.isArray(v)) {
    return `[${v.map((x) => structJson(node, x as Record<string, unknown>)).join(',')}]`;
  }
  return structJson(node, v as Record<string, unknown>);
}

function structJson(node: SchemaTree, v: Record<string, unknown> | null | undefined): string {
  if (v === null || v === undefined) return 'null';
  const parts = node.children.map((c) => `${JSON.stringify(c.element.name)}:${valueJson(c, v[c.element.name])}`);
  return `{${parts.join(',')}}`;
}

/** The JSON writer of a row given as an array of top-level column values in schema order. */
export function rowJsonWriter(root: SchemaTree): (row: unknown[]) => string {
  const names = root.children.map((c) => `${JSON.stringify(c.element.name)}:`);
  const columns = root.children;
  return (row) => {
    let out = '{';
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) out += ',';
      out += names[i] + valueJson(columns[i], row[i]);
    }
    return out + '}';
  };
}
