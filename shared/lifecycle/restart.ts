// Restart, as Kafka Connect's POST /connectors/NAME/restart?onlyFailed=true: a FAILED or RUNNING connector's tasks
// start again from their saved positions (checkpoints or committed offsets). Error counters go back to zero; each
// task keeps its last error, so the history of what went wrong stays visible in status (restartedProgress).
// Who applies it: for files, the planner that dispatches the restarted tasks (the plan message says `restart`); for
// a mirror, the runtime that starts under the new epoch (the record's restartEpoch says so, see carriedCounts).
import type { ConnectorRecord, ConnectorState, TaskProgress, TaskRecord } from './store.js';
import type { TransitionPatch } from './transitions.js';

export type RestartScope = 'all' | 'failed';

export type RestartDecision =
  | {
      ok: true;
      /** Undefined when there is nothing to restart (--failed-only and no task has failed). */
      patch?: TransitionPatch;
      scope: RestartScope;
      /** The ids of the tasks that will start again. */
      tasks: number[];
    }
  | { ok: false; status: 409; message: string };

/**
 * All tasks: a new epoch, so running workers stand down and every unfinished task is dispatched again.
 * Failed only (file connectors): the epoch stays, so running tasks keep going; only the FAILED ones are reset.
 * A mirror connector's tasks share one consumer group: restarting its failed ones restarts the connector.
 */
export function restartTransition(
  record: Pick<ConnectorRecord, 'name' | 'epoch' | 'kind'>,
  state: ConnectorState,
  tasks: Pick<TaskRecord, 'taskId' | 'state'>[],
  onlyFailed: boolean,
): RestartDecision {
  const name = record.name;
  if (state === 'PAUSED')
    return { ok: false, status: 409, message: `connector ${name} is paused; resume it to run its tasks again` };
  if (state === 'FINISHED')
    return {
      ok: false,
      status: 409,
      message:
        `connector ${name} has FINISHED loading every file; restart does not load them again — ` +
        `delete the connector and create it again to reload`,
    };
  const ids = (list: Pick<TaskRecord, 'taskId'>[]) => list.map((t) => t.taskId).sort((a, b) => a - b);
  const unfinished = tasks.filter((t) => t.state !== 'FINISHED');
  if (!onlyFailed) return { ok: true, patch: bump(record), scope: 'all', tasks: ids(unfinished) };
  const failed = tasks.filter((t) => t.state === 'FAILED');
  if (failed.length === 0) return { ok: true, scope: 'failed', tasks: [] };
  if (record.kind === 'mirror') return { ok: true, patch: bump(record), scope: 'all', tasks: ids(unfinished) };
  return { ok: true, patch: { desired: 'RUNNING' }, scope: 'failed', tasks: ids(failed) };
}

/** A mirror's new epoch also marks the restart: it has no plan message to carry it (see carriedCounts). */
const bump = (record: Pick<ConnectorRecord, 'epoch' | 'kind'>): TransitionPatch => ({
  desired: 'RUNNING',
  epoch: record.epoch + 1,
  ...(record.kind === 'mirror' && { restartEpoch: record.epoch + 1 }),
});

/** The rule, for both kinds: a restarted task's error count starts again at 0; its last error is kept. */
export const restartedProgress = (p: TaskProgress): TaskProgress => ({ ...p, errors: 0, recordsPerSecond: 0 });

export interface CarriedCounts {
  records: number;
  bytes: number;
  errors: number;
  lastError?: string;
}

/**
 * What a mirror runtime starting under `restartEpoch` carries on from a task row it finds. A row of an older epoch
 * was written before the restart (even late, by the runtime it replaced): restartedProgress, last error kept. A later
 * row (the same run restarted in place, or resumed after a pause) keeps its count; like a resume, it starts with no
 * last error.
 */
export function carriedCounts(
  t: Pick<TaskRecord, 'epoch' | 'progress' | 'lastError'>,
  restartEpoch = 0,
): CarriedCounts {
  const restarted = t.epoch < restartEpoch;
  const { records, bytes, errors } = restarted ? restartedProgress(t.progress) : t.progress;
  return { records, bytes, errors, ...(restarted && t.lastError !== undefined && { lastError: t.lastError }) };
}
