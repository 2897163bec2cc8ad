// pumpRecords (records as bytes, the file task's path) against readRecords (records as objects): the same records
// wherever text is enough, and the file's own bytes where text would have rewritten them.
import { describe, expect, it } from 'vitest';
import type { FileReaderSpec } from '../../../shared/config/spec.js';
import type { RecordFormat } from '../../../shared/file/file-format.js';
import { pumpRecords, readRecords } from '../../../shared/file/readers/read-records.js';
import { fillEmptyColumnBytes } from '../../../shared/file/readers/record-output.js';
import { readerSpec, streamOf } from './reader-fixtures.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecyclingFileStream } from '../../../shared/storage/recycling-file-stream.js';

interface Out {
  value: Buffer | string;
  line?: number;
  endOffset: number;
}

const tmp = mkdtempSync(join(tmpdir(), 'dsc-pump-'));
let files = 0;

/** The data as a local file read the way the file task reads it: 7-byte chunks in four buffers that are reused. */
function reusedBuffersOf(data: string | Buffer): RecyclingFileStream {
  const path = join(tmp, `${files++}.txt`);
  writeFileSync(path, data);
  return new RecyclingFileStream(path, 0, undefined, 7);
}

async function pumped(
  data: string | Buffer,
  format: RecordFormat,
  reader: FileReaderSpec,
  chunk = 7,
  reuse = false,
): Promise<Out[]> {
  const out: Out[] = [];
  const output = {
    record: (buf: Buffer, s: number, e: number, line: number | undefined, endOffset: number) =>
      out.push({ value: Buffer.from(buf.subarray(s, e)), line, endOffset }),
    bad: (r: { raw: string; line?: number; endOffset: number }) =>
      out.push({ value: `BAD:${r.raw}`, line: r.line, endOffset: r.endOffset }),
  };
  const input = reuse ? reusedBuffersOf(data) : streamOf(data, chunk);
  for await (const _ of pumpRecords(input, { format, reader, skipHeader: reader.header }, output));
  return out;
}

async function read(
  data: string | Buffer,
  format: RecordFormat,
  reader: FileReaderSpec,
  chunk: number,
): Promise<Out[]> {
  const out: Out[] = [];
  for await (const r of readRecords(streamOf(data, chunk), { format, reader, skipHeader: reader.header })) {
    out.push({ value: r.kind === 'record' ? r.value : `BAD:${r.raw}`, line: r.line, endOffset: r.endOffset });
  }
  return out;
}

const text = (o: Out[]) => o.map((x) => ({ ...x, value: x.value.toString() }));

describe('pumpRecords', () => {
  const cases: [string, string, RecordFormat, Partial<FileReaderSpec>][] = [
    ['plain lines, CRLF, BOM, empty lines', '\ufeffa,b\r\n\r\nc,d\nlast', 'delimited', {}],
    ['header skipped', 'h1,h2\n1,2\n3,4\n', 'delimited', { header: true }],
    ['value.default fills empty columns', ',a,,b,\nx\n,\n', 'delimited', { valueDefault: 'NULL' }],
    ['multi-byte separator and eol', 'a||b;;c||||d;;', 'delimited', { separator: '||', eol: ';;' }],
    ['quoted fields over lines', 'id,t\n1,"a,b"\n2,"x\ny"\n', 'delimited', { quote: '"', header: true }],
    ['JSON lines, blank and bad lines', '{"a":1}\n\n  {"b":[2]}  \n{nope\n', 'jsonl', {}],
    [
      'JSON lines: a bad line keeps its place',
      '{"a":1}\n{nope\n{"c":3}\n' + 'x'.repeat(30) + '\n[4]\n',
      'jsonl',
      { maxLineBytes: 20 },
    ],
    ['too long lines are bad records', 'short\n' + 'x'.repeat(40) + '\nok\n', 'delimited', { maxLineBytes: 20 }],
  ];
  it.each(cases)('%s: the same records as readRecords', async (_name, data, format, overrides) => {
    const reader = readerSpec(overrides);
    for (const chunk of [7, 65536]) {
      // 65536: the whole input in one chunk (a bad record must still come out in its place)
      expect(text(await pumped(data, format, reader, chunk))).toEqual(text(await read(data, format, reader, chunk)));
    }
  });

  it.each(cases)('%s: the same records when the read buffers are reused (transientChunks)', async (...c) => {
    const [, data, format, overrides] = c;
    const reader = readerSpec(overrides);
    const long = `${data}\n${'y'.repeat(60)},z\n`; // a line over nine chunks: its start must be copied, not kept
    const expected = text(await read(long, format, reader, 7));
    expect(text(await pumped(long, format, reader, 7, true))).toEqual(expected);
  });

  it('keeps invalid UTF-8 byte for byte in plain lines, filled lines and JSON strings', async () => {
    const raw = Buffer.from([0x61, 0xff, 0x2c, 0x2c, 0xc3, 0x28]); // a\xff,,\xc3(
    const plain = await pumped(Buffer.concat([raw, Buffer.from('\n')]), 'delimited', readerSpec(), 3);
    expect(plain[0].value).toEqual(raw);
    const filled = await pumped(raw, 'delimited', readerSpec({ valueDefault: 'N' }), 2);
    expect(filled[0].value).toEqual(Buffer.from([0x61, 0xff, 0x2c, 0x4e, 0x2c, 0xc3, 0x28]));
    const json = Buffer.concat([Buffer.from(' {"s":"'), Buffer.from([0xfe, 0x41]), Buffer.from('"}\t\n')]);
    const [j] = await pumped(json, 'jsonl', readerSpec(), 4);
    expect(j.value).toEqual(json.subarray(1, json.length - 2));
  });
});

describe('fillEmptyColumnBytes', () => {
  const fill = (line: string, sep = ',', v = '-') => {
    const b = Buffer.from(line);
    const r = fillEmptyColumnBytes(b, 0, b.length, Buffer.from(sep), Buffer.from(v));
    return { text: r.buf.subarray(r.s, r.e).toString(), same: r.buf === b };
  };
  it('fills leading, inner and trailing empty columns, and copies only then', () => {
    expect(fill(',a,,b,')).toEqual({ text: '-,a,-,b,-', same: false });
    expect(fill('a,b')).toEqual({ text: 'a,b', same: true });
    expect(fill(',')).toEqual({ text: '-,-', same: false });
    expect(fill('a::::b', '::')).toEqual({ text: 'a::-::b', same: false });
  });
});
