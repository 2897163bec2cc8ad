// The legal desired-state changes. A refused change is a value (409 + a sentence that says what to do instead),
// decided from the desired state and the state derived from the tasks (see status.ts).
import type { ConnectorRecord, ConnectorState, DesiredState } from './store.js';

export interface TransitionPatch {
  desired: DesiredState;
  epoch?: number;
  restartEpoch?: number;
}

export type Transition = { ok: true; patch: TransitionPatch } | { ok: false; status: 409; message: string };

const refuse = (message: string): Transition => ({ ok: false, status: 409, message });

/**
 * Pause stops a connector that is loading or waiting to load (RUNNING or UNASSIGNED).
 * A paused one is already paused; a FINISHED one has nothing left to stop; a FAILED one runs nothing.
 */
export function pauseTransition(record: Pick<ConnectorRecord, 'name'>, state: ConnectorState): Transition {
  const name = record.name;
  switch (state) {
    case 'PAUSED':
      return refuse(`connector ${name} is already paused`);
    case 'FINISHED':
      return refuse(`connector ${name} has FINISHED loading every file; there is nothing to pause`);
    case 'FAILED':
      return refuse(`connector ${name} has FAILED and runs nothing; resume it to retry, or delete it`);
    case 'RUNNING':
    case 'UNASSIGNED':
      return { ok: true, patch: { desired: 'PAUSED' } };
  }
}

/**
 * Resume restarts a PAUSED or FAILED connector. The new epoch makes every message and lease of the old run stale,
 * and the tasks continue from their stored offsets.
 */
export function resumeTransition(record: Pick<ConnectorRecord, 'name' | 'epoch'>, state: ConnectorState): Transition {
  const name = record.name;
  switch (state) {
    case 'PAUSED':
    case 'FAILED':
      return { ok: true, patch: { desired: 'RUNNING', epoch: record.epoch + 1 } };
    case 'RUNNING':
    case 'UNASSIGNED':
      return refuse(`connector ${name} is running; nothing to resume`);
    case 'FINISHED':
      return refuse(
        `connector ${name} has FINISHED loading every file; resume does not load them again — ` +
          `delete the connector and create it again to reload`,
      );
  }
}

/**
 * `dsc run` on a connector that exists: whatever it was doing (paused, failed, or left running by an earlier
 * process), a new epoch makes any older worker stand down and its tasks continue from their checkpoints.
 * A FINISHED one has nothing left to load.
 */
export function continueTransition(record: Pick<ConnectorRecord, 'name' | 'epoch'>, state: ConnectorState): Transition {
  if (state === 'FINISHED')
    return refuse(`connector ${record.name} has FINISHED loading every file; delete it and create it again to reload`);
  return { ok: true, patch: { desired: 'RUNNING', epoch: record.epoch + 1 } };
}
