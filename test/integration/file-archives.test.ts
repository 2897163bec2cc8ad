// Archives end to end (gzip, tar, tar.gz/tgz, zip): entries filtered by file.regexp, the header skipped per entry,
// a corrupt entry failing clearly while the rest loads. Through fake-gcs-server (zip by ranged reads) and local files.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import {
  consumeAll,
  fileSpec,
  gcsBucket,
  gzip,
  harnessPerTest,
  tarOf,
  tempDir,
  unique,
  values,
  zipOf,
  type Harness,
} from './file-helpers.js';

const newHarness = harnessPerTest();
let h: Harness | undefined;

const ENTRIES = {
  'a.csv': 'name,n\na1,1\na2,2\n',
  'dir/b.csv': 'name,n\nb1,1\n',
  'notes.txt': 'not data\n',
};

async function load(
  where: 'local' | 'gcs',
  fileName: string,
  content: Buffer,
  keys: Record<string, string | number | boolean>,
) {
  const topic = unique('arc');
  const uri =
    where === 'gcs'
      ? `gs://${await gcsBucket({ [fileName]: content })}/${fileName}`
      : pathToFileURL(join(tempDir({ [fileName]: content }), fileName)).href;
  h = await newHarness();
  const spec = fileSpec(topic, { topic, 'file.uris': uri, ...keys });
  await h.create(spec);
  const state = await h.waitFor(spec.name, ['FINISHED', 'FAILED']);
  return { state, records: await consumeAll(topic), uri, tasks: await h.tasks(spec.name), name: spec.name };
}

const csvOnly = { 'file.regexp': '.*\\.csv', 'file.reader.text.header': true, 'file.reader.provenance.headers': true };

describe.each(['local', 'gcs'] as const)('archives (%s)', (where) => {
  it('gzip: one entry, named without .gz', async () => {
    const { records, uri, state } = await load(where, 'p.csv.gz', gzip('name\nTom\nDan\n'), csvOnly);
    expect(state).toBe('FINISHED');
    expect(values(records)).toEqual(['Tom', 'Dan']);
    expect(records[0].headers['dsc.source']).toBe(`${uri}!p.csv`);
    expect(records[0].headers['dsc.line']).toBe('2');
  });

  it('tar: regexp filters entries; the header is skipped in every entry', async () => {
    const { records, uri } = await load(where, 'data.tar', await tarOf(ENTRIES), csvOnly);
    expect(values(records)).toEqual(['a1,1', 'a2,2', 'b1,1']);
    expect(records[2].headers['dsc.source']).toBe(`${uri}!dir/b.csv`);
  });

  it('tgz and tar.gz', async () => {
    for (const name of ['data.tgz', 'data.tar.gz']) {
      const { records } = await load(where, name, gzip(await tarOf(ENTRIES)), csvOnly);
      expect(values(records)).toEqual(['a1,1', 'a2,2', 'b1,1']);
    }
  });

  it('zip: regexp filters entries; header per entry', async () => {
    const { records } = await load(where, 'data.zip', await zipOf(ENTRIES), csvOnly);
    expect(values(records)).toEqual(['a1,1', 'a2,2', 'b1,1']);
  });

  it('an archive selected by its own name is read whole', async () => {
    const { records } = await load(where, 'data.zip', await zipOf(ENTRIES), { 'file.regexp': 'data\\.zip' });
    expect(values(records).sort()).toEqual(['a1,1', 'a2,2', 'b1,1', 'name,n', 'name,n', 'not data'].sort());
  });

  it('a corrupt zip entry under errors.tolerance=all: that entry fails visibly, the rest loads', async () => {
    const zip = await zipOf({ 'bad.csv': 'BAD-1\nBAD-2\n', 'good.csv': 'z1\nz2\n' }, false);
    // Damage the stored bytes of bad.csv: its CRC-32 no longer matches.
    const at = zip.indexOf('BAD-1');
    zip.write('XXX', at);
    const { records, tasks, state, uri } = await load(where, 'mixed.zip', zip, { 'errors.tolerance': 'all' });
    expect(state).toBe('FINISHED');
    expect(values(records)).toEqual(expect.arrayContaining(['z1', 'z2']));
    expect(tasks[0].progress.errors).toBe(1);
    expect(tasks[0].lastError).toContain(`${uri}!bad.csv`);
    expect(tasks[0].detail).toEqual({ failedEntries: [expect.stringContaining(`${uri}!bad.csv`)] });
  });
});

describe('corrupt archives', () => {
  const FIRST = Array.from({ length: 3000 }, (_, i) => `o${i}-${(i * 7919) % 10007}`);
  const TWO_ENTRIES = { 'one.csv': FIRST.join('\n') + '\n', 'two.csv': 't1\nt2\n' };

  it('a truncated gzip under tolerance=none fails the task naming the entry', async () => {
    const data = gzip(Array.from({ length: 2000 }, (_, i) => `line-${i}`).join('\n'));
    const { state, tasks, uri } = await load('gcs', 'cut.csv.gz', data.subarray(0, Math.floor(data.length / 2)), {});
    expect(state).toBe('FAILED');
    expect(tasks[0].lastError).toContain(`${uri}!cut.csv`);
  });

  it('a corrupt tar entry under tolerance=all: counted and named in status, the entries before it loaded', async () => {
    // The first entry is large, so the damage at the end of the compressed stream cannot reach its bytes (gzip's
    // CRC is only checked at the end: bytes decoded before the damage are what they were). two.csv's bytes ARE
    // decoded from the damage: garbage that here holds no NUL byte, so no bad record; about one mtime in ten
    // gives a NUL (a bad record, rightly counted: errors 2), hence tarOf's fixed mtime (the test below).
    const tarball = await tarOf(TWO_ENTRIES);
    const gz = gzip(tarball);
    // Garbage after a valid first part: the stream breaks inside the archive.
    const broken = Buffer.concat([gz.subarray(0, gz.length - 30), Buffer.alloc(30, 0x41)]);
    const { state, tasks, records } = await load('local', 'bad.tgz', broken, { 'errors.tolerance': 'all' });
    expect(state).toBe('FINISHED');
    expect(tasks[0].progress.errors).toBe(1);
    expect(tasks[0].lastError).toMatch(/bad\.tgz/);
    expect(values(records)).toEqual(expect.arrayContaining(FIRST.slice(0, 2000)));
  });

  it('tarOf gives the same bytes whatever the clock (the corrupt tar entry above depends on them)', async () => {
    const now = await tarOf(TWO_ENTRIES);
    // The epoch: with the clock's mtime, the damaged tgz above would decode a NUL byte into two.csv (errors 2).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(0);
    try {
      expect((await tarOf(TWO_ENTRIES)).equals(now)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});
