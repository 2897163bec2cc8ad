import { describe, expect, it } from 'vitest';
import { readAll } from './reader-fixtures.js';

const values = (rs: { kind: string; value?: string; raw?: string }[]): string[] =>
  rs.map((r) => (r.kind === 'record' ? r.value! : `BAD:${r.raw}`));

describe('delimited reader, quote empty (fast path)', () => {
  it('yields lines with line numbers and exact byte offsets, multi-byte characters included', async () => {
    const text = 'a,b\nçé,€\n\nlast';
    for (const chunkSize of [1, 2, 3, 7, 65536]) {
      const rs = await readAll(text, { chunkSize });
      expect(rs).toEqual([
        { kind: 'record', value: 'a,b', line: 1, endOffset: 4 },
        { kind: 'record', value: 'çé,€', line: 2, endOffset: 4 + Buffer.byteLength('çé,€\n') },
        { kind: 'record', value: 'last', line: 4, endOffset: Buffer.byteLength(text) },
      ]);
    }
  });

  it('accepts CRLF, strips a BOM at the file start, skips empty and CR-only lines', async () => {
    const text = '\uFEFFh1,h2\r\n1,2\r\n\r\n3,4\r\n';
    const rs = await readAll(text, { chunkSize: 1 });
    expect(values(rs)).toEqual(['h1,h2', '1,2', '3,4']);
    expect(rs.map((r) => r.line)).toEqual([1, 2, 4]);
    expect(rs[2].endOffset).toBe(Buffer.byteLength(text));
  });

  it('skips the header (the first record) when asked', async () => {
    const rs = await readAll('\nh1,h2\n1,2\n', { skipHeader: true });
    expect(values(rs)).toEqual(['1,2']);
    expect(rs[0].line).toBe(3);
  });

  it('keeps quotes as ordinary characters', async () => {
    expect(values(await readAll('"a,b",c\n'))).toEqual(['"a,b",c']);
  });

  it('fills value.default into empty columns only', async () => {
    const rs = await readAll('a,,c,\n,b\nx,y\n', { spec: { valueDefault: 'NULL' } });
    expect(values(rs)).toEqual(['a,NULL,c,NULL', 'NULL,b', 'x,y']);
    const tab = await readAll('a\t\tc\n', { spec: { valueDefault: '0', separator: '\t' } });
    expect(values(tab)).toEqual(['a\t0\tc']);
  });

  it('splits on a multi-byte eol, also when it straddles chunks', async () => {
    const text = 'a|b||c||d||||e';
    for (const chunkSize of [1, 2, 3, 100]) {
      const rs = await readAll(text, { spec: { eol: '||' }, chunkSize });
      expect(values(rs)).toEqual(['a|b', 'c', 'd', 'e']);
      expect(rs.map((r) => r.endOffset)).toEqual([5, 8, 11, 14]);
      expect(rs.map((r) => r.line)).toEqual([1, 2, 3, 5]);
    }
  });

  it('turns a too-long line into a bad record and goes on after its eol', async () => {
    const long = 'x'.repeat(5000);
    const text = `ok1\n${long}\nok2\n${long}`;
    for (const chunkSize of [1, 100, 65536]) {
      const rs = await readAll(text, { spec: { maxLineBytes: 100 }, chunkSize });
      expect(rs.map((r) => r.kind)).toEqual(['record', 'bad', 'record', 'bad']);
      const bad = rs[1];
      expect(bad.kind === 'bad' && bad.reason).toMatch(/file\.reader\.max\.line\.bytes \(100\)/);
      expect(bad.kind === 'bad' && bad.raw.length).toBe(1024);
      expect(bad.line).toBe(2);
      expect(bad.endOffset).toBe(4 + 5001);
      expect(rs[2]).toEqual({ kind: 'record', value: 'ok2', line: 3, endOffset: 4 + 5001 + 4 });
      expect(rs[3].endOffset).toBe(Buffer.byteLength(text));
    }
  });

  it('lets a CRLF line of exactly max bytes through', async () => {
    const rs = await readAll(`${'y'.repeat(10)}\r\nz\r\n`, { spec: { maxLineBytes: 10 }, chunkSize: 3 });
    expect(values(rs)).toEqual(['y'.repeat(10), 'z']);
  });
});
