// How long one invocation may work before it checkpoints and re-enqueues itself. An event-driven Cloud Function
// has 540 s; the default 480 s leaves a minute to flush the batch in flight, checkpoint and publish the next message.
export const DEFAULT_TASK_BUDGET_SECONDS = 480;

export function taskBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DSC_TASK_BUDGET_SECONDS;
  const seconds = raw === undefined || raw.trim() === '' ? DEFAULT_TASK_BUDGET_SECONDS : Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`DSC_TASK_BUDGET_SECONDS must be a positive number of seconds, not ${JSON.stringify(raw)}`);
  }
  return seconds * 1000;
}

export class TaskBudget {
  private readonly deadline: number;

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.deadline = now() + budgetMs;
  }

  spent(): boolean {
    return this.now() >= this.deadline;
  }
}
