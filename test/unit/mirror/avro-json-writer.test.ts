// The compiled byte writer (avro-json-writer.ts) against the text reader it replaces (avro-json.ts): for random
// schemas and values (encoded by avsc), the JSON bytes must be the same, and an undecodable datum must fail in both.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroJsonReader } from '../../../shared/mirror/converters/avro-json.js';
import { AvroJsonWriter, JsonSink, writeJsonString } from '../../../shared/mirror/converters/avro-json-writer.js';
import { writeDouble, writeInt } from '../../../shared/mirror/converters/json-numbers.js';

/** A small deterministic PRNG (mulberry32): failures repeat with the same seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
  };
}
type Rng = ReturnType<typeof prng>;

const STRING_PIECES = [
  'a',
  'Zé',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0001',
  '\u001f',
  '\u007f',
  '€',
  '😀',
  ' ',
  '/',
  '\u2028',
  'ü',
];
const randomString = (r: Rng) => Array.from({ length: r.int(12) }, () => r.pick(STRING_PIECES)).join('');

const LONGS = [0, 1, -1, 63, 64, -64, -65, 2 ** 31, -(2 ** 31), 2 ** 48, 2 ** 49 + 3, 2 ** 52 + 1, -(2 ** 52 + 1)];
const randomLong = (r: Rng): number => {
  switch (r.int(4)) {
    case 0:
      return r.pick(LONGS);
    case 1:
      return r.int(1000) - 500;
    case 2:
      return Math.floor((r.next() - 0.5) * 2 ** 53);
    default:
      return Math.floor((r.next() - 0.3) * 4e15); // timestamp-like: millis beyond year 9999, micros of today
  }
};
const randomInt = (r: Rng): number =>
  r.next() < 0.3 ? r.pick([0, -1, 2 ** 31 - 1, -(2 ** 31), 2932896, -719468, 20000]) : r.int(2 ** 20) - 2 ** 19;

let names = 0;
/** A random schema of at most `depth` nesting levels, and a function making values of it (avsc's JS form). */
function randomSchema(r: Rng, depth: number): { schema: any; value: () => unknown } {
  const kinds = depth > 0 ? 17 : 11;
  switch (r.int(kinds)) {
    case 0:
      return { schema: 'boolean', value: () => r.next() < 0.5 };
    case 1:
      return { schema: 'int', value: () => randomInt(r) };
    case 2:
      return { schema: 'long', value: () => randomLong(r) };
    case 3:
      return {
        schema: 'float',
        value: () => r.pick([0.1, -2.5, 1e-7, 3.4e38, NaN, Infinity, -Infinity, r.next() * 1000]),
      };
    case 4:
      return { schema: 'double', value: () => r.pick([0.1, -2.5, 1e-300, 1e21, NaN, -Infinity, r.next() * 1e6]) };
    case 5:
      return { schema: 'string', value: () => randomString(r) };
    case 6:
      return { schema: 'bytes', value: () => Buffer.from(Array.from({ length: r.int(9) }, () => r.int(256))) };
    case 7: {
      const lt = r.pick([
        'timestamp-millis',
        'timestamp-micros',
        'timestamp-nanos',
        'local-timestamp-millis',
        'local-timestamp-micros',
        'time-micros',
      ]);
      const value = lt === 'time-micros' ? () => r.int(86_400_000_000) : () => randomLong(r);
      return { schema: { type: 'long', logicalType: lt }, value };
    }
    case 8: {
      const lt = r.pick(['date', 'time-millis']);
      return {
        schema: { type: 'int', logicalType: lt },
        value: lt === 'date' ? () => randomInt(r) : () => r.int(86_400_000),
      };
    }
    case 9: {
      const scale = r.int(5);
      const size = 1 + r.int(10);
      const bytes = () => Buffer.from(Array.from({ length: r.int(size + 1) }, () => r.int(256)));
      if (r.next() < 0.5)
        return { schema: { type: 'bytes', logicalType: 'decimal', precision: 20, scale }, value: bytes };
      const fixed = () => Buffer.from(Array.from({ length: size }, () => r.int(256)));
      return {
        schema: { type: 'fixed', name: `D${names++}`, size, logicalType: 'decimal', precision: 20, scale },
        value: fixed,
      };
    }
    case 10:
      return { schema: { type: 'string', logicalType: 'uuid' }, value: () => '2f1b3c4d-0000-4000-8000-00000000000a' };
    case 11: {
      const symbols = ['A', 'B_1', 'C'];
      return { schema: { type: 'enum', name: `E${names++}`, symbols }, value: () => r.pick(symbols) };
    }
    case 12: {
      const size = 1 + r.int(6);
      return {
        schema: { type: 'fixed', name: `F${names++}`, size },
        value: () => Buffer.from(Array.from({ length: size }, () => r.int(256))),
      };
    }
    case 13: {
      const items = randomSchema(r, depth - 1);
      return {
        schema: { type: 'array', items: items.schema },
        value: () => Array.from({ length: r.int(4) }, items.value),
      };
    }
    case 14: {
      const values = randomSchema(r, depth - 1);
      return {
        schema: { type: 'map', values: values.schema },
        value: () => Object.fromEntries(Array.from({ length: r.int(4) }, () => [randomString(r), values.value()])),
      };
    }
    case 15: {
      const inner = randomSchema(r, depth - 1);
      if (Array.isArray(inner.schema) || inner.schema === 'null') return inner;
      const schema = r.next() < 0.5 ? ['null', inner.schema] : [inner.schema, 'null'];
      return { schema, value: () => (r.next() < 0.4 ? null : inner.value()) };
    }
    default: {
      const fields = Array.from({ length: 1 + r.int(5) }, (_, i) => ({
        name: `f${i}_${r.pick(['x', 'Z', 'y'])}`,
        ...randomSchema(r, depth - 1),
      }));
      return {
        schema: { type: 'record', name: `R${names++}`, fields: fields.map((f) => ({ name: f.name, type: f.schema })) },
        value: () => Object.fromEntries(fields.map((f) => [f.name, f.value()])),
      };
    }
  }
}

/** What the reference reader makes of `buf`: the text or the error message. */
function reference(reader: AvroJsonReader, buf: Buffer): string {
  try {
    return reader.readAll(buf);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

function compiled(writer: AvroJsonWriter, buf: Buffer, sink: JsonSink): string {
  try {
    sink.pos = 0;
    writer.writeAll(buf, 0, buf.length, sink);
    return sink.buf.toString('utf8', 0, sink.pos);
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

describe('AvroJsonWriter equals AvroJsonReader', () => {
  it('on 600 random schemas with 20 random values each', () => {
    const r = prng(24);
    const sink = new JsonSink(16); // small: the growth path runs too
    let compared = 0;
    let decoded = 0;
    for (let s = 0; s < 600; s++) {
      const { schema, value } = randomSchema(r, 3);
      const type = avro.Type.forSchema(schema);
      const reader = new AvroJsonReader(schema);
      const writer = new AvroJsonWriter(schema);
      for (let v = 0; v < 20; v++) {
        const buf = type.toBuffer(value());
        const want = reference(reader, buf);
        expect(compiled(writer, buf, sink), JSON.stringify(schema)).toBe(want);
        if (!want.startsWith('error:')) decoded++;
        // The same datum inside a larger buffer (the batch body), at an offset.
        const framed = Buffer.concat([Buffer.from([7, 7, 7]), buf]);
        sink.pos = 5;
        if (!want.startsWith('error:')) {
          writer.writeAll(framed, 3, framed.length, sink);
          expect(sink.buf.toString('utf8', 5, sink.pos)).toBe(want);
        }
        compared++;
      }
    }
    expect(compared).toBe(12_000);
    expect(decoded).toBeGreaterThan(10_000); // most values decode (out-of-range dates fail in both)
  });

  it('fails where the reader fails: truncated and corrupted data', () => {
    const r = prng(7);
    const sink = new JsonSink(64);
    for (let s = 0; s < 200; s++) {
      const { schema, value } = randomSchema(r, 3);
      const type = avro.Type.forSchema(schema);
      const reader = new AvroJsonReader(schema);
      const writer = new AvroJsonWriter(schema);
      const buf = type.toBuffer(value());
      const cut = buf.subarray(0, r.int(buf.length + 1));
      expect(compiled(writer, cut, sink)).toBe(reference(reader, cut));
      const bad = Buffer.from(buf);
      if (bad.length > 0) bad[r.int(bad.length)] = r.int(256);
      const want = reference(reader, bad);
      const got = compiled(writer, bad, sink);
      // A corrupted datum may still decode; then to the same text. Errors: both fail (messages may differ when the
      // corruption makes a length negative vs. out of range, or a string invalid UTF-8 vs. a number).
      if (want.startsWith('error:') || got.startsWith('error:')) {
        expect(got.startsWith('error:'), `${JSON.stringify(schema)} ${bad.toString('hex')}`).toBe(
          want.startsWith('error:'),
        );
      } else expect(got).toBe(want);
    }
  });

  it('writes doubles as String does: whole thousandths without a string, anything else through String', () => {
    const o = new JsonSink(64);
    const text = (x: number) => {
      o.pos = 0;
      writeDouble(o, x);
      return o.buf.toString('latin1', 0, o.pos);
    };
    const values = [0, -0, 1, -1, 0.5, 0.1, 0.29, 1.005, -0.001, 0.125, 12.3, 99.99, 1e14 + 0.5, 999999999999.999];
    values.push(1e15, -1e15, 1e21, 1e-7, 2 ** 53, 1 / 3, Math.PI, Number.MAX_VALUE, Number.MIN_VALUE, NaN, -Infinity);
    for (let i = 0; i < 20_000; i++) {
      values.push(Math.round((Math.random() - 0.5) * 10 ** (1 + (i % 16))) / 10 ** (i % 4));
      values.push((Math.random() - 0.5) * 10 ** ((i % 30) - 10));
    }
    for (const x of values) {
      const want = Number.isFinite(x) ? String(x) : JSON.stringify(String(x));
      if (text(x) !== want) expect([x, text(x)]).toEqual([x, want]);
    }
  });

  it('escapes strings as JSON.stringify does, also for bytes that are not UTF-8', () => {
    const r = prng(3);
    const sink = new JsonSink(8);
    for (let i = 0; i < 20_000; i++) {
      const len = r.int(i % 10 === 0 ? 200 : 12);
      const bytes =
        i % 3 === 0
          ? Buffer.from(Array.from({ length: len }, () => r.int(256)))
          : Buffer.from(Array.from({ length: len }, () => r.pick(STRING_PIECES)).join(''));
      sink.pos = 0;
      writeJsonString(sink, bytes, 0, bytes.length);
      expect(sink.buf.toString('utf8', 0, sink.pos)).toBe(JSON.stringify(bytes.toString('utf8')));
    }
    // A byte order mark stays (Buffer.toString keeps it).
    sink.pos = 0;
    writeJsonString(sink, Buffer.from([0xef, 0xbb, 0xbf, 0x41]), 0, 4);
    expect(sink.buf.toString('utf8', 0, sink.pos)).toBe('"\ufeffA"');
  });

  it('writes timestamps and dates over the whole range the reader prints', () => {
    const sink = new JsonSink();
    for (const lt of ['timestamp-millis', 'timestamp-micros', 'timestamp-nanos', 'local-timestamp-micros']) {
      const schema = { type: 'long', logicalType: lt } as const;
      const reader = new AvroJsonReader(schema);
      const writer = new AvroJsonWriter(schema);
      const type = avro.Type.forSchema('long');
      const r = prng(lt.length);
      for (let i = 0; i < 5000; i++) {
        const v = Math.floor((r.next() - 0.5) * 2 ** (10 + r.int(44)));
        const buf = type.toBuffer(v);
        expect(compiled(writer, buf, sink), `${lt} ${v}`).toBe(reference(reader, buf));
      }
    }
    const date = { type: 'int', logicalType: 'date' } as const;
    const reader = new AvroJsonReader(date);
    const writer = new AvroJsonWriter(date);
    for (let d = -800_000; d < 3_000_000; d += 997) {
      const buf = avro.Type.forSchema('int').toBuffer(d);
      expect(compiled(writer, buf, sink)).toBe(reference(reader, buf));
    }
  });

  it('writes safe integers as String does: every digit count, both signs, powers of ten and their neighbours', () => {
    const sink = new JsonSink(16);
    const r = prng(53);
    const values = [0, -0, 9, 10, 99, 100, 101, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
    for (let k = 1; k <= 15; k++) values.push(10 ** k - 1, 10 ** k, 10 ** k + 1, 2 * 10 ** k + 7);
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(r.next() * 2 ** r.int(54)));
    for (const v of values) {
      for (const n of [v, -v]) {
        sink.pos = 0;
        writeInt(sink, n);
        expect(sink.buf.toString('latin1', 0, sink.pos), String(n)).toBe(String(n === 0 ? 0 : n));
      }
    }
  });

  it('writes the right day when days that share a slot of the day cache alternate', () => {
    // The writer keeps the text of recent days in 1024 slots by the day number's low bits: days 1024 apart (and
    // negative ones) share a slot, so each must replace the other's text, never show it.
    const sink = new JsonSink();
    const date = { type: 'int', logicalType: 'date' } as const;
    const millis = { type: 'long', logicalType: 'timestamp-millis' } as const;
    const dates = [new AvroJsonReader(date), new AvroJsonWriter(date)] as const;
    const stamps = [new AvroJsonReader(millis), new AvroJsonWriter(millis)] as const;
    const int = avro.Type.forSchema('int');
    const long = avro.Type.forSchema('long');
    for (const base of [19_700, -1, -719_468, 0, 2_932_000]) {
      for (let i = 0; i < 40; i++) {
        const day = base + (i % 4) * 1024 + (i % 3); // same slot every few values, then a neighbour
        const d = int.toBuffer(day);
        expect(compiled(dates[1], d, sink), `day ${day}`).toBe(reference(dates[0], d));
        const t = long.toBuffer(day * 86_400_000 + i * 3_600_123);
        expect(compiled(stamps[1], t, sink), `day ${day}`).toBe(reference(stamps[0], t));
      }
    }
  });
});
