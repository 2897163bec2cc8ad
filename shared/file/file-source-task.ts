// The file connector's task: one invocation moves the task's files, from its checkpoint, into Kafka:
// storage → (archive entries) → reader → batches of file.reader.batch.size → Kafka → checkpoint.
//
// Delivery: exactly once by default (exactly.once.source.support=enabled): the producer is transactional, batches
// go into a transaction that commits every transaction.boundary.interval.ms together with the task's offset in the
// offsets topic (task-transactions.ts), and a task starts from its committed offset, read back after
// fencing every earlier copy. The store's checkpoint follows each commit (status, and the upgrade path: a task
// without an offset in the topic starts from the store's checkpoint). With exactly once disabled:
// at least once, with at most ONE batch repeated. A batch's checkpoint (file, byte offset or archive entry
// and record count) is written only after Kafka acknowledged the batch with acks=all, and the next batch is sent
// only after that (the reader fills it meanwhile). A crash, a redelivered message or a lost lease therefore resumes
// from the last checkpoint: what was acknowledged is never lost, and only the one batch in flight at the crash can
// reach Kafka a second time.
//
// Exclusivity: a lease (owner = this invocation, expiry ~60 s, renewed with every checkpoint) taken and renewed by
// compare-and-set on the task's version. A live lease of another owner makes a second copy return at once; an
// expired one is taken over. Every write is a CAS, so a copy that lost its lease cannot write a checkpoint.
//
// The task is built in layers, one module each: file-task-lease.ts (lease, desired state, budget),
// file-task-checkpoints.ts (producer, batches, checkpoints, transactions), file-task-read-loop.ts (files, archive
// entries, readers); this module runs an invocation and maps how it ended to an outcome.
import type { TaskMessage } from '../dispatch/dispatcher.js';
import { errorText } from '../runtime/error-text.js';
import { readAssignment, readCheckpoint } from './file-assignment.js';
import { openSpec, storageOf, type FileConnectorContext } from './file-connector-context.js';
import { NO_LEASE } from './file-source-connector.js';
import {
  BadData,
  Interrupt,
  OwnershipLost,
  TaskFailure,
  type FileTaskOptions,
  type TaskOutcome,
} from './file-task-control.js';
import { FileTaskReadLoop } from './file-task-read-loop.js';

export type { FileTaskOptions, TaskOutcome } from './file-task-control.js';

export async function runFileSourceTask(
  message: TaskMessage,
  ctx: FileConnectorContext,
  options: FileTaskOptions = {},
): Promise<TaskOutcome> {
  const run = new FileSourceTask(message, ctx, options);
  return run.run();
}

class FileSourceTask extends FileTaskReadLoop {
  async run(): Promise<TaskOutcome> {
    const record = await this.claim();
    if (typeof record === 'string') return record;
    const { connector, taskId } = this.message;
    const taken = this.task;
    this.createdAt = record.createdAt;
    try {
      if (record.spec.kind !== 'file') throw new TaskFailure(`connector ${connector} is not a file connector`);
      this.spec = await openSpec(record.spec, this.ctx);
      this.files = readAssignment(taken.assignment).files;
      // A copy: the read loop moves the position in place, and readCheckpoint may return the shared START.
      this.position = { ...readCheckpoint(taken.checkpoint) };
      this.filesDone = Math.min(this.position.fileIndex, this.files.length);
      this.acked = { ...taken.progress, filesTotal: this.files.length, recordsPerSecond: 0 };
      this.ackedLastError = taken.lastError;
      this.batch = this.emptyBatch();
      this.storage = storageOf(this.spec, this.ctx);
      await this.connectProducer(`dsc-task-${connector}-${taskId}`);
      this.startWatching();
      return await this.load();
    } catch (err) {
      return await this.handleError(err);
    } finally {
      this.stopWatching();
      await this.producer?.disconnect().catch((err: unknown) =>
        // The outcome is decided already (an acknowledged batch is checkpointed; an unacknowledged one is sent again
        // or, exactly once, was never committed), so a failed disconnect only needs to be seen.
        this.log.warn('could not disconnect the producer', { file: this.currentFile(), error: errorText(err) }),
      );
      await this.transactions?.dispose();
    }
  }

  private async handleError(err: unknown): Promise<TaskOutcome> {
    if (err instanceof OwnershipLost) {
      this.log.info('stopped: task ownership moved on', { reason: err.outcome });
      await this.producer?.settle();
      if (err.outcome !== 'killed') await this.abandon();
      return err.outcome;
    }
    if (err instanceof Interrupt) return this.interrupted(err.reason);
    const message = errorText(err);
    if (this.producer && this.batch) {
      // Send (and checkpoint) what came before a bad record, so a fixed file resumes right at it.
      // A failure here leaves the checkpoint at the last commit: the next run starts there (nothing is lost), but the
      // records before the bad one are sent again (at least once) or were never committed (exactly once). Logged, since
      // the task's own error below is the bad record's.
      try {
        if (err instanceof BadData) await this.sendBatch();
        await this.flush();
        await this.commit();
      } catch (flushErr) {
        if (flushErr instanceof OwnershipLost) return flushErr.outcome;
        this.log.error('could not send and commit the records read before the failure', {
          file: this.currentFile(),
          error: errorText(flushErr),
        });
        // Exactly once: what was not committed is aborted (never visible); the next run starts at the last commit.
        await this.transactions?.abort().catch((abortErr: unknown) =>
          // Not fatal: the broker aborts it at transaction.timeout.ms, or the next run's fencing does at once.
          this.log.warn('could not abort the open transaction', { error: errorText(abortErr) }),
        );
      }
    }
    this.log.error('task failed', { error: message });
    try {
      await this.write({
        state: 'FAILED',
        lastError: message,
        lease: NO_LEASE,
        ...(this.acked && { progress: this.progress() }),
      });
    } catch (writeErr) {
      if (writeErr instanceof OwnershipLost) return writeErr.outcome;
      throw writeErr;
    }
    return 'failed';
  }

  /** Stops at a batch boundary: flush, checkpoint, then release (and for the budget, re-enqueue). */
  private async interrupted(reason: Interrupt['reason']): Promise<TaskOutcome> {
    if (reason === 'gone' || reason === 'stale') {
      await this.producer?.settle();
      await this.abandon();
      return reason;
    }
    try {
      await this.sendBatch();
      await this.flush();
      await this.commit();
      const state = reason === 'paused' ? 'PAUSED' : 'RUNNING';
      await this.write({ state, lease: NO_LEASE, progress: this.progress() });
    } catch (err) {
      if (err instanceof OwnershipLost) return err.outcome;
      return this.handleError(err);
    }
    if (reason === 'requeued') {
      this.log.info('time budget spent: checkpointed, dispatching the task again', { records: this.acked.records });
      await this.ctx.dispatcher.task(this.message);
    } else {
      this.log.info(`task ${reason} at a batch boundary`, { records: this.acked.records });
    }
    return reason;
  }
}
