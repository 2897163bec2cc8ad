import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { archiveTypeFor, openEntries, type ArchiveKind } from '../../../shared/file/archives/index.js';
import { matchesFileRegexp } from '../../../shared/file/file-format.js';
import { readRecords } from '../../../shared/file/readers/read-records.js';
import { collect, readerSpec } from './reader-fixtures.js';

/** An OpenObject over bytes in memory, recording the ranges asked for. */
function objectOf(bytes: Buffer, reads: Array<{ start: number; end?: number }> = []) {
  return (range?: { start: number; end?: number }): Readable => {
    reads.push(range ?? { start: 0 });
    const part = range ? bytes.subarray(range.start, range.end) : bytes;
    // Small chunks, as a network read would deliver them.
    const chunks: Buffer[] = [];
    for (let i = 0; i < part.length; i += 100) chunks.push(part.subarray(i, i + 100));
    return Readable.from(chunks, { objectMode: false });
  };
}

async function makeTar(files: Array<[string, string] | [string, null]>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of files) {
    if (content === null) pack.entry({ name, type: 'directory' });
    else pack.entry({ name }, content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function makeZip(files: Array<{ name: string; content: string; compress: boolean; zip64?: boolean }>) {
  const zip = new yazl.ZipFile();
  for (const f of files) {
    zip.addBuffer(Buffer.from(f.content), f.name, { compress: f.compress, forceZip64Format: f.zip64 ?? false });
  }
  zip.addEmptyDirectory('dir/');
  zip.end();
  return collect(zip.outputStream as unknown as Readable);
}

/** Every entry: its records (header skipped per entry) or its error. */
async function load(kind: ArchiveKind, bytes: Buffer, name: string, regexp = '.*', header = false) {
  const out: Record<string, string[] | string> = {};
  for await (const entry of openEntries(kind, objectOf(bytes), { name, size: bytes.length })) {
    if (!matchesFileRegexp(entry.name, regexp)) continue;
    if (entry.error) {
      out[entry.name] = `ERROR ${entry.error}`;
      continue;
    }
    const values: string[] = [];
    try {
      for await (const r of readRecords(entry.stream!, {
        format: 'delimited',
        reader: readerSpec(),
        skipHeader: header,
      })) {
        values.push(r.kind === 'record' ? r.value : `BAD ${r.reason}`);
      }
      out[entry.name] = values;
    } catch (e) {
      out[entry.name] = `ERROR ${(e as Error).message}`;
    }
  }
  return out;
}

describe('archiveTypeFor', () => {
  it('uses the extension lists, longest first, with tar in gzip as tgz', () => {
    const spec = readerSpec();
    expect(archiveTypeFor('d/x.csv', spec)).toBe('none');
    expect(archiveTypeFor('x.CSV.GZ', spec)).toBe('gzip');
    expect(archiveTypeFor('x.tar.gz', spec)).toBe('tgz');
    expect(archiveTypeFor('x.tgz', spec)).toBe('tgz');
    expect(archiveTypeFor('x.tar', spec)).toBe('tar');
    expect(archiveTypeFor('x.zip', spec)).toBe('zip');
    const seedExample = readerSpec({ archiveExtensions: { tar: ['tar'], zip: ['zip'], gzip: ['tar.gz', 'tgz'] } });
    expect(archiveTypeFor('x.tar.gz', seedExample)).toBe('tgz');
    expect(archiveTypeFor('x.csv.gz', seedExample)).toBe('gzip');
    expect(archiveTypeFor('x.zip', readerSpec({ archiveType: 'none' }))).toBe('none');
    expect(archiveTypeFor('x.csv', readerSpec({ archiveType: 'gzip' }))).toBe('gzip');
    expect(archiveTypeFor('x.dat', readerSpec({ archiveType: 'zip' }))).toBe('zip');
  });
});

describe('gzip', () => {
  it('reads a gzip as one entry named without .gz, multi-member included, BOM and CRLF handled', async () => {
    const bytes = Buffer.concat([gzipSync('\uFEFFh\r\n1,a\r\n'), gzipSync('2,b\r\n')]);
    expect(await load('gzip', bytes, 'd/x.csv.gz', '.*', true)).toEqual({ 'd/x.csv': ['1,a', '2,b'] });
  });

  it('names a corrupt gzip', async () => {
    const bytes = Buffer.from('this is not gzip at all');
    const out = await load('gzip', bytes, 'x.csv.gz');
    expect(out['x.csv']).toMatch(/^ERROR corrupt gzip data in x\.csv\.gz: incorrect header check/);
  });

  it('fails a truncated gzip with a clear error on the stream', async () => {
    const full = gzipSync('1\n2\n'.repeat(10000));
    const out = await load('gzip', full.subarray(0, full.length - 100), 'x.csv.gz');
    expect(out['x.csv']).toMatch(/^ERROR corrupt gzip data in x\.csv\.gz: unexpected end of file/);
  });

  it('opens a .gz holding a tar as a tgz', async () => {
    const bytes = gzipSync(await makeTar([['a.csv', '1\n']]));
    expect(await load('gzip', bytes, 'weird.gz')).toEqual({ 'a.csv': ['1'] });
  });
});

describe('tar and tgz', () => {
  const files: Array<[string, string] | [string, null]> = [
    ['top/', null],
    ['top/a.csv', 'h\n1\n2\n'],
    ['top/sub/b.csv', 'h\r\n3\r\n'],
    ['top/sub/notes.txt', 'h\nskip me\n'],
    ['top/sub/deeper/c.csv', '\uFEFFh\n4'],
  ];

  it('yields regular files of nested dirs, filtered by base name, header skipped per entry', async () => {
    const bytes = await makeTar(files);
    const expected = { 'top/a.csv': ['1', '2'], 'top/sub/b.csv': ['3'], 'top/sub/deeper/c.csv': ['4'] };
    expect(await load('tar', bytes, 'x.tar', '.*\\.csv', true)).toEqual(expected);
    expect(await load('tgz', gzipSync(bytes), 'x.tar.gz', '.*\\.csv', true)).toEqual(expected);
    expect(await load('tgz', gzipSync(bytes), 'x.tgz', '.*\\.csv', true)).toEqual(expected);
    // A forced tar that is really gzipped is still read.
    expect(await load('tar', gzipSync(bytes), 'x.tar', '.*\\.csv', true)).toEqual(expected);
  });

  it('drains entries the caller skips', async () => {
    const bytes = await makeTar([
      ['big.csv', 'x\n'.repeat(100000)],
      ['small.csv', 'y\n'],
    ]);
    const names: string[] = [];
    let small = '';
    for await (const e of openEntries('tar', objectOf(bytes), { name: 't.tar', size: bytes.length })) {
      names.push(e.name);
      if (e.name === 'small.csv') small = (await collect(e.stream!)).toString();
    }
    expect(names).toEqual(['big.csv', 'small.csv']);
    expect(small).toBe('y\n');
  });

  it('delivers earlier entries of a truncated tar and fails the cut one clearly', async () => {
    const bytes = await makeTar([
      ['a.csv', '1\n'],
      ['b.csv', 'z'.repeat(5000) + '\n'],
    ]);
    const out = await load('tar', bytes.subarray(0, 2500), 't.tar');
    expect(out['a.csv']).toEqual(['1']);
    expect(out['b.csv']).toMatch(/^ERROR corrupt tar data in t\.tar \(entry b\.csv\): /);
  });
});

describe('tar with a corrupt header', () => {
  async function damaged(): Promise<Buffer> {
    const bytes = await makeTar([
      ['a.csv', '1\n'],
      ['b.csv', '2\n'.repeat(400)],
      ['c.csv', '3\n'],
      ['d'.repeat(120) + '.csv', '4\n'], // a long name (pax or GNU extension header)
    ]);
    // b.csv's header starts after a.csv's header and its one data block; break its checksum and magic.
    bytes.write('garbage!', 1024 + 148, 'latin1');
    bytes.write('xxxxx', 1024 + 257, 'latin1');
    return bytes;
  }

  it.each([
    ['tar', (b: Buffer) => b, 't.tar'],
    ['tgz', (b: Buffer) => gzipSync(b), 't.tgz'],
  ] as const)(
    'names the offset and the entry before it, and lists the entries not read (%s)',
    async (kind, wrap, name) => {
      const out = await load(kind, wrap(await damaged()), name);
      expect(out['a.csv']).toEqual(['1']);
      expect(Object.keys(out)).toEqual(['a.csv', name]);
      expect(out[name]).toMatch(
        new RegExp(
          `^ERROR corrupt tar header in ${name.replace('.', '\\.')} at byte 1024 of the tar data \\(after entry a\\.csv\\); ` +
            `entries not read: c\\.csv, d{120}\\.csv \\(`,
        ),
      );
    },
  );

  it('a corrupt first header: before its first entry', async () => {
    const bytes = await makeTar([
      ['a.csv', '1\n'],
      ['b.csv', '2\n'],
    ]);
    bytes.write('garbage!', 148, 'latin1');
    bytes.write('xxxxx', 257, 'latin1');
    const out = await load('tar', bytes, 't.tar');
    expect(out['t.tar']).toMatch(/at byte 0 of the tar data \(before its first entry\); entries not read: b\.csv/);
  });
});

describe('zip', () => {
  it('reads stored and deflated entries with ranged reads, skipping directories', async () => {
    const bytes = await makeZip([
      { name: 'dir/stored.csv', content: 'h\n1\n', compress: false },
      { name: 'deflated.csv', content: 'h\r\n' + '2\r\n'.repeat(1000), compress: true },
      { name: 'other.json', content: '{}\n', compress: true },
    ]);
    const reads: Array<{ start: number; end?: number }> = [];
    const names: string[] = [];
    for await (const e of openEntries('zip', objectOf(bytes, reads), { name: 'x.zip', size: bytes.length })) {
      names.push(e.name);
      await collect(e.stream!);
    }
    expect(names).toEqual(['dir/stored.csv', 'deflated.csv', 'other.json']);
    expect(reads.every((r) => r.end !== undefined)).toBe(true);
    const out = await load('zip', bytes, 'x.zip', '.*\\.csv', true);
    expect(out).toEqual({ 'dir/stored.csv': ['1'], 'deflated.csv': Array(1000).fill('2') });
  });

  it('fails only the corrupt entry (stored: CRC-32; deflated: bad data) and loads the others', async () => {
    const bytes = await makeZip([
      { name: 'good1.csv', content: 'g1\n', compress: false },
      { name: 'stored.csv', content: 'STOREDDATA\n', compress: false },
      { name: 'deflated.csv', content: 'abc\n'.repeat(500), compress: true },
      { name: 'good2.csv', content: 'g2\n', compress: true },
    ]);
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.indexOf('STOREDDATA') + 3] ^= 0xff;
    const data = entryDataOffset(corrupt, 'deflated.csv');
    for (let i = 0; i < 8; i++) corrupt[data + i] ^= 0xa5;
    const out = await load('zip', corrupt, 'x.zip');
    expect(out['good1.csv']).toEqual(['g1']);
    expect(out['good2.csv']).toEqual(['g2']);
    expect(out['stored.csv']).toMatch(/^ERROR corrupt zip data in x\.zip \(entry stored\.csv\): CRC-32 mismatch/);
    expect(out['deflated.csv']).toMatch(/^ERROR corrupt zip data in x\.zip \(entry deflated\.csv\): /);
  });

  it('reads zip64', async () => {
    const bytes = await makeZip([{ name: 'z.csv', content: '1\n2\n', compress: true, zip64: true }]);
    expect(await load('zip', bytes, 'x.zip')).toEqual({ 'z.csv': ['1', '2'] });
  });

  it('names a file that is not a zip', async () => {
    const bytes = Buffer.from('not a zip file, just text\n'.repeat(10));
    const out = await load('zip', bytes, 'x.zip');
    expect(out['x.zip']).toMatch(/^ERROR corrupt zip data in x\.zip: /);
  });
});

/** Where an entry's data starts, from its local file header. */
function entryDataOffset(zip: Buffer, name: string): number {
  for (
    let p = zip.indexOf(Buffer.from([0x50, 0x4b, 3, 4]));
    p >= 0;
    p = zip.indexOf(Buffer.from([0x50, 0x4b, 3, 4]), p + 4)
  ) {
    const nameLength = zip.readUInt16LE(p + 26);
    const extraLength = zip.readUInt16LE(p + 28);
    if (zip.toString('utf8', p + 30, p + 30 + nameLength) === name) return p + 30 + nameLength + extraLength;
  }
  throw new Error(`no local header for ${name}`);
}
