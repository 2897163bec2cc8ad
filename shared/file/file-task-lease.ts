// A file task invocation's hold on its task document: the lease (owner = this invocation, expiry ~60 s, renewed with
// every checkpoint) taken and renewed by compare-and-set on the task's version, and what may end the invocation at a
// batch boundary: the connector's desired state (read every stateCheckMs), the time budget, the runtime's stop and
// kill.
import { errorText } from '../runtime/error-text.js';
import { randomUUID } from 'node:crypto';
import type { TaskMessage } from '../dispatch/dispatcher.js';
import type { ConnectorRecord, TaskPatch, TaskRecord } from '../lifecycle/store.js';
import type { Logger } from '../runtime/log.js';
import { TaskBudget, taskBudgetMs } from '../runtime/task-budget.js';
import type { FileConnectorContext } from './file-connector-context.js';
import { Interrupt, OwnershipLost, type FileTaskOptions, type TaskOutcome } from './file-task-control.js';

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_STATE_CHECK_MS = 1_000;

export abstract class FileTaskLease {
  protected readonly owner = randomUUID();
  protected readonly log: Logger;
  protected readonly leaseMs: number;
  private readonly stateCheckMs: number;
  private readonly budget: TaskBudget;
  protected task!: TaskRecord;
  /** Serialises store writes of this invocation: each CAS needs the version of the one before. */
  private writes: Promise<unknown> = Promise.resolve();
  private interrupt: Interrupt['reason'] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRenewal = Date.now();
  /**
   * A batch went out in this invocation. The budget stops only an invocation that moved on: one whose start alone
   * outlasted a short budget (a loaded machine) would otherwise re-enqueue itself at the same checkpoint for ever,
   * e.g. at the end of its file, where no batch is left to send before the next check.
   */
  protected sentThisInvocation = false;

  constructor(
    protected readonly message: TaskMessage,
    protected readonly ctx: FileConnectorContext,
    protected readonly options: FileTaskOptions,
  ) {
    this.log = ctx.log.child({ connector: message.connector, taskId: message.taskId, epoch: message.epoch });
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.stateCheckMs = options.stateCheckMs ?? DEFAULT_STATE_CHECK_MS;
    this.budget = new TaskBudget(options.budgetMs ?? taskBudgetMs());
  }

  /**
   * Takes the task's lease unless the task is gone, stale, done, paused or held by another live invocation (a live
   * lease of another owner makes a second copy return at once; an expired one is taken over). Returns the
   * connector's record, or the outcome of an invocation that does not run.
   */
  protected async claim(): Promise<ConnectorRecord | TaskOutcome> {
    const { store } = this.ctx;
    const { connector, taskId, epoch } = this.message;
    const record = await store.getConnector(connector);
    if (!record) return 'gone';
    if (epoch < record.epoch) return 'stale';
    const task = await store.getTask(connector, taskId);
    if (!task) return 'gone';
    if (task.epoch > epoch) return 'stale';
    if (task.state === 'FINISHED' || task.state === 'FAILED') return 'done';
    if (record.desired === 'PAUSED') {
      if (task.state !== 'PAUSED') await store.updateTask(connector, taskId, task.version, { state: 'PAUSED' });
      return 'paused';
    }
    const lease = task.lease;
    if (lease && lease.owner !== '' && lease.owner !== this.owner && lease.expiresAt > Date.now()) {
      this.log.info('task is held by another live invocation; not running a second copy', { owner: lease.owner });
      return 'busy';
    }
    const taken = await store.updateTask(connector, taskId, task.version, {
      epoch: Math.max(epoch, task.epoch),
      state: 'RUNNING',
      lease: { owner: this.owner, expiresAt: Date.now() + this.leaseMs },
    });
    if (!taken) return 'busy'; // someone else wrote first (took the lease or moved the epoch on)
    if (lease && lease.owner !== '') this.log.info('took over an expired lease; resuming from the checkpoint');
    this.task = taken;
    return record;
  }

  /** A CAS write of this invocation's task document, renewing the lease unless the patch releases it. */
  protected write(patch: TaskPatch): Promise<TaskRecord> {
    const next = this.writes.then(async () => {
      if (this.options.kill?.aborted) throw new OwnershipLost('killed');
      const full: TaskPatch = { lease: { owner: this.owner, expiresAt: Date.now() + this.leaseMs }, ...patch };
      const updated = await this.ctx.store.updateTask(this.task.connector, this.task.taskId, this.task.version, full);
      if (!updated) {
        const now = await this.ctx.store.getTask(this.task.connector, this.task.taskId);
        throw new OwnershipLost(now ? 'stale' : 'gone');
      }
      this.task = updated;
      this.lastRenewal = Date.now();
      return updated;
    });
    // Only keeps the chain of writes going: the caller awaits `next` and sees its failure.
    this.writes = next.catch(() => {});
    return next;
  }

  /** Reads the connector's desired state every stateCheckMs; renews the lease when no checkpoint did lately. */
  protected startWatching(): void {
    let checking = false;
    this.timer = setInterval(() => {
      if (checking) return;
      checking = true;
      void (async () => {
        const record = await this.ctx.store.getConnector(this.message.connector);
        if (!record) this.interrupt ??= 'gone';
        else if (record.epoch > this.message.epoch) this.interrupt ??= 'stale';
        else if (record.desired === 'PAUSED') this.interrupt ??= 'paused';
        if (!this.interrupt && Date.now() - this.lastRenewal > this.leaseMs / 3)
          await this.write({}).catch((err: unknown) =>
            // Not fatal here: the next checkpoint write finds out whether the task is still ours.
            this.log.warn('lease renewal failed', { error: errorText(err) }),
          );
      })()
        .catch((err: Error) => this.log.warn('desired-state check failed', { error: err.message }))
        .finally(() => (checking = false));
    }, this.stateCheckMs);
    this.timer.unref();
  }

  protected stopWatching(): void {
    if (this.timer) clearInterval(this.timer);
  }

  protected interruptRequested(): boolean {
    return !!this.interrupt || !!this.options.stop?.aborted || this.budgetSpent();
  }

  protected checkInterrupt(): void {
    this.throwIfKilled();
    if (this.interrupt) throw new Interrupt(this.interrupt);
    if (this.options.stop?.aborted) throw new Interrupt('stopped');
    if (this.budgetSpent()) throw new Interrupt('requeued');
  }

  private budgetSpent(): boolean {
    return this.sentThisInvocation && this.budget.spent();
  }

  protected throwIfKilled(): void {
    if (this.options.kill?.aborted) throw new OwnershipLost('killed');
  }
}
