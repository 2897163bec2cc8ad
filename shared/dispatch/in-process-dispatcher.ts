// Embedded dispatch: plan and task messages become function calls on a later turn of the event loop, so a caller
// (the management API, a planner) never runs a worker on its own stack nor sees a worker's error. At most
// `maxRunningTasks` tasks run at once (each holds a Kafka client and read buffers); the rest wait in order.
import type { Logger } from '../runtime/log.js';
import { silentLogger } from '../runtime/log.js';
import type { DispatchHandlers, Dispatcher, PlanMessage, TaskMessage } from './dispatcher.js';

type Pending = { kind: 'plan'; message: PlanMessage } | { kind: 'task'; message: TaskMessage };

/** Tasks the embedded runtime runs at once unless DSC_MAX_RUNNING_TASKS says otherwise. */
export const DEFAULT_MAX_RUNNING_TASKS = 8;

export function maxRunningTasksFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.DSC_MAX_RUNNING_TASKS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_RUNNING_TASKS;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`DSC_MAX_RUNNING_TASKS must be a positive integer, not ${JSON.stringify(raw)}`);
  }
  return n;
}

export class InProcessDispatcher implements Dispatcher {
  private handlers: DispatchHandlers | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages dispatched before any handlers were given; run by setHandlers. */
  private readonly waiting: Pending[] = [];
  /** Tasks beyond maxRunningTasks, started in order as running ones return. */
  private readonly queued: { message: TaskMessage; start: () => void }[] = [];
  private runningTasks = 0;
  private settledListeners: (() => void)[] = [];

  constructor(
    handlers?: DispatchHandlers,
    private readonly log: Logger = silentLogger,
    readonly maxRunningTasks = DEFAULT_MAX_RUNNING_TASKS,
  ) {
    this.handlers = handlers;
  }

  /** Tasks running now (never more than maxRunningTasks) and tasks queued behind them. */
  get tasks(): { running: number; queued: number } {
    return { running: this.runningTasks, queued: this.queued.length };
  }

  setHandlers(handlers: DispatchHandlers): void {
    this.handlers = handlers;
    for (const p of this.waiting.splice(0)) this.schedule(p);
  }

  async plan(message: PlanMessage): Promise<void> {
    this.schedule({ kind: 'plan', message });
  }

  async task(message: TaskMessage): Promise<void> {
    this.schedule({ kind: 'task', message });
  }

  /** Messages scheduled or running, plus those waiting for handlers. */
  get pending(): number {
    return this.inFlight.size + this.waiting.length;
  }

  /** Resolves when nothing is in flight, including work that in-flight handlers dispatched meanwhile. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Same as drain(); the name reads better in tests ("wait until idle"). */
  idle(): Promise<void> {
    return this.drain();
  }

  /**
   * Resolves when the next message has been handled (or at once if `signal` aborted): a watcher of the run's state
   * looks again then rather than at its next poll, so a finished load is seen without waiting a poll interval.
   */
  settled(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.settledListeners.push(resolve);
      // An aborted wait leaves no listener behind (a long run waits every poll).
      signal?.addEventListener(
        'abort',
        () => {
          this.settledListeners = this.settledListeners.filter((l) => l !== resolve);
          resolve();
        },
        { once: true },
      );
    });
  }

  private schedule(p: Pending): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run(p));
    this.inFlight.add(run);
    void run.finally(() => {
      this.inFlight.delete(run);
      for (const notify of this.settledListeners.splice(0)) notify();
    });
  }

  private async run(p: Pending): Promise<void> {
    const handlers = this.handlers;
    if (!handlers) {
      this.log.warn('no dispatch handlers yet; message kept until they are set', { kind: p.kind, ...p.message });
      this.waiting.push(p);
      return;
    }
    try {
      if (p.kind === 'plan') await handlers.plan(p.message);
      else await this.runTask(handlers, p.message);
    } catch (err) {
      this.log.error(`${p.kind} handler failed`, {
        connector: p.message.connector,
        epoch: p.message.epoch,
        ...(p.kind === 'task' && { taskId: p.message.taskId }),
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private async runTask(handlers: DispatchHandlers, message: TaskMessage): Promise<void> {
    if (this.runningTasks >= this.maxRunningTasks) {
      await new Promise<void>((start) => this.queued.push({ message, start }));
    } else this.runningTasks++;
    try {
      await handlers.task(message);
    } finally {
      // The slot passes straight to the next queued task, so the count never exceeds the bound.
      const next = this.queued.shift();
      if (next) next.start();
      else this.runningTasks--;
    }
  }
}
