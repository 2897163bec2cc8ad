import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { joinFields, quoteOpenAfter, splitQuotedRecord } from '../../../shared/file/readers/quoted-reader.js';
import { readAll, streamOf } from './reader-fixtures.js';

const values = (rs: { kind: string; value?: string }[]): (string | undefined)[] =>
  rs.map((r) => (r.kind === 'record' ? r.value : `BAD`));

describe('quoted delimited reader', () => {
  it('keeps a quoted field spanning lines as one record, with its first line and exact end offset', async () => {
    const text = 'id,note\n1,"two\nlines, here"\n2,"say ""hi"""\n3,plain\n';
    for (const chunkSize of [1, 5, 65536]) {
      const rs = await readAll(text, { spec: { quote: '"' }, chunkSize });
      expect(values(rs)).toEqual(['id,note', '1,"two\nlines, here"', '2,"say ""hi"""', '3,plain']);
      expect(rs.map((r) => r.line)).toEqual([1, 2, 4, 5]);
      expect(rs[1].endOffset).toBe(Buffer.byteLength('id,note\n1,"two\nlines, here"\n'));
      expect(rs[3].endOffset).toBe(Buffer.byteLength(text));
    }
  });

  it('drops quotes that are not needed and fills value.default into empty fields', async () => {
    const rs = await readAll(`'a','',c,\n'x,y',''''\n`, { spec: { quote: "'", valueDefault: 'N' } });
    expect(values(rs)).toEqual(['a,N,c,N', `'x,y',''''`]);
  });

  it('makes a malformed record a bad record naming the file line, and reads on', async () => {
    const text = 'a,b\nc,"d"x,y\ne,f\n';
    const rs = await readAll(text, { spec: { quote: '"' } });
    expect(rs.map((r) => r.kind)).toEqual(['record', 'bad', 'record']);
    const bad = rs[1];
    expect(bad.line).toBe(2);
    expect(bad.endOffset).toBe(13);
    expect(bad.kind === 'bad' && bad.reason).toMatch(/Invalid Closing Quote.*line 2/);
    expect(values([rs[2]])).toEqual(['e,f']);
  });

  it('reports a quote left open at EOF', async () => {
    const text = 'a,b\nc,"d\ne,f\n';
    const rs = await readAll(text, { spec: { quote: '"' } });
    expect(rs.map((r) => r.kind)).toEqual(['record', 'bad']);
    expect(rs[1].kind === 'bad' && rs[1].reason).toMatch(/Quote Not Closed/);
    expect(rs[1].line).toBe(2);
    expect(rs[1].endOffset).toBe(Buffer.byteLength(text));
  });

  it('bounds an unclosed quote by max.line.bytes and recovers at the next line', async () => {
    const text = `a,"open\n${'z\n'.repeat(100)}"`;
    const rs = await readAll(text, { spec: { quote: '"', maxLineBytes: 50 } });
    expect(rs[0].kind).toBe('bad');
    expect(rs[0].kind === 'bad' && rs[0].reason).toMatch(/max\.line\.bytes \(50\)/);
    // Reading resumed line by line after the cut: the remaining z lines are records again.
    expect(rs.filter((r) => r.kind === 'record').length).toBeGreaterThan(70);
  });

  it('tracks quote state like a CSV parser', () => {
    expect(quoteOpenAfter('a,"b', ',', '"', false)).toBe(true);
    expect(quoteOpenAfter('a,"b""', ',', '"', false)).toBe(true);
    expect(quoteOpenAfter('a,"b"""', ',', '"', false)).toBe(false);
    expect(quoteOpenAfter('a,b"c', ',', '"', false)).toBe(false);
    expect(quoteOpenAfter('end",x', ',', '"', true)).toBe(false);
    expect(joinFields(['a', '', 'b"c', 'd,e'], ',', '"', '')).toBe('a,,"b""c","d,e"');
  });
});

/** csv-parse over the whole file, the values re-joined: what the reader must agree with. */
async function csvParseValues(text: string, quote: string | false, valueDefault: string): Promise<string[]> {
  const out: string[] = [];
  const parser = streamOf(text, 7).pipe(
    parse({ delimiter: ',', quote, record_delimiter: '\n', relax_column_count: true, skip_empty_lines: true }),
  );
  for await (const fields of parser) out.push(joinFields(fields as string[], ',', '"', valueDefault));
  return out;
}

describe('fast path and csv-parse agree where both apply', () => {
  const lines: string[] = [];
  for (let i = 0; i < 500; i++) {
    const cols = [`id${i}`, i % 3 === 0 ? '' : `v${i * 7}`, 'ünï€', i % 5 === 0 ? '' : 'x y', `${i / 4}`];
    lines.push(i % 11 === 0 ? '' : cols.slice(0, 2 + (i % 4)).join(','));
  }
  const text = lines.join('\n') + '\n';

  for (const valueDefault of ['', 'NULL']) {
    it(`gives the same records, value.default '${valueDefault}'`, async () => {
      const fast = (await readAll(text, { spec: { valueDefault }, chunkSize: 333 })).map(
        (r) => r.kind === 'record' && r.value,
      );
      const quoted = await readAll(text, { spec: { valueDefault, quote: '"' }, chunkSize: 333 });
      expect(quoted.map((r) => r.kind === 'record' && r.value)).toEqual(fast);
      expect(quoted.map((r) => r.endOffset)).toEqual(
        (await readAll(text, { spec: { valueDefault } })).map((r) => r.endOffset),
      );
      expect(fast).toEqual(await csvParseValues(text, '"', valueDefault));
      expect(fast).toEqual(await csvParseValues(text, false, valueDefault));
      expect(fast.length).toBe(lines.filter((l) => l !== '').length);
    });
  }

  it('agrees with csv-parse on quoted data too', async () => {
    const text = 'a,"b,c",d\n"multi\nline",x\n"",y\n"q""q",z\n';
    const ours = (await readAll(text, { spec: { quote: '"', valueDefault: 'D' } })).map(
      (r) => r.kind === 'record' && r.value,
    );
    expect(ours).toEqual(await csvParseValues(text, '"', 'D'));
  });
});

describe('the RFC 4180 splitter agrees with csv-parse record by record', () => {
  it('gives the same fields, and refuses exactly what csv-parse refuses', () => {
    const pieces = ['a', '', '"b,c"', '""', '"d""e"', '"x\ny"', 'f"g', '"h"i', '"open', ' "s" ', 'é€'];
    let checked = 0;
    for (const p1 of pieces) {
      for (const p2 of pieces) {
        for (const p3 of pieces) {
          const text = [p1, p2, p3].join(',');
          let expected: string[] | undefined;
          try {
            const rows = parseSync(text, { quote: '"', escape: '"', relax_column_count: true, record_delimiter: '\n' });
            expected = rows.length === 1 ? rows[0] : undefined;
          } catch {
            expected = undefined;
          }
          expect(splitQuotedRecord(text, ',', '"'), text).toEqual(expected);
          checked++;
        }
      }
    }
    expect(checked).toBe(pieces.length ** 3);
  });
});

describe('CRLF files: only the record terminator is the eol', () => {
  it('a quoted field keeps its CR LF; the record ends at the CR LF outside quotes (any chunking)', async () => {
    const text = '\uFEFFid,"no\r\nte"\r\n1,"two\r\nlines\r\n, here"\r\n2,"lf\nonly"\r\n3,plain\r\n';
    for (const chunkSize of [1, 3, 65536]) {
      const rs = await readAll(text, { spec: { quote: '"' }, chunkSize });
      expect(values(rs)).toEqual(['id,"no\r\nte"', '1,"two\r\nlines\r\n, here"', '2,"lf\nonly"', '3,plain']);
      expect(rs.map((r) => r.line)).toEqual([1, 3, 6, 8]);
      expect(rs.map((r) => r.endOffset)).toEqual(
        ['\uFEFFid,"no\r\nte"\r\n', '1,"two\r\nlines\r\n, here"\r\n', '2,"lf\nonly"\r\n', '3,plain\r\n'].reduce<
          number[]
        >((ends, part) => [...ends, (ends.at(-1) ?? 0) + Buffer.byteLength(part)], []),
      );
    }
  });

  it('a malformed multi-line record goes to csv-parse and is dead-lettered with its CR LF intact', async () => {
    const text = 'a,b\r\nc,"d\r\ne"x\r\nf,g\r\n';
    const rs = await readAll(text, { spec: { quote: '"' } });
    expect(rs.map((r) => r.kind)).toEqual(['record', 'bad', 'record']);
    expect(rs[1].kind === 'bad' && rs[1].raw).toBe('c,"d\r\ne"x');
    // csv-parse counts CR and LF as two lines; the reason names the file's line 3 (where the quote closes).
    expect(rs[1].kind === 'bad' && rs[1].reason).toMatch(/^Invalid Closing Quote: got "x" at line 3 /);
    expect(values([rs[0], rs[2]])).toEqual(['a,b', 'f,g']);
  });

  it('an unclosed quote at EOF keeps the CR LF of its lines but not the last terminator', async () => {
    const rs = await readAll('x,"open\r\nstill\r\n', { spec: { quote: '"' } });
    expect(rs).toHaveLength(1);
    expect(rs[0].kind === 'bad' && rs[0].raw).toBe('x,"open\r\nstill');
  });

  it('the fast path (no quote setting): a record is a line; only its terminating CR goes', async () => {
    const rs = await readAll('a,"b\r\nc"\r\nd\re,f\r\n', { spec: { quote: '' } });
    expect(values(rs)).toEqual(['a,"b', 'c"', 'd\re,f']);
  });
});
