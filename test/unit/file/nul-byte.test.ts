// A NUL byte in a text record makes it a bad record (binary data), in every format, with its line; other records of
// the file still load.
import { describe, expect, it } from 'vitest';
import { NulFinder, nulByteRecord } from '../../../shared/file/readers/nul-byte.js';
import { readRecords } from '../../../shared/file/readers/read-records.js';
import type { ReadResult } from '../../../shared/file/record.js';
import { readerSpec, streamOf } from './reader-fixtures.js';

async function read(
  text: string | Buffer,
  format: 'delimited' | 'jsonl',
  quote: '' | '"' | "'" = '',
): Promise<ReadResult[]> {
  const out: ReadResult[] = [];
  for await (const r of readRecords(streamOf(text, 7), { format, reader: readerSpec({ quote }), skipHeader: false }))
    out.push(r);
  return out;
}

const summary = (rs: ReadResult[]) =>
  rs.map((r) => (r.kind === 'record' ? `${r.line} ${r.value}` : `${r.line} BAD ${r.reason}`));

describe('nulByteRecord', () => {
  it('is undefined for text, a bad record naming the column for a string and the byte for bytes', () => {
    expect(nulByteRecord('a,b,c', 1, 6)).toBeUndefined();
    expect(nulByteRecord('ab\0c', 4, 20)).toEqual({
      kind: 'bad',
      raw: 'ab\0c',
      line: 4,
      endOffset: 20,
      reason: 'NUL byte at column 3: not text (a binary file?)',
    });
    expect(nulByteRecord(Buffer.from('x\0'), 1, 3)?.reason).toBe(
      'NUL byte at byte 2 of the record: not text (a binary file?)',
    );
    expect(nulByteRecord('\0'.repeat(5000), 1, 5001)?.raw).toHaveLength(1024);
  });

  it.each([
    ['delimited', ''],
    ['delimited', '"'],
  ] as const)('a %s file (quote %j): the NUL line is bad, the others load', async (format, quote) => {
    expect(summary(await read('a,1\nb,\0\nc,3\n', format, quote))).toEqual([
      '1 a,1',
      '2 BAD NUL byte at column 3: not text (a binary file?)',
      '3 c,3',
    ]);
  });

  it('a JSON lines file: the NUL line is bad (not "invalid JSON")', async () => {
    expect(summary(await read('{"a":1}\n{"a":"\0"}\n', 'jsonl'))).toEqual([
      '1 {"a":1}',
      '2 BAD NUL byte at column 7: not text (a binary file?)',
    ]);
  });

  it('a binary file renamed .csv yields bad records, not records', async () => {
    // An ELF header and some machine code: what /bin/ls renamed data.csv starts with.
    const elf = Buffer.from('7f454c4602010100000000000000000003003e0001000000\n90c3\n', 'hex');
    const results = await read(Buffer.concat([elf, Buffer.from('\n\0\0\n')]), 'delimited');
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.kind === 'bad')).toBe(true);
  });
});

describe('NulFinder (bytes, one pass per buffer)', () => {
  it('finds the NUL lines among the lines of one buffer, in order, and starts afresh on a new buffer', () => {
    const buf = Buffer.from('a,1\nb,\0x\nc,3\n\0\n');
    const lines: Array<[number, number]> = [
      [0, 3],
      [4, 8],
      [9, 12],
      [13, 14],
    ];
    const finder = new NulFinder();
    const found = lines.map(([s, e], i) => finder.check(buf, s, e, i + 1, e + 1)?.reason ?? 'ok');
    expect(found).toEqual([
      'ok',
      'NUL byte at byte 3 of the record: not text (a binary file?)',
      'ok',
      'NUL byte at byte 1 of the record: not text (a binary file?)',
    ]);
    expect(finder.check(Buffer.from('clean\n'), 0, 5, 1, 6)).toBeUndefined();
    expect(finder.check(Buffer.from('x\0'), 0, 2, 1, 3)?.line).toBe(1);
  });
});
