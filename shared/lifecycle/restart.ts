// Restart, as Kafka Connect's POST /connectors/NAME/restart?onlyFailed=true: a FAILED or RUNNING connector's tasks
// start again from their saved positions (checkpoints or committed offsets). Error counters go back to zero; each
// task keeps its last error, so the history of what went wrong stays visible in status.
import type { ConnectorRecord, ConnectorState, TaskRecord } from './store.js';
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

const bump = (record: Pick<ConnectorRecord, 'epoch'>): TransitionPatch => ({
  desired: 'RUNNING',
  epoch: record.epoch + 1,
});
