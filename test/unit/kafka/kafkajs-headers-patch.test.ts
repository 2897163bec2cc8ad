// patches/kafkajs+2.2.4.patch: kafkajs's record encoder takes headers as ordered [key, value] pairs (a key repeated
// around others, null values) and its decoder hands them back in that order as `headerList`; the object form
// kafkajs documents works as before.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: object) => Encoded;
const RecordDecoder = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (
  d: unknown,
  ctx: object,
) => { headers: Record<string, unknown>; headerList?: [string, Buffer | null][] };
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => { readVarIntBytes(): Buffer };

/** Encodes one record with kafkajs and decodes it back with kafkajs. */
function roundTrip(headers: unknown) {
  const { buffer } = Record({ key: Buffer.from('k'), value: Buffer.from('v'), headers });
  const body = new Decoder(buffer).readVarIntBytes();
  return RecordDecoder(new Decoder(body), { firstOffset: '0', firstTimestamp: '0', magicByte: 2 });
}

describe('kafkajs headers patch', () => {
  it('writes [key, value] pairs in order, a repeated key and null values included, and reads them back in order', () => {
    const pairs: [string, Buffer | null][] = [
      ['a', Buffer.from('1')],
      ['b', null],
      ['a', Buffer.from('3')],
      ['c', Buffer.alloc(0)],
    ];
    const got = roundTrip(pairs);
    expect(got.headerList).toEqual(pairs);
    // kafkajs's own view is unchanged: an object, a repeated key as an array, and no extra enumerable field.
    expect(got.headers).toEqual({ a: [Buffer.from('1'), Buffer.from('3')], b: null, c: Buffer.alloc(0) });
    expect(Object.keys(got)).not.toContain('headerList');
  });

  it('still takes the documented object form', () => {
    const got = roundTrip({ a: ['1', '2'], b: 'x' });
    expect(got.headerList).toEqual([
      ['a', Buffer.from('1')],
      ['a', Buffer.from('2')],
      ['b', Buffer.from('x')],
    ]);
  });
});
