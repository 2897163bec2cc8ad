// How a file task invocation ends: its options, its outcomes, and the errors that carry control out of the read loop
// (file-source-task.ts maps each to an outcome).

export interface FileTaskOptions {
  /** Lease length; renewed at every checkpoint. Default 60 s (tests use less). */
  leaseMs?: number;
  /** Work time before re-enqueueing; default DSC_TASK_BUDGET_SECONDS (480 s). */
  budgetMs?: number;
  /** How often the connector's desired state is read. Default 1 s (pause lands within 5 s). */
  stateCheckMs?: number;
  /** Aborted: stop at once, as a crash would: nothing more is written, the lease is left to expire (tests). */
  kill?: AbortSignal;
  /** Aborted: stop at the next batch boundary, checkpoint and release the lease (SIGINT/SIGTERM in `dsc run`). */
  stop?: AbortSignal;
}

export type TaskOutcome =
  | 'gone' // connector or task deleted
  | 'stale' // a newer epoch owns the task
  | 'busy' // another live invocation holds the lease
  | 'done' // already FINISHED or FAILED: nothing to do
  | 'paused'
  | 'finished'
  | 'failed'
  | 'requeued' // time budget spent: checkpointed and dispatched again
  | 'stopped' // graceful stop requested by the runtime
  | 'killed'; // simulated crash

/** The task's lease or epoch moved on under us: stop without writing anything more. */
export class OwnershipLost extends Error {
  constructor(readonly outcome: 'gone' | 'stale' | 'killed') {
    super(`task ownership lost (${outcome})`);
  }
}

/** Ends the read loop at a batch boundary for a reason that is not an error. */
export class Interrupt extends Error {
  constructor(readonly reason: 'paused' | 'requeued' | 'stopped' | 'gone' | 'stale') {
    super(reason);
  }
}

/** A failure that fails the task, with the message status shows (file, line and reason). */
export class TaskFailure extends Error {}

/** A bad record (or corrupt archive entry) under errors.tolerance=none. */
export class BadData extends Error {}

/** Errors that already say what happened and must pass the per-file wrapping unchanged. */
export const isControl = (err: unknown): boolean =>
  err instanceof Interrupt || err instanceof TaskFailure || err instanceof OwnershipLost || err instanceof BadData;
