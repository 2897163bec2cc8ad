// One contract for every ObjectStorage adapter (docs/storage-port agreement): local files, gs:// on fake-gcs-server,
// s3a:// on moto and abfss:// on Azurite answer list / stat / read alike, through storageFor as a connector uses it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ObjectStorage } from '../../shared/storage/object-storage.js';
import { storageFor } from '../../shared/storage/storage-router.js';
import { abfss, azureContainer, azurePut, azureSettings, s3Bucket, s3Put, s3Settings } from './cloud-helpers.js';
import { gcsBucket, gcsPut, tempDir } from './file-helpers.js';

const TREE = {
  'a.csv': '0123456789abcdefghij',
  'dir/b.csv': 'bbbb\n',
  'dir/sub/c.csv': 'cccc\n',
};

interface Store {
  /** The tree above in a fresh bucket/directory; the base URI ends in `/`. */
  make(): Promise<string>;
  /** Rewrites one object of the tree (a new generation where the store has generations). */
  overwrite(base: string, name: string, content: string): Promise<void>;
}

const STORES: Record<string, Store> = {
  local: {
    make: async () => `${tempDir(TREE)}/`,
    overwrite: async (base, name, content) => writeFileSync(join(base, name), content),
  },
  gcs: {
    make: async () => `gs://${await gcsBucket(TREE)}/`,
    overwrite: async (base, name, content) => void (await gcsPut(new URL(base).host, name, content)),
  },
  s3: {
    make: async () => `s3a://${await s3Bucket(TREE)}/`,
    overwrite: async (base, name, content) => void (await s3Put(new URL(base).host, name, content)),
  },
  azure: {
    make: async () => abfss(await azureContainer(TREE)),
    overwrite: async (base, name, content) => void (await azurePut(new URL(base).username, name, content)),
  },
};

const storage: ObjectStorage = storageFor({ s3: s3Settings(), azure: azureSettings() });

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

async function names(uri: string, recursive: boolean): Promise<string[]> {
  const out: string[] = [];
  for await (const info of storage.list(uri, { recursive })) out.push(info.uri);
  return out.sort();
}

/** The tail of a URI below the base, whatever spelling the adapter reports (file:///tmp/x vs /tmp/x). */
const below = (base: string, uris: string[]) =>
  uris.map((u) => u.slice(u.indexOf(base.replace(/^file:\/\//, '')) + base.replace(/^file:\/\//, '').length));

describe.each(Object.keys(STORES))('ObjectStorage contract: %s', (where) => {
  const store = STORES[where]!;

  it('lists a prefix recursively, or its first level only', async () => {
    const base = await store.make();
    expect(below(base, await names(base, true))).toEqual(['a.csv', 'dir/b.csv', 'dir/sub/c.csv']);
    expect(below(base, await names(base, false))).toEqual(['a.csv']);
    // A folder named without its trailing slash, and one object named exactly.
    expect(below(base, await names(`${base}dir`, true))).toEqual(['dir/b.csv', 'dir/sub/c.csv']);
    expect(below(base, await names(`${base}a.csv`, false))).toEqual(['a.csv']);
  });

  it('stats an object: its size, and a version token where the store has one', async () => {
    const base = await store.make();
    const info = await storage.stat(`${base}a.csv`);
    expect(info.size).toBe(20);
    if (where !== 'local') expect(info.generation).toBeTruthy();
    // The URI a listing reports stats to the same object.
    const [listed] = await names(`${base}dir/b.csv`, false);
    expect((await storage.stat(listed!)).size).toBe(5);
  });

  it('reads whole, a range (start inclusive, end exclusive), to the end, and nothing past the end', async () => {
    const base = await store.make();
    const uri = `${base}a.csv`;
    expect(await text(storage.read(uri))).toBe(TREE['a.csv']);
    expect(await text(storage.read(uri, { range: { start: 3, end: 7 } }))).toBe('3456');
    expect(await text(storage.read(uri, { range: { start: 15 } }))).toBe('fghij');
    expect(await text(storage.read(uri, { range: { start: 0, end: 1 } }))).toBe('0');
    expect(await text(storage.read(uri, { range: { start: 20 } }))).toBe('');
  });

  it('reads the generation it is given, and fails naming the object once that generation is gone', async () => {
    if (where === 'local') return; // local files have no versions (a scan compares size and mtime instead)
    const base = await store.make();
    const uri = `${base}a.csv`;
    const before = await storage.stat(uri);
    expect(await text(storage.read(uri, { generation: before.generation!, range: { start: 10 } }))).toBe('abcdefghij');
    await store.overwrite(base, 'a.csv', 'rewritten');
    const after = await storage.stat(uri);
    expect(after.generation).not.toBe(before.generation);
    await expect(
      text(storage.read(uri, { generation: before.generation!, range: { start: 0, end: 4 } })),
    ).rejects.toThrow(/a\.csv/);
    expect(await text(storage.read(uri, { generation: after.generation! }))).toBe('rewritten');
  });

  it('a missing object: stat, read and list fail naming it', async () => {
    const base = await store.make();
    const uri = `${base}missing.csv`;
    await expect(storage.stat(uri)).rejects.toThrow(/missing\.csv|no such/i);
    await expect(text(storage.read(uri))).rejects.toThrow(/missing\.csv|no such|ENOENT/i);
    await expect(names(uri, true)).rejects.toThrow(/missing\.csv|no such|ENOENT/i);
  });
});
