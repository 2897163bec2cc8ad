// Human-readable output of the API's answers: aligned tables like gadmin's, per-task rows under each connector.
import type { ConnectorConfigBody, ConnectorSummary } from '../lifecycle/api-types.js';
import type { ScanStatus } from '../lifecycle/scan-status.js';
import type { ConnectorListRow, ConnectorStatus, TaskStatus } from '../lifecycle/status.js';
import type { CliIo } from './io.js';
import { sortedSettings } from '../config/settings-access.js';
import { bytes, count, formatTable } from './table.js';

const topics = (r: { topic?: string; topics?: string[] }) => r.topic ?? (r.topics ?? []).join(',');

const print = (lines: string[], io: CliIo) => lines.forEach((l) => io.out(l));

export function printSummaries(rows: ConnectorSummary[], io: CliIo): void {
  print(
    formatTable(
      ['NAME', 'KIND', 'TASKS.MAX', 'TOPICS'],
      rows.map((r) => [r.name, r.kind, String(r.tasksMax), topics(r)]),
    ),
    io,
  );
}

export function printList(rows: ConnectorListRow[], io: CliIo): void {
  if (rows.length === 0) {
    io.out('no connectors');
    return;
  }
  print(
    formatTable(
      ['NAME', 'KIND', 'STATE', 'TASKS.MAX', 'TOPICS'],
      rows.map((r) => [r.name, r.kind, r.state, String(r.tasksMax), topics(r)]),
    ),
    io,
  );
}

/** `dsc list NAME`: the connector's settings as key=value lines, the way they were written (secrets as ****). */
export function printConfig(c: ConnectorConfigBody, io: CliIo): void {
  io.out(`name: ${c.name}`);
  io.out(`kind: ${c.kind}`);
  io.out(`desired: ${c.desired}`);
  io.out(`epoch: ${c.epoch}`);
  io.out(`created: ${c.createdAt}`);
  io.out('config:');
  for (const [key, value] of sortedSettings(c.config)) io.out(`  ${key}=${value}`);
}

const taskRow = (t: TaskStatus, kind: ConnectorStatus['kind']): string[] => {
  const p = t.progress;
  // A mirror task's lag: records behind the high watermark, summed over its partitions (detail.lag has each).
  const raw = kind === 'mirror' ? t.detail?.lag : undefined;
  const total =
    typeof raw === 'number'
      ? raw
      : raw && typeof raw === 'object'
        ? Object.values(raw as Record<string, number>).reduce((a, n) => a + n, 0)
        : undefined;
  const lag = total === undefined ? '' : count(total);
  return [
    String(t.id),
    t.state,
    kind === 'file' ? `${p.filesDone}/${p.filesTotal}` : lag,
    count(p.records),
    bytes(p.bytes),
    count(p.recordsPerSecond),
    count(p.errors),
    t.lastError ?? '',
  ];
};

export function printStatus(statuses: ConnectorStatus[], io: CliIo): void {
  if (statuses.length === 0) {
    io.out('no connectors');
    return;
  }
  print(
    formatTable(
      ['NAME', 'STATE', 'TASKS', 'RECORDS', 'ERRORS'],
      statuses.map((s) => [
        s.name,
        s.state,
        `${s.tasks.length}/${s.tasksMax}`,
        count(s.totals.records),
        count(s.totals.errors),
      ]),
    ),
    io,
  );
  for (const s of statuses) {
    if (s.tasks.length === 0 && !s.lastError) continue;
    io.out('');
    io.out(`${s.name} (${s.kind}, ${s.state}, epoch ${s.epoch})`);
    if (s.tasks.length > 0) {
      const third = s.kind === 'file' ? 'FILES' : 'LAG';
      print(
        formatTable(
          ['TASK', 'STATE', third, 'RECORDS', 'BYTES', 'REC/S', 'ERRORS', 'LAST ERROR'],
          s.tasks.map((t) => taskRow(t, s.kind)),
          '  ',
        ),
        io,
      );
    }
    if (s.lastError) io.out(`  last error: ${s.lastError}`);
    if (s.scan) io.out(`  last scan: ${scanLine(s.scan)}`);
  }
}

/** A streaming file connector's last scan, e.g. `2026-11-29T07:50:01.000Z: 12 listed, 1 new, 1 still changing`. */
export function scanLine(scan: ScanStatus): string {
  if (scan.error) return `${scan.at}: failed: ${scan.error}`;
  const waiting = scan.waiting > 0 ? `, ${count(scan.waiting)} still changing` : '';
  return `${scan.at}: ${count(scan.listed)} listed, ${count(scan.claimed)} new${waiting} (${scan.durationMs} ms)`;
}
