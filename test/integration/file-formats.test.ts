// Formats and reader options, end to end: a file (local and on fake-gcs-server) → connector → real Kafka topic,
// compared with what the file holds.
import { pathToFileURL } from 'node:url';
import type { FileTaskOptions } from '../../shared/file/file-source-task.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  consumeAll,
  fileSpec,
  gcsBucket,
  harnessPerTest,
  tempDir,
  unique,
  values,
  type Harness,
} from './file-helpers.js';

const newHarness = harnessPerTest();
let h: Harness | undefined;

/** Loads `content` as one file named `fileName` with `keys` and returns the records on the topic. */
async function load(
  where: 'local' | 'gcs',
  fileName: string,
  content: string | Buffer,
  keys: Record<string, string | number | boolean> = {},
  taskOptions: FileTaskOptions = {},
) {
  const topic = unique('fmt');
  let uri: string;
  if (where === 'local') uri = pathToFileURL(join(tempDir({ [fileName]: content }), fileName)).href;
  else uri = `gs://${await gcsBucket({ [fileName]: content })}/${fileName}`;
  h = await newHarness({ taskOptions });
  const spec = fileSpec(topic, { topic, 'file.uris': uri, ...keys });
  await h.create(spec);
  expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');
  return { records: await consumeAll(topic), uri, tasks: await h.tasks(spec.name) };
}

describe.each(['local', 'gcs'] as const)('file formats (%s)', (where) => {
  it('a batch larger than the broker message.max.bytes (the seed uses batch.size=10000) still goes out', async () => {
    const lines = Array.from({ length: 12_000 }, (_, i) => `${i},${'x'.repeat(150)}`);
    const { records } = await load(where, 'wide.csv', lines.join('\n') + '\n', { 'file.reader.batch.size': 10000 });
    expect(values(records)).toEqual(lines);
  });

  it('delimited with defaults: one record per line, bare values (no headers)', async () => {
    const { records } = await load(where, 'p.csv', 'a,1\nb,2\nc,3\n');
    expect(values(records)).toEqual(['a,1', 'b,2', 'c,3']);
    expect(records.map((r) => r.headers)).toEqual([{}, {}, {}]);
  });

  it('file.reader.provenance.headers=true: headers name source and line', async () => {
    const { records, uri } = await load(where, 'p.csv', 'a,1\nb,2\nc,3\n', { 'file.reader.provenance.headers': true });
    expect(values(records)).toEqual(['a,1', 'b,2', 'c,3']);
    expect(records.map((r) => r.headers['dsc.line'])).toEqual(['1', '2', '3']);
    expect(records[0].headers['dsc.source']).toBe(uri);
    expect(records[2].headers['dsc.offset']).toBeUndefined(); // only where the line number is unknown
    if (where === 'gcs') expect(records[0].headers['dsc.generation']).toMatch(/^\d+$/);
    else expect(records[0].headers['dsc.generation']).toBeUndefined();
  });

  it('header=true skips the first line; CRLF and a BOM are accepted', async () => {
    const { records } = await load(where, 'h.csv', '\ufeffname,age\r\nTom,40\r\nDan,34\r\n', {
      'file.reader.text.header': true,
    });
    expect(values(records)).toEqual(['Tom,40', 'Dan,34']);
  });

  it('BOM without header: stripped from the first record', async () => {
    const { records } = await load(where, 'bom.csv', '\ufeffTom,40\nDan,34\n');
    expect(values(records)).toEqual(['Tom,40', 'Dan,34']);
  });

  it('separator and value.default fill empty columns', async () => {
    const { records } = await load(where, 's.csv', 'a||c\n|b|\n', {
      'file.reader.delimited.separator': '|',
      'file.reader.delimited.value.default': 'NULL',
    });
    expect(values(records)).toEqual(['a|NULL|c', 'NULL|b|NULL']);
  });

  it('quote=double: separators and line breaks inside quotes stay in one record', async () => {
    const { records } = await load(where, 'q.csv', 'id,text\n1,"hello, world"\n2,"two\nlines"\n3,plain\n', {
      'file.reader.delimited.quote': 'double',
      'file.reader.text.header': true,
      'file.reader.provenance.headers': true,
    });
    expect(values(records)).toEqual(['1,"hello, world"', '2,"two\nlines"', '3,plain']);
    expect(records.map((r) => r.headers['dsc.line'])).toEqual(['2', '3', '5']);
  });

  it('quote=double in a CRLF file: a CR LF inside quotes arrives as CR LF; the record terminator goes', async () => {
    const file = 'id,text\r\n1,"two\r\nlines"\r\n2,"a\r\n\r\nb, c"\r\n3,plain\r\n';
    const { records } = await load(where, 'crlf.csv', file, {
      'file.reader.delimited.quote': 'double',
      'file.reader.text.header': true,
      'file.reader.provenance.headers': true,
    });
    expect(values(records)).toEqual(['1,"two\r\nlines"', '2,"a\r\n\r\nb, c"', '3,plain']);
    expect(records.map((r) => r.headers['dsc.line'])).toEqual(['2', '4', '7']);
  });

  it("quote=single: ' is the quote character", async () => {
    const { records } = await load(where, 'q1.csv', "1,'a,b'\n2,'x'\n", { 'file.reader.delimited.quote': 'single' });
    expect(values(records)).toEqual(["1,'a,b'", '2,x']);
  });

  it('a custom eol', async () => {
    const { records } = await load(where, 'e.csv', 'a,1;b,2;c,3', { 'file.reader.text.eol': ';' });
    expect(values(records)).toEqual(['a,1', 'b,2', 'c,3']);
  });

  it('JSON lines: .json files are one object per line', async () => {
    const { records } = await load(where, 'x.json', '{"a":1}\n{"b":[1,2]}\n\n{"c":"x,y"}\n');
    expect(values(records)).toEqual(['{"a":1}', '{"b":[1,2]}', '{"c":"x,y"}']);
  });

  it('batch.size: every record arrives, one checkpoint per batch (at least once)', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => `r${i}`);
    // Exactly once (the default) checkpoints per transaction instead: file-exactly-once.test.ts.
    // An hour's lease: no state check renews it between two checkpoints (with the harness's 5 s lease, a loaded
    // machine slower than 1.7 s per checkpoint would add renewal writes to the count).
    const { records, tasks } = await load(
      where,
      'b.csv',
      lines.join('\n') + '\n',
      { 'file.reader.batch.size': 4, 'exactly.once.source.support': 'disabled' },
      { leaseMs: 3_600_000 },
    );
    expect(values(records)).toEqual(lines);
    // take the lease + ceil(25/4)=7 checkpoints (+ the last position) + FINISHED: the version counts the writes.
    expect(tasks[0].version).toBeGreaterThanOrEqual(1 + 7 + 1);
    expect(tasks[0].version).toBeLessThanOrEqual(1 + 7 + 3);
    expect(tasks[0].progress).toMatchObject({ records: 25, filesDone: 1, filesTotal: 1, errors: 0 });
  });
});
