// Bad records under Kafka Connect's errors.* keys: tolerance=none fails the task naming file, line and reason (the
// records before it are delivered); tolerance=all skips and counts them, and sends them to the dead-letter topic
// with Kafka Connect's __connect.errors.* headers.
import { pathToFileURL } from 'node:url';
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

const JSONL = '{"id":1}\n{"id":2}\n{"id":3,}\n{"id":4}\n';

describe('bad records', () => {
  it('errors.tolerance=none: the task FAILS naming file, line and reason; records before it are delivered', async () => {
    const topic = unique('bad-none');
    const uri = `gs://${await gcsBucket({ 'x.json': JSONL })}/x.json`;
    h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': uri, 'file.reader.batch.size': 1 });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FAILED');
    const [task] = await h.tasks(spec.name);
    expect(task.lastError).toMatch(new RegExp(`^${uri.replace(/[.]/g, '\\.')} line 3: invalid JSON`));
    expect(values(await consumeAll(topic))).toEqual(['{"id":1}', '{"id":2}']);
    expect(task.progress.records).toBe(2);
  });

  it('errors.tolerance=all with a dead-letter topic: good records load, bad ones go to the DLQ with headers', async () => {
    const topic = unique('bad-all');
    const dlq = unique('dlq');
    const dir = tempDir({ 'x.json': JSONL, 'long.csv': `ok\n${'y'.repeat(3000)}\nfine\n` });
    h = await newHarness();
    const spec = fileSpec(topic, {
      topic,
      'file.uris': dir,
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': dlq,
      'file.reader.max.line.bytes': 1000,
    });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');
    expect(values(await consumeAll(topic))).toEqual(['ok', 'fine', '{"id":1}', '{"id":2}', '{"id":4}']);
    const [task] = await h.tasks(spec.name);
    expect(task.progress.errors).toBe(2);

    const dead = await consumeAll(dlq);
    expect(dead).toHaveLength(2);
    const [tooLong, badJson] = dead;
    // The raw of a too-long line is its head only (about 1 KiB), never the whole line.
    expect(tooLong.value).toMatch(/^y{1000,1100}$/);
    expect(tooLong.headers['__connect.errors.exception.message']).toMatch(/file\.reader\.max\.line\.bytes \(1000\)/);
    expect(badJson.value).toBe('{"id":3,}');
    expect(badJson.headers).toMatchObject({
      '__connect.errors.topic': topic,
      '__connect.errors.connector.name': spec.name,
      '__connect.errors.task.id': '0',
      '__connect.errors.stage': 'TASK_POLL',
      'dsc.source': pathToFileURL(join(dir, 'x.json')).href,
      'dsc.line': '3',
    });
    expect(badJson.headers['__connect.errors.exception.message']).toMatch(/^invalid JSON/);
  });

  it('errors.tolerance=all without a dead-letter topic: skipped and counted; status names the last one', async () => {
    const topic = unique('bad-count');
    const dir = tempDir({ 'x.json': JSONL });
    h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': dir, 'errors.tolerance': 'all' });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');
    const [task] = await h.tasks(spec.name);
    expect(task.progress.errors).toBe(1);
    expect(task.lastError).toMatch(/x\.json line 3: invalid JSON/);
    expect(values(await consumeAll(topic))).toHaveLength(3);
  });

  it('a missing file fails the connector with a clear reason', async () => {
    const topic = unique('missing');
    h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': `gs://${await gcsBucket()}/nope.csv` });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FAILED');
    const [task] = await h.tasks(spec.name);
    expect(task.lastError).toMatch(/^cannot list gs:\/\/.*\/nope\.csv: .*Not Found/);
    expect(task.lastError).not.toContain('\n');
  });
});

describe('binary data in a text file', () => {
  it('a NUL byte is a bad record under errors.tolerance, named with file and line', async () => {
    const topic = unique('nul');
    const dir = tempDir({ 'data.csv': 'a,1\nb,\0\u0001\u0002\nc,3\n' });
    h = await newHarness();
    const spec = fileSpec(topic, { topic, 'file.uris': dir, 'errors.tolerance': 'all' });
    await h.create(spec);
    expect(await h.waitFor(spec.name, ['FINISHED', 'FAILED'])).toBe('FINISHED');
    expect(values(await consumeAll(topic))).toEqual(['a,1', 'c,3']);
    const [task] = await h.tasks(spec.name);
    expect(task.progress.errors).toBe(1);
    // "column 3" on the text path, "byte 3 of the record" on the bytes path: either way, file, line and why.
    expect(task.lastError).toMatch(/data\.csv line 2: NUL byte at (column|byte) 3\b.*: not text \(a binary file\?\)$/);

    const strict = unique('nul-none');
    const failing = fileSpec(strict, { topic: strict, 'file.uris': dir });
    await h.create(failing);
    expect(await h.waitFor(failing.name, ['FINISHED', 'FAILED'])).toBe('FAILED');
    expect((await h.tasks(failing.name))[0].lastError).toMatch(/data\.csv line 2: NUL byte/);
  });
});
