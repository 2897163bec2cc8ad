import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroJsonReader } from '../../../shared/mirror/converters/avro-json.js';
import { fingerprint64 } from '../../../shared/mirror/converters/avro-framing.js';
import { AvroEmbeddedConverter } from '../../../shared/mirror/converters/avro-embedded-converter.js';
import { ConversionError } from '../../../shared/mirror/converters/converter.js';

const json = (schema: object, value: unknown) => {
  const buf = avro.Type.forSchema(schema as any).toBuffer(value);
  return new AvroJsonReader(schema as any).readAll(buf);
};

describe('AvroJsonReader', () => {
  it('unwraps unions, omits null fields, base64 bytes, enum symbols, maps and arrays', () => {
    const schema = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: ['null', 'string'] },
        { name: 'b', type: ['null', 'int'] },
        { name: 'c', type: 'bytes' },
        { name: 'e', type: { type: 'enum', name: 'E', symbols: ['X', 'Y'] } },
        { name: 'm', type: { type: 'map', values: ['null', 'long'] } },
        { name: 'l', type: { type: 'array', items: ['null', 'float'] } },
        { name: 'f', type: { type: 'fixed', name: 'F', size: 2 } },
      ],
    };
    expect(
      json(schema, {
        a: 'x',
        b: null,
        c: Buffer.from('hi'),
        e: 'Y',
        m: { k: 1, z: null },
        l: [0.1, null],
        f: Buffer.from([1, 2]),
      }),
    ).toBe('{"a":"x","c":"aGk=","e":"Y","m":{"k":1},"l":[0.1,null],"f":"AQI="}');
  });
  it('prints longs beyond 2^53 exactly', () => {
    const schema = { type: 'record', name: 'L', fields: [{ name: 'n', type: 'long' }] };
    // Hand-encoded zigzag varints: 2^53+1 and the minimum long.
    const enc = (v: bigint) => {
      let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
      const bytes: number[] = [];
      do {
        let b = Number(z & 0x7fn);
        z >>= 7n;
        if (z) b |= 0x80;
        bytes.push(b);
      } while (z);
      return Buffer.from(bytes);
    };
    const reader = new AvroJsonReader(schema);
    expect(reader.readAll(enc(9007199254740993n))).toBe('{"n":9007199254740993}');
    expect(reader.readAll(enc(-9223372036854775808n))).toBe('{"n":-9223372036854775808}');
    expect(reader.readAll(enc(9223372036854775807n))).toBe('{"n":9223372036854775807}');
    expect(reader.readAll(enc(-42n))).toBe('{"n":-42}');
  });
  it('decimals as exact strings; timestamps, dates and times as ISO text', () => {
    const schema = {
      type: 'record',
      name: 'T',
      fields: [
        { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 30, scale: 3 } },
        { name: 'ms', type: { type: 'long', logicalType: 'timestamp-millis' } },
        { name: 'us', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
        { name: 't', type: { type: 'int', logicalType: 'time-millis' } },
      ],
    };
    const hex = 123456789012345678901234567n.toString(16);
    const big = Buffer.from((hex.length % 2 ? '0' : '00') + hex, 'hex'); // a leading 0 byte keeps it positive
    const value = { d: big, ms: 1700000000123, us: 1700000000123456, day: 19000, t: 3_723_004 };
    expect(json(schema, value)).toBe(
      '{"d":"123456789012345678901234.567","ms":"2023-11-14T22:13:20.123Z","us":"2023-11-14T22:13:20.123456Z",' +
        '"day":"2022-01-08","t":"01:02:03.004"}',
    );
    expect(json(schema, { ...value, d: Buffer.from([0xff, 0xfb]) })).toMatch(/"d":"-0.005"/);
  });
  it('handles recursive named types and rejects trailing bytes', () => {
    const schema = {
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'v', type: 'int' },
        { name: 'next', type: ['null', 'Node'] },
      ],
    };
    expect(json(schema, { v: 1, next: { v: 2, next: null } })).toBe('{"v":1,"next":{"v":2}}');
    const reader = new AvroJsonReader(schema);
    expect(() => reader.readAll(Buffer.from([2, 0, 7]))).toThrow(/bytes left/);
    expect(() => reader.readAll(Buffer.from([2, 2]))).toThrow(/truncated/);
  });
});

describe('AvroEmbeddedConverter', () => {
  const schema = { type: 'record', name: 'S', fields: [{ name: 'x', type: 'int' }] };
  const type = avro.Type.forSchema(schema as any);
  it('reads single-object encoding (inline schema) and checks the fingerprint', async () => {
    const c = await AvroEmbeddedConverter.create({
      kind: 'avro-embedded',
      className: 'x',
      schema: JSON.stringify(schema),
    });
    const fp = Buffer.alloc(8);
    fp.writeBigUInt64LE(fingerprint64(JSON.stringify(type.schema())));
    const msg = Buffer.concat([Buffer.from([0xc3, 1]), fp, type.toBuffer({ x: 7 })]);
    expect((await c.convert(msg)).map(String)).toEqual(['{"x":7}']);
    const wrong = Buffer.from(msg);
    wrong[3] ^= 1;
    await expect(c.convert(wrong)).rejects.toBeInstanceOf(ConversionError);
    expect(await c.convert(null)).toEqual([null]);
  });
  it('CRC-64-AVRO matches the Avro reference value for "int"', () => {
    // org.apache.avro.SchemaNormalization.parsingFingerprint64 of the schema "int".
    expect(fingerprint64('"int"').toString(16)).toBe(BigInt.asUintN(64, 8247732601305521295n).toString(16));
  });
});
