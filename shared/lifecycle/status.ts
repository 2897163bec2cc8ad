// What `status` shows: the connector's state derived from its desired state and its tasks, and the rows the API
// returns and the CLI prints. Plain objects only, so both sides share one shape.
import type { ConnectorSpec } from '../config/spec.js';
import type { ScanStatus } from './scan-status.js';
import type { ConnectorRecord, ConnectorState, TaskProgress, TaskRecord, TaskState } from './store.js';

export interface TaskStatus {
  id: number;
  state: TaskState;
  epoch: number;
  progress: TaskProgress;
  lastError?: string;
  /** Kind-specific rows, e.g. a mirror task's partitions and lag. */
  detail?: Record<string, unknown>;
  /** A running file task: the file it is reading (from its assignment and checkpoint). */
  reading?: string;
  updatedAt: string;
}

export interface ConnectorStatus {
  name: string;
  kind: ConnectorSpec['kind'];
  state: ConnectorState;
  desired: ConnectorRecord['desired'];
  epoch: number;
  tasksMax: number;
  /** Sums over the tasks. */
  totals: { records: number; bytes: number; errors: number; recordsPerSecond: number };
  tasks: TaskStatus[];
  /** The most relevant task error: a FAILED task's first, otherwise the most recent one reported. */
  lastError?: string;
  /** A streaming file connector's last scan for new files. */
  scan?: ScanStatus;
}

/** One row of `GET /connectors` / `dsc list`. */
export interface ConnectorListRow {
  name: string;
  kind: ConnectorSpec['kind'];
  state: ConnectorState;
  tasksMax: number;
  topic?: string;
  topics?: string[];
}

/**
 * PAUSED if the user paused it; FAILED if any task failed under the connector's current epoch; FINISHED when an eof
 * file connector has every task FINISHED; RUNNING once tasks exist; UNASSIGNED before the planner (or the mirror
 * worker) made any. A task that failed before the latest resume, restart or `dsc run` (an older epoch) is being
 * retried: until its new run writes, it is not the connector's state.
 */
export function connectorState(
  record: Pick<ConnectorRecord, 'desired' | 'spec' | 'epoch'>,
  tasks: TaskRecord[],
): ConnectorState {
  if (record.desired === 'PAUSED') return 'PAUSED';
  if (tasks.some((t) => t.state === 'FAILED' && t.epoch >= record.epoch)) return 'FAILED';
  if (tasks.length === 0) return 'UNASSIGNED';
  const eof = record.spec.kind === 'file' && record.spec.mode === 'eof';
  if (eof && tasks.every((t) => t.state === 'FINISHED')) return 'FINISHED';
  return 'RUNNING';
}

function taskStatus(t: TaskRecord): TaskStatus {
  const p = t.progress;
  return {
    id: t.taskId,
    state: t.state,
    epoch: t.epoch,
    progress: {
      filesDone: p?.filesDone ?? 0,
      filesTotal: p?.filesTotal ?? 0,
      records: p?.records ?? 0,
      bytes: p?.bytes ?? 0,
      bytesTotal: p?.bytesTotal ?? 0,
      recordsPerSecond: p?.recordsPerSecond ?? 0,
      errors: p?.errors ?? 0,
    },
    ...(t.lastError !== undefined && { lastError: t.lastError }),
    ...(t.detail !== undefined && { detail: t.detail }),
    ...(reading(t) !== undefined && { reading: reading(t) }),
    updatedAt: t.updatedAt,
  };
}

/** The uri of the file a RUNNING file task is at; read structurally (the shapes are the file connector's). */
function reading(t: TaskRecord): string | undefined {
  if (t.state !== 'RUNNING') return undefined;
  const files = (t.assignment as { files?: { uri?: unknown }[] } | undefined)?.files;
  const index = (t.checkpoint as { fileIndex?: unknown } | undefined)?.fileIndex ?? 0;
  const uri = Array.isArray(files) && typeof index === 'number' ? files[index]?.uri : undefined;
  return typeof uri === 'string' ? uri : undefined;
}

function lastError(tasks: TaskRecord[]): string | undefined {
  const failed = tasks.find((t) => t.state === 'FAILED' && t.lastError);
  if (failed) return `task ${failed.taskId}: ${failed.lastError}`;
  const latest = tasks
    .filter((t) => t.lastError)
    .sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0))[0];
  return latest ? `task ${latest.taskId}: ${latest.lastError}` : undefined;
}

export function buildStatus(record: ConnectorRecord, tasks: TaskRecord[], scan?: ScanStatus): ConnectorStatus {
  const rows = [...tasks].sort((a, b) => a.taskId - b.taskId).map(taskStatus);
  const totals = rows.reduce(
    (acc, t) => ({
      records: acc.records + t.progress.records,
      bytes: acc.bytes + t.progress.bytes,
      errors: acc.errors + t.progress.errors,
      // Only running tasks move records now; a finished task's last rate would overstate the total.
      recordsPerSecond: acc.recordsPerSecond + (t.state === 'RUNNING' ? t.progress.recordsPerSecond : 0),
    }),
    { records: 0, bytes: 0, errors: 0, recordsPerSecond: 0 },
  );
  const error = lastError(tasks);
  return {
    name: record.name,
    kind: record.kind,
    state: connectorState(record, tasks),
    desired: record.desired,
    epoch: record.epoch,
    tasksMax: record.spec.tasksMax,
    totals,
    tasks: rows,
    ...(error !== undefined && { lastError: error }),
    ...(scan && { scan }),
  };
}

export function buildListRow(record: ConnectorRecord, tasks: TaskRecord[]): ConnectorListRow {
  const spec = record.spec;
  return {
    name: record.name,
    kind: record.kind,
    state: connectorState(record, tasks),
    tasksMax: spec.tasksMax,
    ...(spec.kind === 'file' ? { topic: spec.topic } : { topics: spec.topics }),
  };
}
