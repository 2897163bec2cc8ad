// Which files a connector reads and how they are spread over tasks: directories with and without recursion,
// several URIs, file.regexp, balancing by bytes, and one big file split into byte ranges (every line exactly once).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileAssignment } from '../../shared/file/file-assignment.js';
import {
  consumeAll,
  csvLines,
  fileSpec,
  gcsBucket,
  harnessPerTest,
  tally,
  tempDir,
  unique,
  values,
  type Harness,
} from './file-helpers.js';

const newHarness = harnessPerTest();
let h: Harness | undefined;

const TREE = {
  'top.csv': 'top\n',
  'top.json': '{"t":1}\n',
  'skip.txt': 'skipped\n',
  'sub/inner.csv': 'inner\n',
  'sub/deeper/deep.csv': 'deep\n',
};

async function run(uris: string, keys: Record<string, string | number | boolean> = {}, splitBytes?: number) {
  const topic = unique('src');
  h = await newHarness({ ...(splitBytes !== undefined && { splitBytes }) });
  const spec = fileSpec(topic, { topic, 'file.uris': uris, ...keys });
  await h.create(spec);
  const state = await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 60_000);
  expect(state, JSON.stringify((await h.tasks(spec.name)).map((t) => t.lastError))).toBe('FINISHED');
  return { records: await consumeAll(topic), tasks: await h.tasks(spec.name) };
}

describe.each(['local', 'gcs'] as const)('directories (%s)', (where) => {
  const root = async () => (where === 'gcs' ? `gs://${await gcsBucket(TREE)}/` : tempDir(TREE) + '/');

  it('recursive (the default) reads every matching file below the directory', async () => {
    const { records } = await run(await root(), { 'file.regexp': '.*\\.(csv|json)' });
    expect(values(records).sort()).toEqual(['deep', 'inner', 'top', '{"t":1}']);
  });

  it('file.recursive=false keeps to the first level', async () => {
    const { records } = await run(await root(), { 'file.regexp': '.*\\.csv', 'file.recursive': false });
    expect(values(records)).toEqual(['top']);
  });

  it('a directory URI without the trailing slash, and several URIs', async () => {
    const base = await root();
    const { records } = await run(`${base}sub,${base}top.csv`, { 'file.regexp': '.*\\.csv' });
    expect(values(records).sort()).toEqual(['deep', 'inner', 'top']);
  });
});

describe('fan-out', () => {
  it('files are balanced by bytes over at most tasks.max tasks, each file in one task', async () => {
    const dir = tempDir({
      'big.csv': csvLines(400, 'big').join('\n') + '\n',
      'm1.csv': csvLines(150, 'm1').join('\n') + '\n',
      'm2.csv': csvLines(150, 'm2').join('\n') + '\n',
      's1.csv': csvLines(100, 's1').join('\n') + '\n',
    });
    const { records, tasks } = await run(dir, { 'tasks.max': 2 });
    expect(tasks).toHaveLength(2);
    const files = tasks.map((t) => (t.assignment as FileAssignment).files.map((f) => f.uri.split('/').pop()).sort());
    expect(files.sort()).toEqual([['big.csv'], ['m1.csv', 'm2.csv', 's1.csv']]);
    expect(records).toHaveLength(800);
    expect(tasks.every((t) => t.state === 'FINISHED')).toBe(true);
  });

  it('more tasks than files: no empty tasks', async () => {
    const dir = tempDir({ 'a.csv': 'a\n', 'b.csv': 'b\n' });
    const { tasks, records } = await run(dir, { 'tasks.max': 5 });
    expect(tasks).toHaveLength(2);
    expect(values(records).sort()).toEqual(['a', 'b']);
  });

  it.each(['local', 'gcs'] as const)(
    'a big plain file is split into byte ranges: every line exactly once (%s)',
    async (where) => {
      const lines = csvLines(30_000, 'line', 37); // ~1.1 MB, lines of varying cut points against the range bounds
      const text = lines.join('\n') + '\n';
      let uri: string;
      if (where === 'gcs') uri = `gs://${await gcsBucket({ 'big.csv': text })}/big.csv`;
      else {
        const dir = tempDir();
        writeFileSync(join(dir, 'big.csv'), text);
        uri = join(dir, 'big.csv');
      }
      const { records, tasks } = await run(uri, { 'tasks.max': 3, 'file.reader.batch.size': 1000 }, 64 * 1024);
      expect(tasks).toHaveLength(3);
      const ranges = tasks.map((t) => (t.assignment as FileAssignment).files[0].range);
      expect(ranges.every((r) => r !== undefined)).toBe(true);
      expect(tasks.every((t) => t.progress.records > 5_000)).toBe(true);
      const counts = tally(values(records));
      expect(records).toHaveLength(lines.length);
      expect(counts.size).toBe(lines.length);
      for (const l of lines) expect(counts.get(l)).toBe(1);
    },
  );

  it('with a quote configured the big file is not split (a quoted field may hold a line break)', async () => {
    const dir = tempDir({ 'q.csv': csvLines(5_000, 'q').join('\n') + '\n' });
    const { tasks, records } = await run(dir, { 'tasks.max': 3, 'file.reader.delimited.quote': 'double' }, 1024);
    expect(tasks).toHaveLength(1);
    expect(records).toHaveLength(5_000);
  });
});
