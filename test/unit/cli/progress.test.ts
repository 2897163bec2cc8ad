// The run display: in place on a terminal (cursor up over the last drawing), plain lines elsewhere, and a summary
// whose rate is this run's average, never a finished connector's instantaneous 0.
import { describe, expect, it } from 'vitest';
import { ProgressDisplay } from '../../../shared/cli/progress.js';
import type { CliIo } from '../../../shared/cli/io.js';
import type { ConnectorStatus } from '../../../shared/lifecycle/status.js';

function io() {
  const out: string[] = [];
  const sink: CliIo = { out: (l) => out.push(l), err: () => undefined, env: {}, cwd: '/' };
  return { out, sink };
}

function status(name: string, state: ConnectorStatus['state'], records: number, bytesDone: number, rate = 0) {
  const progress = {
    filesDone: 0,
    filesTotal: 2,
    records,
    bytes: bytesDone,
    bytesTotal: 1000,
    recordsPerSecond: rate,
    errors: 0,
  };
  return {
    name,
    kind: 'file',
    state,
    desired: 'RUNNING',
    epoch: 1,
    tasksMax: 1,
    totals: { records, bytes: bytesDone, errors: 0, recordsPerSecond: rate },
    tasks: [{ id: 0, state, epoch: 1, progress, updatedAt: '' }],
  } as ConnectorStatus;
}

describe('ProgressDisplay on a terminal', () => {
  it('draws one line per connector, then moves up over them and redraws in place', () => {
    const { out, sink } = io();
    let t = 0;
    const d = new ProgressDisplay(sink, { tty: true, columns: 200, now: () => t });
    d.update([status('a', 'RUNNING', 10, 100, 50), status('b', 'UNASSIGNED', 0, 0)]);
    t = 1000;
    d.update([status('a', 'RUNNING', 500, 500, 490), status('b', 'RUNNING', 5, 10, 5)]);
    expect(out).toHaveLength(4);
    expect(out[0]).toBe('a RUNNING [##----------------------]  10% 10 records 0.0 MB 50 rec/s files 0/2');
    expect(out[2].startsWith('\x1b[2F\x1b[J')).toBe(true); // up two lines, clear, redraw
    expect(out[2]).toContain('[############------------]  50% 500 records');
    expect(out[3].startsWith('b RUNNING')).toBe(true);
    expect(out.join('')).not.toContain('\n');
  });

  it("a running streaming connector's line says when it last scanned and what it found", () => {
    const { out, sink } = io();
    const s = status('a', 'RUNNING', 10, 100, 50);
    s.scan = { at: '2026-11-29T08:00:00.000Z', durationMs: 12, listed: 7, claimed: 2, waiting: 1 };
    new ProgressDisplay(sink, { tty: false }).update([s]);
    expect(out[0]).toContain('| last scan 2026-11-29T08:00:00.000Z: 7 listed, 2 new, 1 still changing (12 ms)');
  });

  it('cuts lines to the terminal width (a wrapped line would scroll)', () => {
    const { out, sink } = io();
    new ProgressDisplay(sink, { tty: true, columns: 40 }).update([status('a'.repeat(60), 'RUNNING', 1, 1)]);
    expect(out[0]).toHaveLength(39);
  });

  it('a finished connector shows its run average, not 0 rec/s; the summary gives elapsed and average', () => {
    const { out, sink } = io();
    let t = 0;
    const d = new ProgressDisplay(sink, { tty: true, now: () => t });
    d.update([status('a', 'RUNNING', 0, 0, 0)]);
    t = 2000;
    d.update([status('a', 'FINISHED', 10_000, 1000, 0)]);
    t = 2500; // the summary comes a little later: the connector's own end time counts
    d.summary([status('a', 'FINISHED', 10_000, 1000, 0)]);
    expect(out[1]).toContain('a FINISHED [########################] 100% 10,000 records');
    expect(out[1]).toContain('5,000 rec/s');
    expect(out.slice(1).join('\n')).not.toMatch(/\b0 rec\/s/);
    expect(out.slice(2)).toEqual([
      '',
      'CONNECTOR  STATE     TASKS  RECORDS  BYTES   ERRORS  ELAPSED  AVERAGE      LAST ERROR',
      'a          FINISHED  1      10,000   1000 B  0       2.0s     5,000 rec/s',
    ]);
  });

  it('a continued run averages only what it loaded; a run that loaded nothing says so', () => {
    const { out, sink } = io();
    let t = 0;
    const d = new ProgressDisplay(sink, { tty: false, now: () => t });
    d.update([status('old', 'RUNNING', 4000, 400, 0), status('empty', 'RUNNING', 0, 0)], false);
    t = 1000;
    d.summary([status('old', 'FINISHED', 5000, 500), status('empty', 'FINISHED', 0, 0)]);
    expect(out[2]).toMatch(/^old\s+FINISHED.*\s1\.0s\s+1,000 rec\/s$/);
    expect(out[3]).toMatch(/^empty\s+FINISHED.*\s1\.0s\s+no records$/);
  });

  it('a connector this run created counts all its records, even those loaded before the first look', () => {
    const { out, sink } = io();
    let t = 0;
    const d = new ProgressDisplay(sink, { tty: false, created: ['quick'], now: () => t });
    t = 400; // already FINISHED when first seen, 0.4 s after the start
    d.update([status('quick', 'FINISHED', 800, 80)], false);
    d.summary([status('quick', 'FINISHED', 800, 80)]);
    expect(out[2]).toMatch(/^quick\s+FINISHED\s.*\s0\.4s\s+2,000 rec\/s$/);
  });
});

describe('ProgressDisplay off a terminal', () => {
  it('prints plain lines (no bar, no escapes) at most every plainEveryMs', () => {
    const { out, sink } = io();
    let t = 0;
    const d = new ProgressDisplay(sink, { tty: false, plainEveryMs: 5000, now: () => t });
    for (t = 0; t <= 12_000; t += 250) d.update([status('a', 'RUNNING', t, t / 100, 4)]);
    expect(out).toEqual([
      '0s a RUNNING 0 records 0.0 MB 4 rec/s files 0/2',
      '5s a RUNNING 5,000 records 0.0 MB 4 rec/s files 0/2',
      '10s a RUNNING 10,000 records 0.0 MB 4 rec/s files 0/2',
    ]);
  });
});
