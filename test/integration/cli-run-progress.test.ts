// `dsc run` as a user sees it: on a pseudo-terminal (util-linux `script`) the progress line is redrawn in place
// (cursor up + clear, never a scrolled copy) while the load moves, and the run ends with a summary whose average is
// not "0 rec/s"; through a pipe the same run prints plain lines with no escape sequence. Both compare what arrived
// in Kafka, record by record, with the file. Runs the built CLI (npm test builds first).
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { consumeAll, csvLines, tempDir, unique, values } from './file-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DSC = join(ROOT, 'bin/dsc.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setUp(lines: string[], batchSize: number) {
  const topic = unique('run-progress');
  const dir = tempDir({ 'data/big.csv': lines.join('\n') + '\n' });
  dirs.push(dir);
  const conf = [
    'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    'mode=eof',
    `file.reader.batch.size=${batchSize}`,
    `[load]`,
    `name=${topic}`,
    `topic=${topic}`,
    `file.uris=${join(dir, 'data')}`,
  ].join('\n');
  writeFileSync(join(dir, 'run.conf'), conf + '\n');
  return { topic, dir };
}

function run(argv: string[], cwd: string, tty: boolean): Promise<{ code: number | null; out: string }> {
  if (!existsSync(join(ROOT, 'dist/shared/cli/progress.js'))) throw new Error('dist/ is missing: npm run build');
  const env = { ...process.env, DSC_STATE_DIR: join(cwd, 'state'), COLUMNS: '160', LINES: '40' };
  const command = [process.execPath, DSC, ...argv].map((a) => `'${a}'`).join(' ');
  // script -q (no banner) -f (flush) -e (its exit code is the command's) -c CMD, transcript discarded.
  const child = tty
    ? spawn('script', ['-qfec', `stty cols 160 rows 40; ${command}`, '/dev/null'], { cwd, env })
    : spawn(process.execPath, [DSC, ...argv], { cwd, env });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe('dsc run progress', () => {
  it('on a terminal: one line redrawn in place while the load moves, then a summary with the average', async () => {
    const lines = csvLines(100_000, 'tty', 30);
    // Small batches: one round trip each keeps the load on screen for several redraws, however fast the engine.
    const { topic, dir } = setUp(lines, 10);
    const { code, out } = await run(['run', '--c', 'run.conf'], dir, true);
    expect(code, out).toBe(0);
    const rows = out.split(/\r?\n/);
    const frames = rows.filter((r) => r.includes(`${topic} `) && r.includes('%'));
    // Several drawings; every one after the first moves up one line and clears first: nothing scrolls.
    expect(frames.length, out).toBeGreaterThanOrEqual(3);
    expect(frames[0].startsWith(topic)).toBe(true);
    for (const f of frames.slice(1)) expect(f.startsWith(`\x1b[1F\x1b[J${topic} `), JSON.stringify(f)).toBe(true);
    const percents = frames.map((f) => Number(/\] +(\d+)%/.exec(f)![1]));
    expect(new Set(percents).size).toBeGreaterThanOrEqual(2);
    expect(percents.at(-1)).toBe(100);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    // The summary: records, bytes, elapsed and a non-zero average.
    const summary = rows.find((r) => r.startsWith(`${topic}  `))!;
    expect(summary).toMatch(/FINISHED\s+1\s+100,000\s+[\d.]+ MB\s+0\s+[\d.]+s\s+[\d,]+ rec\/s$/);
    expect(summary).not.toMatch(/\s0 rec\/s/);
    expect(frames.at(-1)).not.toMatch(/\s0 rec\/s/);
    expect(values(await consumeAll(topic))).toEqual(lines);
  });

  it('through a pipe: plain lines, no escape sequences, the same summary', async () => {
    const lines = csvLines(5_000, 'pipe', 20);
    const { topic, dir } = setUp(lines, 1000);
    const { code, out } = await run(['run', '--c', 'run.conf'], dir, false);
    expect(code, out).toBe(0);
    expect(out).not.toContain('\x1b');
    expect(out).toMatch(new RegExp(`^0s ${topic} (UNASSIGNED|RUNNING) `, 'm'));
    expect(out).toMatch(new RegExp(`^${topic}\\s+FINISHED\\s+1\\s+5,000\\s.*[\\d,]+ rec/s$`, 'm'));
    expect(values(await consumeAll(topic))).toEqual(lines);
  });

  it('--json: the final status alone on stdout, the plain progress lines on stderr', async () => {
    const lines = csvLines(2_000, 'json', 20);
    const { topic, dir } = setUp(lines, 1000);
    const r = await runSplit(['run', '--c', 'run.conf', '--json'], dir);
    expect(r.code, r.err).toBe(0);
    const [status] = JSON.parse(r.out) as { name: string; state: string; totals: { records: number } }[];
    expect(status).toMatchObject({ name: topic, state: 'FINISHED', totals: { records: 2_000 } });
    expect(r.err).toMatch(new RegExp(`^0s ${topic} (UNASSIGNED|RUNNING) `, 'm'));
    expect(values(await consumeAll(topic))).toEqual(lines);
  });
});

function runSplit(argv: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [DSC, ...argv], {
    cwd,
    env: { ...process.env, DSC_STATE_DIR: join(cwd, 'state') },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}
