// What `dsc run` shows while it loads. On a terminal one line per connector is redrawn in place (cursor up over the
// previous drawing, clear to the end, draw again: no scrolling, like npm or cargo); elsewhere (a pipe, a log file,
// --json) plain lines every few seconds. At the end, a summary per connector: records, bytes, elapsed time and the
// average rate over this run (never a final "0 rec/s": a finished connector's instantaneous rate is zero).
import type { ConnectorStatus } from '../lifecycle/status.js';
import type { CliIo } from './io.js';
import { bytes, count, formatTable } from './table.js';
import { scanLine } from './output.js';

export interface ProgressOptions {
  /** Redraw in place (a terminal) or print plain lines. */
  tty: boolean;
  /** Terminal width: a drawn line is cut to it, since a wrapped line would break the cursor-up arithmetic. */
  columns?: number;
  /** Connectors created by this run: all their records are this run's (the rest count from when first seen). */
  created?: string[];
  /** Plain mode: at most one set of lines per this many ms (default 5000). */
  plainEveryMs?: number;
  now?: () => number;
}

const BAR_WIDTH = 24;
const CURSOR_UP_AND_CLEAR = (lines: number) => `\x1b[${lines}F\x1b[J`;

/** Per connector: records when first seen (a continued run counts only what this run loaded) and when it ended. */
interface Seen {
  records: number;
  bytes: number;
  endedAt?: number;
}

export class ProgressDisplay {
  private readonly started: number;
  private readonly now: () => number;
  private readonly seen = new Map<string, Seen>();
  private drawn = 0;
  private lastPlain = -Infinity;

  constructor(
    private readonly io: CliIo,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /** Records where each connector stands, and draws (TTY: every call; plain: every plainEveryMs). */
  update(statuses: ConnectorStatus[], draw = true): void {
    const t = this.now();
    for (const s of statuses) {
      let seen = this.seen.get(s.name);
      if (!seen) {
        const created = this.options.created?.includes(s.name) ?? false;
        seen = created ? { records: 0, bytes: 0 } : { records: s.totals.records, bytes: s.totals.bytes };
        this.seen.set(s.name, seen);
      }
      const ended = s.state === 'FINISHED' || s.state === 'FAILED' || s.state === 'PAUSED';
      if (ended) seen.endedAt ??= t;
      else seen.endedAt = undefined;
    }
    if (!draw) return;
    if (this.options.tty) {
      const cut = this.options.columns ? (l: string) => l.slice(0, Math.max(20, this.options.columns! - 1)) : String;
      const lines = statuses.map((s) => cut(this.line(s, true)));
      if (this.drawn > 0 && lines.length > 0) lines[0] = CURSOR_UP_AND_CLEAR(this.drawn) + lines[0];
      for (const l of lines) this.io.out(l);
      this.drawn = lines.length;
    } else if (t - this.lastPlain >= (this.options.plainEveryMs ?? 5_000)) {
      const elapsed = Math.round((t - this.started) / 1000);
      for (const s of statuses) this.io.out(`${elapsed}s ${this.line(s, false)}`);
      this.lastPlain = t;
    }
  }

  /** The summary table printed when the run ends. */
  summary(statuses: ConnectorStatus[]): void {
    this.update(statuses, false);
    const rows = statuses.map((s) => {
      const r = this.runFigures(s);
      return [
        s.name,
        s.state,
        String(s.tasks.length),
        count(s.totals.records),
        bytes(s.totals.bytes),
        count(s.totals.errors),
        seconds(r.elapsedMs),
        r.rate,
        s.lastError ?? '',
      ];
    });
    this.io.out('');
    const headers = ['CONNECTOR', 'STATE', 'TASKS', 'RECORDS', 'BYTES', 'ERRORS', 'ELAPSED', 'AVERAGE', 'LAST ERROR'];
    for (const line of formatTable(headers, rows)) this.io.out(line);
  }

  /** This run's elapsed time for a connector and its average rate, worded when nothing was loaded. */
  private runFigures(s: ConnectorStatus): { elapsedMs: number; rate: string } {
    const seen = this.seen.get(s.name);
    const elapsedMs = (seen?.endedAt ?? this.now()) - this.started;
    const loaded = s.totals.records - (seen?.records ?? 0);
    if (loaded <= 0) return { elapsedMs, rate: s.totals.records > 0 ? 'nothing new' : 'no records' };
    return { elapsedMs, rate: `${count(loaded / Math.max(elapsedMs / 1000, 0.001))} rec/s` };
  }

  private line(s: ConnectorStatus, tty: boolean): string {
    const filesDone = s.tasks.reduce((n, t) => n + t.progress.filesDone, 0);
    const filesTotal = s.tasks.reduce((n, t) => n + t.progress.filesTotal, 0);
    const total = s.tasks.reduce((n, t) => n + t.progress.bytesTotal, 0);
    const fraction = s.state === 'FINISHED' ? 1 : total > 0 ? Math.min(1, s.totals.bytes / total) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = tty
      ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% `
      : '';
    const files = s.kind === 'file' ? ` files ${filesDone}/${filesTotal}` : '';
    const errors = s.totals.errors > 0 ? ` errors ${count(s.totals.errors)}` : '';
    // A connector that stopped moving shows its run's average, not an instantaneous 0.
    const running = s.state === 'RUNNING' || s.state === 'UNASSIGNED';
    const rate = running ? `${count(s.totals.recordsPerSecond)} rec/s` : this.runFigures(s).rate;
    // A streaming connector keeps scanning for new files: say when it last looked and what it found.
    const scan = s.scan && running ? ` | last scan ${scanLine(s.scan)}` : '';
    return `${s.name} ${s.state} ${bar}${count(s.totals.records)} records ${mb(s.totals.bytes)} ${rate}${files}${errors}${scan}`;
  }
}

const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;
function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
