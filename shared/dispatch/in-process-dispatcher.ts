// Embedded dispatch: plan and task messages become function calls on a later turn of the event loop, so a caller
// (the management API, a planner) never runs a worker on its own stack nor sees a worker's error.
import type { Logger } from '../runtime/log.js';
import { silentLogger } from '../runtime/log.js';
import type { Dispatcher, PlanMessage, TaskMessage } from './dispatcher.js';

export interface DispatchHandlers {
  plan(message: PlanMessage): Promise<void>;
  task(message: TaskMessage): Promise<void>;
}

type Pending = { kind: 'plan'; message: PlanMessage } | { kind: 'task'; message: TaskMessage };

export class InProcessDispatcher implements Dispatcher {
  private handlers: DispatchHandlers | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages dispatched before any handlers were given; run by setHandlers. */
  private readonly waiting: Pending[] = [];

  constructor(
    handlers?: DispatchHandlers,
    private readonly log: Logger = silentLogger,
  ) {
    this.handlers = handlers;
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

  private schedule(p: Pending): void {
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.run(p));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
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
      else await handlers.task(p.message);
    } catch (err) {
      this.log.error(`${p.kind} handler failed`, {
        connector: p.message.connector,
        epoch: p.message.epoch,
        ...(p.kind === 'task' && { taskId: p.message.taskId }),
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
