// Parquet files end to end: a file (local, gs://, and `dsc run` as a process) → connector → real Kafka topic, every
// record compared with the source row under the mapping of docs/parquet.md. pyarrow's files and their expected JSON
// are test/fixtures/parquet/ (make-pyarrow.py); hyparquet-writer's are written here, with their expected JSON.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, exited, startDscRun } from './dsc-child.js';
import { delivery, killMidLoadTwice, loadConf } from './eos-helpers.js';
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

const FIXTURES = join(import.meta.dirname, '../fixtures/parquet/pyarrow');
const fixtureLines = (name: string) => readFileSync(join(FIXTURES, name), 'utf8').split('\n').filter(Boolean);

/** A hyparquet-writer file of `rows` rows (id INT64 beyond 2^53, name STRING with nulls, score DOUBLE) and its JSON. */
function writerFile(rows: number, rowGroupSize: number): { bytes: Buffer; expected: string[] } {
  const id = Array.from({ length: rows }, (_, i) => (1n << 60n) + BigInt(i));
  const name = Array.from({ length: rows }, (_, i) => (i % 11 === 5 ? null : `row "${i}" ✓`));
  const score = Array.from({ length: rows }, (_, i) => (i % 13 === 0 ? NaN : i / 16));
  const bytes = Buffer.from(
    parquetWriteBuffer({
      columnData: [
        { name: 'id', data: id, type: 'INT64', nullable: false },
        { name: 'name', data: name, type: 'STRING' },
        { name: 'score', data: score, type: 'DOUBLE' },
      ],
      rowGroupSize,
    }),
  );
  const expected = id.map(
    (v, i) =>
      `{"id":${v},"name":${name[i] === null ? 'null' : JSON.stringify(name[i])},"score":${Number.isNaN(score[i]) ? '"NaN"' : score[i]}}`,
  );
  return { bytes, expected };
}

/** Stored bytes of a Parquet file's row groups: what the tasks' progress counts. */
function storedBytes(bytes: Buffer): number {
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  return meta.row_groups.reduce(
    (n, g) => n + g.columns.reduce((m, c) => m + Number(c.meta_data!.total_compressed_size), 0),
    0,
  );
}

describe('Parquet files', () => {
  it('pyarrow files (every type, each codec, pages v1/v2, dictionary on/off, many row groups, INT96, empty): every record is its row', async () => {
    const topic = unique('pq-types');
    h = await newHarness();
    // file.reader.type=text (the default): the .parquet name selects Parquet.
    const spec = fileSpec(topic, {
      topic,
      'file.uris': pathToFileURL(FIXTURES).href,
      'file.regexp': '.*\\.parquet',
      'file.reader.provenance.headers': true,
      'file.reader.batch.size': 37,
    });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 60_000)).toBe('FINISHED');
    const records = await consumeAll(topic);
    const bySource = new Map<string, string[]>();
    for (const r of records) {
      const name = r.headers['dsc.source'].split('/').pop()!;
      // dsc.offset: the row's index in the file.
      expect(r.headers['dsc.offset'], name).toBe(String(bySource.get(name)?.length ?? 0));
      bySource.set(name, [...(bySource.get(name) ?? []), r.value]);
    }
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.parquet'));
    const expected = fixtureLines('expected.jsonl');
    for (const f of files) {
      if (f === 'empty.parquet') expect(bySource.has(f)).toBe(false);
      else if (f === 'int96.parquet') expect(bySource.get(f)).toEqual(fixtureLines('int96.expected.jsonl'));
      else if (f.startsWith('flat-')) expect(bySource.get(f), f).toEqual(fixtureLines('flat.expected.jsonl'));
      else expect(bySource.get(f), f).toEqual(expected);
    }
    const [task] = await h.tasks(spec.name);
    expect(task.progress.records).toBe(records.length);
    expect(task.progress.errors).toBe(0);
    expect(task.progress.filesDone).toBe(files.length);
  });

  it('gs://, file.reader.type=parquet (any name), tasks.max=3: split by row group, every row once, rows and bytes in status', async () => {
    const topic = unique('pq-split');
    const { bytes, expected } = writerFile(30_000, 1_000);
    const bucket = await gcsBucket({ 'rows.bin': bytes });
    // Every file is splittable: three byte ranges, each owning the row groups that start in it.
    h = await newHarness({ splitBytes: 1 });
    const spec = fileSpec(topic, {
      topic,
      'file.uris': `gs://${bucket}/rows.bin`,
      'file.reader.type': 'parquet',
      'tasks.max': 3,
      'file.reader.batch.size': 500,
    });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 60_000)).toBe('FINISHED');
    const tasks = await h.tasks(spec.name);
    expect(tasks).toHaveLength(3);
    for (const t of tasks) expect(t.progress.records).toBeGreaterThan(5_000);
    expect(tasks.reduce((n, t) => n + t.progress.records, 0)).toBe(expected.length);
    expect(tasks.reduce((n, t) => n + t.progress.bytes, 0)).toBe(storedBytes(bytes));
    expect(await delivery(topic, expected)).toEqual({ lost: 0, duplicated: 0 });
    expect(values(await consumeAll(topic)).sort()).toEqual([...expected].sort());
  });

  it('bad input under errors.tolerance=all: corrupt, truncated and non-Parquet files go to the dead-letter topic; other files load', async () => {
    const topic = unique('pq-bad');
    const dlq = unique('pq-dlq');
    const good = writerFile(500, 100);
    const badMagic = Buffer.from(good.bytes);
    badMagic.write('XXXX', badMagic.length - 4, 'latin1');
    const corrupt = Buffer.from(good.bytes);
    const meta = parquetMetadata(
      corrupt.buffer.slice(corrupt.byteOffset, corrupt.byteOffset + corrupt.length) as ArrayBuffer,
    );
    const g2 = Number(meta.row_groups[2].columns[0].meta_data!.data_page_offset);
    corrupt.fill(0xff, g2, g2 + 32); // row group 2's first page header
    const dir = tempDir({
      'a-good.parquet': good.bytes,
      'b-magic.parquet': badMagic,
      'c-truncated.parquet': good.bytes.subarray(0, good.bytes.length - 300),
      'd-text.parquet': 'not parquet at all\n',
      'e-corrupt.parquet': corrupt,
    });
    h = await newHarness();
    const spec = fileSpec(topic, {
      topic,
      'file.uris': dir,
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'errors.deadletterqueue.context.headers.enable': true,
    });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'], 60_000)).toBe('FINISHED');
    expect(values(await consumeAll(topic))).toEqual([
      ...good.expected,
      ...good.expected.slice(0, 200),
      ...good.expected.slice(300),
    ]);
    const dead = await consumeAll(dlq);
    const reasons = dead.map((d) => [
      d.headers['dsc.source'].split('/').pop(),
      d.headers['__connect.errors.exception.message'],
    ]);
    expect(reasons).toEqual([
      ['b-magic.parquet', expect.stringMatching(/^not a readable Parquet file: .*footer != PAR1/)],
      ['c-truncated.parquet', expect.stringMatching(/^not a readable Parquet file: /)],
      ['d-text.parquet', expect.stringMatching(/^not a readable Parquet file: /)],
      ['e-corrupt.parquet', expect.stringMatching(/^row group 2: /)],
    ]);
    const [task] = await h.tasks(spec.name);
    expect(task.progress.errors).toBe(4);
  });

  it('errors.tolerance=none: a corrupt file fails the task naming file and reason', async () => {
    const topic = unique('pq-none');
    const dir = tempDir({ 'x.parquet': 'PAR1 but nothing else' });
    h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': dir });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FAILED');
    const [task] = await h.tasks(spec.name);
    expect(task.lastError).toMatch(/x\.parquet byte offset \d+: not a readable Parquet file: /);
  });

  it('a row group above file.reader.parquet.max.row.group.bytes is refused with the key named', async () => {
    const topic = unique('pq-limit');
    const { bytes } = writerFile(2_000, 1_000);
    const dir = tempDir({ 'x.parquet': bytes });
    h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': dir, 'file.reader.parquet.max.row.group.bytes': 1000 });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FAILED');
    const [task] = await h.tasks(spec.name);
    expect(task.lastError).toMatch(
      /x\.parquet byte offset 4: row group 0 is \d+ bytes stored, more than file\.reader\.parquet\.max\.row\.group\.bytes \(1000\)/,
    );
  });
});

describe('Parquet: dsc run as a process, exactly once across SIGKILL', () => {
  beforeAll(() => buildCli(), 180_000);

  // Decoded on the task's thread, then on a thread of its own (parquet-thread.ts), as large files are by default.
  it.each(['off', 'on'])(
    'SIGKILL twice mid-load, then runs to the end: every row once (decode thread %s)',
    async (thread) => {
      const before = process.env.DSC_PARQUET_DECODE_THREAD;
      process.env.DSC_PARQUET_DECODE_THREAD = thread; // the runs inherit it
      try {
        await killAndResume(thread);
      } finally {
        if (before === undefined) delete process.env.DSC_PARQUET_DECODE_THREAD;
        else process.env.DSC_PARQUET_DECODE_THREAD = before;
      }
    },
    300_000,
  ); // three process start-ups and a 150,000-row load on a shared machine

  // A decode thread that dies mid-file, or reports an error outside any row group (the fault is injected by
  // test/fixtures/parquet/decode-thread-fault.mjs, preloaded into the run): the task reads on by itself from the first
  // row it had not taken, the process ends normally, and the next file loads too.
  it.each(['terminate', 'error'] as const)(
    'the decode thread fails mid-file (%s): the task reads on by itself, every row once and in order',
    async (fault) => {
      const topic = unique(`pq-thread-${fault}`);
      const a = writerFile(150_000, 20_000);
      const b = writerFile(3_000, 1_000);
      const dir = tempDir({ 'a.parquet': a.bytes, 'b.parquet': b.bytes });
      const conf = loadConf(dir, topic, `${dir}/a.parquet,${dir}/b.parquet`, { 'file.reader.batch.size': 500 });
      const state = join(dir, 'state');
      const run = startDscRun(state, conf, true, faultEnv(fault, 4));
      expect(await exited(run, 120_000)).toBe(0);
      expect(values(await consumeAll(topic))).toEqual([...a.expected, ...b.expected]);
      const log = readFileSync(join(state, 'run.log'), 'utf8');
      expect(log.match(/Parquet decode thread stopped/g)).toHaveLength(1); // a's thread only: b's ran to its end
      if (fault === 'error') expect(log).toContain('decode thread: injected failure');
    },
    180_000,
  );

  /** The environment of a run whose first decode thread fails after `after` rows events. */
  function faultEnv(fault: 'terminate' | 'error', after: number): Record<string, string> {
    const preload = pathToFileURL(join(import.meta.dirname, '../fixtures/parquet/decode-thread-fault.mjs')).href;
    return {
      DSC_PARQUET_DECODE_THREAD: 'on',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
      DSC_TEST_DECODE_THREAD_FAULT: fault,
      DSC_TEST_DECODE_THREAD_FAULT_AFTER: String(after),
    };
  }

  async function killAndResume(thread: string): Promise<void> {
    const topic = unique(`pq-kill-${thread}`);
    const { bytes, expected } = writerFile(150_000, 20_000);
    const dir = tempDir({ 'big.parquet': bytes });
    const conf = loadConf(dir, topic, `${dir}/big.parquet`, {
      'file.reader.batch.size': 20,
      'transaction.boundary.interval.ms': 100,
    });
    const state = join(dir, 'state');
    await killMidLoadTwice(state, conf, topic, expected.length);
    const last = startDscRun(state, conf, false);
    expect(await exited(last, 120_000)).toBe(0);
    expect(await delivery(topic, expected)).toEqual({ lost: 0, duplicated: 0 });
    expect(values(await consumeAll(topic))).toEqual(expected);
  }
});
