// `dsc run` as a user sees it: on a pseudo-terminal (util-linux `script`) the progress line is redrawn in place
// (cursor up + clear, never a scrolled copy) while the load moves, and the run ends with a summary whose average is
// not "0 rec/s"; through a pipe the same run prints plain lines with no escape sequence. Both compare what arrived
// in Kafka, record by record, with the file. Runs the built CLI (npm test builds first).
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../wait-for.js';
import { consumeAll, csvLines, gcsBucket, tempDir, unique, values } from './file-helpers.js';
import { GcsValve } from './gcs-valve.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DSC = join(ROOT, 'bin/dsc.js');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A run folder whose run.conf loads `lines` (from a local file, or from `uri` when given). */
function setUp(lines: string[], batchSize: number, uri?: string) {
  const topic = unique('run-progress');
  const dir = tempDir(uri ? {} : { 'data/big.csv': lines.join('\n') + '\n' });
  dirs.push(dir);
  const conf = [
    'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    'mode=eof',
    `file.reader.batch.size=${batchSize}`,
    `[load]`,
    `name=${topic}`,
    `topic=${topic}`,
    `file.uris=${uri ?? join(dir, 'data')}`,
  ].join('\n');
  writeFileSync(join(dir, 'run.conf'), conf + '\n');
  return { topic, dir };
}

/** `dsc run` started: what it printed so far, and its end. */
function start(
  argv: string[],
  cwd: string,
  tty: boolean,
  extraEnv: Record<string, string> = {},
): { out: () => string; done: Promise<{ code: number | null; out: string }> } {
  if (!existsSync(join(ROOT, 'dist/shared/cli/progress.js'))) throw new Error('dist/ is missing: npm run build');
  const env = { ...process.env, DSC_STATE_DIR: join(cwd, 'state'), COLUMNS: '160', LINES: '40', ...extraEnv };
  const command = [process.execPath, DSC, ...argv].map((a) => `'${a}'`).join(' ');
  // script -q (no banner) -f (flush) -e (its exit code is the command's) -c CMD, transcript discarded.
  const child = tty
    ? spawn('script', ['-qfec', `stty cols 160 rows 40; ${command}`, '/dev/null'], { cwd, env })
    : spawn(process.execPath, [DSC, ...argv], { cwd, env });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (out += b.toString('utf8')));
  return { out: () => out, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, out }))) };
}

const run = (argv: string[], cwd: string, tty: boolean) => start(argv, cwd, tty).done;

describe('dsc run progress', () => {
  it('on a terminal: one line redrawn in place while the load moves, then a summary with the average', async () => {
    const lines = csvLines(100_000, 'tty', 30);
    const content = lines.join('\n') + '\n';
    // The file on GCS behind a valve the test opens a third at a time, each once the screen has shown the load
    // standing at the one before: several redraws with growing percentages however fast the engine (a whole local
    // file could load between two redraws on a fast machine).
    const bucket = await gcsBucket({ 'big.csv': content });
    const valve = new GcsValve();
    const storage = await valve.start();
    try {
      const third = Math.floor(content.length / 3);
      valve.openTo(third);
      const { topic, dir } = setUp(lines, 10, `gs://${bucket}/big.csv`);
      const r = start(['run', '--c', 'run.conf'], dir, true, { STORAGE_EMULATOR_HOST: storage });
      const frames = (out: string) =>
        out.split(/\r?\n/).filter((row) => row.includes(`${topic} `) && row.includes('%'));
      const percentsOf = (rows: string[]) => rows.map((f) => Number(/\] +(\d+)%/.exec(f)![1]));
      // A first drawing; then, with the second third open, one that shows progress (a commit needs a batch sent
      // after it is due, so the stand at the first third may still read 0%).
      await waitFor(() => frames(r.out()).length > 0, { timeoutMs: 120_000, what: 'a first progress line' });
      valve.openTo(2 * third);
      await waitFor(() => percentsOf(frames(r.out())).some((p) => p > 0), {
        timeoutMs: 120_000,
        what: 'a progress line past 0%',
      });
      valve.openTo(Infinity);
      const { code, out } = await r.done;
      expect(code, out).toBe(0);
      const rows = out.split(/\r?\n/);
      const drawn = frames(out);
      // Several drawings; every one after the first moves up one line and clears first: nothing scrolls.
      expect(drawn.length, out).toBeGreaterThanOrEqual(3);
      expect(drawn[0].startsWith(topic)).toBe(true);
      for (const f of drawn.slice(1)) expect(f.startsWith(`\x1b[1F\x1b[J${topic} `), JSON.stringify(f)).toBe(true);
      const percents = percentsOf(drawn);
      expect(new Set(percents).size).toBeGreaterThanOrEqual(2);
      expect(percents.at(-1)).toBe(100);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      // The summary: records, bytes, elapsed and a non-zero average.
      const summary = rows.find((row) => row.startsWith(`${topic}  `))!;
      expect(summary).toMatch(/FINISHED\s+1\s+100,000\s+[\d.]+ MB\s+0\s+[\d.]+s\s+[\d,]+ rec\/s$/);
      expect(summary).not.toMatch(/\s0 rec\/s/);
      expect(drawn.at(-1)).not.toMatch(/\s0 rec\/s/);
      expect(values(await consumeAll(topic))).toEqual(lines);
    } finally {
      await valve.close();
    }
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
