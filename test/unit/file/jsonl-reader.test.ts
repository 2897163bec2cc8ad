import { describe, expect, it } from 'vitest';
import { readAll } from './reader-fixtures.js';

describe('JSON lines reader', () => {
  it('sends each line as written (trimmed), skips blank lines, names bad JSON with its column', async () => {
    const text = ' {"a":1} \n\n   \n{"a":\n[1,2]\r\n';
    const rs = await readAll(text, { format: 'jsonl', chunkSize: 2 });
    expect(rs).toHaveLength(3);
    expect(rs[0]).toEqual({ kind: 'record', value: '{"a":1}', line: 1, endOffset: 10 });
    expect(rs[1].kind).toBe('bad');
    expect(rs[1].line).toBe(4);
    if (rs[1].kind === 'bad') {
      expect(rs[1].reason).toMatch(/^invalid JSON at column 6: /);
      expect(rs[1].raw).toBe('{"a":');
    }
    expect(rs[2]).toEqual({ kind: 'record', value: '[1,2]', line: 5, endOffset: Buffer.byteLength(text) });
  });

  it('skips a header line when asked', async () => {
    const rs = await readAll('not json\n{"b":2}\n', { format: 'jsonl', skipHeader: true });
    expect(rs.map((r) => r.kind === 'record' && r.value)).toEqual(['{"b":2}']);
  });
});
