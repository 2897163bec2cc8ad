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
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { FileConnectorSpec } from '../config/spec.js';
import type { TaskMessage } from '../dispatch/dispatcher.js';
import { BatchProducer } from '../kafka/batch-producer.js';
import { isProducerFenced, type KafkaClient, type KafkaProducer } from '../kafka/kafka-port.js';
import { TaskTransactions } from '../kafka/task-transactions.js';
import type { TaskPatch, TaskProgress, TaskRecord } from '../lifecycle/store.js';
import type { Logger } from '../runtime/log.js';
import { errorText } from '../runtime/error-text.js';
import { TaskBudget, taskBudgetMs } from '../runtime/task-budget.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { openEntries } from './archives/index.js';
import {
  readAssignment,
  readCheckpoint,
  sourceName,
  type AssignedFile,
  type FileCheckpoint,
} from './file-assignment.js';
import { kafkaOf, openSpec, storageOf, type FileConnectorContext } from './file-connector-context.js';
import { fileOffsetValue, readFileOffset } from './file-offset.js';
import { baseName, formatForName, matchesFileRegexp } from './file-format.js';
import { NO_LEASE } from './file-source-connector.js';
import { pumpRecords, rangeOpenOffset } from './readers/read-records.js';
import type { RecordOutput } from './readers/record-output.js';
import type { BadRecord } from './record.js';
import { BatchPartitioner, deadLetterRecord, emptyBatch, type Batch } from './file-task-batch.js';
import { RecordBatcher } from './record-batcher.js';

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
class OwnershipLost extends Error {
  constructor(readonly outcome: 'gone' | 'stale' | 'killed') {
    super(`task ownership lost (${outcome})`);
  }
}

/** Ends the read loop at a batch boundary for a reason that is not an error. */
class Interrupt extends Error {
  constructor(readonly reason: 'paused' | 'requeued' | 'stopped' | 'gone' | 'stale') {
    super(reason);
  }
}

/** A failure that fails the task, with the message status shows (file, line and reason). */
class TaskFailure extends Error {}

const DEFAULT_LEASE_MS = 60_000;
/** A record batch's ceiling (lower when the topic's max.message.bytes is): half librdkafka's 1 MB batch.size, for memory. */
const MAX_BATCH_BYTES = 512 * 1024;
/** Room under max.message.bytes for what the broker counts beyond our estimate. */
const BATCH_BYTES_MARGIN = 1024;
const DEFAULT_STATE_CHECK_MS = 1_000;

export async function runFileSourceTask(
  message: TaskMessage,
  ctx: FileConnectorContext,
  options: FileTaskOptions = {},
): Promise<TaskOutcome> {
  const run = new FileSourceTask(message, ctx, options);
  return run.run();
}

class FileSourceTask {
  private readonly owner = randomUUID();
  private readonly log: Logger;
  private readonly leaseMs: number;
  private readonly stateCheckMs: number;
  private readonly budget: TaskBudget;
  private task!: TaskRecord;
  private spec!: FileConnectorSpec;
  private storage!: ObjectStorage;
  private producer: BatchProducer | undefined;
  /** Exactly once: the task's transactions and offset; undefined when exactly.once.source.support=disabled. */
  private transactions: TaskTransactions | undefined;
  /** Exactly once: the position after the last acknowledged batch of the open transaction. */
  private committable: FileCheckpoint | undefined;
  /** The connector's creation time: identifies its offsets in the offsets topic. */
  private createdAt = '';
  private files: AssignedFile[] = [];
  private batcher!: RecordBatcher;
  /** Batches cut while a chunk was read, waiting to be sent (after the chunk). */
  private ready: Batch[] = [];
  private partitioner!: BatchPartitioner;

  /** Where reading has got to (ahead of what is acknowledged). */
  private position!: FileCheckpoint;
  private filesDone = 0;
  /** Acknowledged totals, as written to the progress document. */
  private acked!: TaskProgress;
  private ackedLastError: string | undefined;
  private readonly started = Date.now();
  private recordsThisRun = 0;

  private batch!: Batch;
  /** Serialises store writes of this invocation: each CAS needs the version of the one before. */
  private writes: Promise<unknown> = Promise.resolve();
  private interrupt: Interrupt['reason'] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRenewal = Date.now();
  private failedEntries: string[] = [];

  constructor(
    private readonly message: TaskMessage,
    private readonly ctx: FileConnectorContext,
    private readonly options: FileTaskOptions,
  ) {
    this.log = ctx.log.child({ connector: message.connector, taskId: message.taskId, epoch: message.epoch });
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.stateCheckMs = options.stateCheckMs ?? DEFAULT_STATE_CHECK_MS;
    this.budget = new TaskBudget(options.budgetMs ?? taskBudgetMs());
  }

  async run(): Promise<TaskOutcome> {
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
      if (this.timer) clearInterval(this.timer);
      await this.producer?.disconnect().catch(() => {});
      await this.transactions?.dispose();
    }
  }

  /** The producer, the topic's partitions and the batch size the broker accepts for it. */
  private async connectProducer(clientId: string): Promise<void> {
    const kafka = kafkaOf(this.spec, this.ctx, clientId);
    const { connector, taskId } = this.message;
    const exactlyOnce = this.spec.delivery?.exactlyOnce ?? true;
    const producer = kafka.producer({
      compression: this.spec.compression ?? 'none',
      ...(exactlyOnce && { transactionalId: TaskTransactions.transactionalId(connector, taskId) }),
    });
    // One batch in flight: a second one measured no faster (1.43 M records/s either way, 2 M lines, exactly once) and
    // held more memory, since the reader fills the next batch while the first is acknowledged.
    this.producer = new BatchProducer(producer);
    try {
      await this.producer.connect();
      const dlq = this.spec.errors.deadLetterTopic;
      // The offsets topic and the topic's metadata are independent requests: in parallel, start-up is shorter.
      const [, topic, deadLetter, brokerMax] = await Promise.all([
        exactlyOnce ? this.openTransactions(kafka, producer) : undefined,
        producer.partitionCount(this.spec.topic),
        dlq ? producer.partitionCount(dlq) : 1,
        producer.maxBatchBytes(this.spec.topic),
      ]);
      this.partitioner = new BatchPartitioner(this.spec, { topic, deadLetter });
      const maxBytes = Math.min(MAX_BATCH_BYTES, brokerMax) - BATCH_BYTES_MARGIN;
      this.batcher = new RecordBatcher(maxBytes, this.spec.provenanceHeaders ?? false);
    } catch (err) {
      throw new TaskFailure(`cannot connect to Kafka: ${errorText(err)}`);
    }
  }

  /**
   * Exactly once: opens the offsets topic and resumes from the task's committed offset (the producer's connect
   * fenced every earlier copy first, so nothing can commit behind it). Without one, the store's checkpoint stands.
   */
  private async openTransactions(kafka: KafkaClient, producer: KafkaProducer): Promise<void> {
    const { connector, taskId } = this.message;
    this.transactions = await TaskTransactions.open(kafka, producer, {
      connector,
      taskId,
      sourcePartition: { task: taskId },
      intervalMs: this.spec.delivery?.transactionIntervalMs ?? 500,
    });
    const committed = readFileOffset(await this.transactions.readOffset(), this.createdAt, this.files);
    if (!committed) return;
    this.position = { ...committed.position };
    this.filesDone = Math.min(committed.progress.filesDone, this.files.length);
    this.acked = { ...this.acked, ...committed.progress };
    this.batch = this.emptyBatch();
  }

  /**
   * Exactly once: waits for every batch sent, then commits them with the offset after the last one (the next
   * invocation starts there) and copies checkpoint and counts to the store.
   */
  private async commit(): Promise<void> {
    const transactions = this.transactions;
    if (!transactions) return;
    await this.flush();
    const position = this.committable;
    if (!position) return;
    const offset = { position, progress: { ...this.acked } };
    try {
      await transactions.commit(fileOffsetValue(offset, this.createdAt, this.files));
    } catch (err) {
      if (isProducerFenced(err)) throw new OwnershipLost('stale');
      throw new TaskFailure(`commit of the Kafka transaction failed: ${errorText(err)}`);
    }
    this.committable = undefined;
    await this.write({
      checkpoint: position,
      progress: this.progress(),
      ...(this.ackedLastError !== undefined && { lastError: this.ackedLastError }),
      ...(this.failedEntries.length > 0 && { detail: { failedEntries: [...this.failedEntries] } }),
    });
  }

  /**
   * Exactly once, when the task stops without committing (deleted, or another invocation owns it now): aborts the
   * open transaction, so read_committed consumers need not wait for the broker's transaction timeout. Fails
   * harmlessly when a newer invocation already fenced this one (it aborted the transaction itself).
   */
  private async abandon(): Promise<void> {
    await this.transactions?.abort().catch(() => {});
  }

  // ---- the read loop ----

  private async load(): Promise<TaskOutcome> {
    for (let i = this.position.fileIndex; i < this.files.length; i++) {
      const file = this.files[i];
      try {
        if (file.archive === 'none') await this.loadPlain(file, i);
        else await this.loadArchive(file, i);
      } catch (err) {
        if (isControl(err)) throw err;
        if (this.options.kill?.aborted) throw new OwnershipLost('killed');
        // Storage (or a broken stream) failed: the message names the file; no stack.
        throw new TaskFailure(`${file.uri}: ${errorText(err)}`);
      }
      this.filesDone = i + 1;
      this.position = { fileIndex: i + 1, offset: 0, line: 0, entryIndex: 0, entryRecords: 0 };
    }
    await this.sendBatch();
    await this.flush();
    await this.commit();
    await this.write({ state: 'FINISHED', lease: NO_LEASE, checkpoint: this.position, progress: this.progress() });
    this.log.info('task finished', { records: this.acked.records, errors: this.acked.errors });
    return 'finished';
  }

  private async loadPlain(file: AssignedFile, index: number): Promise<void> {
    const resumeAt = index === this.position.fileIndex && this.position.offset > 0 ? this.position.offset : undefined;
    const rangeStart = resumeAt ?? file.range?.start ?? 0;
    const open = rangeOpenOffset(rangeStart, this.spec.reader);
    const input: Readable = this.storage.read(file.uri, {
      range: { start: open },
      ...(file.generation && { generation: file.generation }),
    });
    const source = sourceName(file.uri);
    this.batcher.startSource(source, file.generation);
    // Mutated in place per record (no object per record); a batch copies it when it is cut.
    const p = this.position;
    p.fileIndex = index;
    p.entryIndex = 0;
    p.entryRecords = 0;
    if (resumeAt === undefined) p.line = 0;
    let offset = rangeStart;
    const moved = (line: number | undefined, end: number): void => {
      this.batch.bytes += end - offset;
      offset = end;
      if (line !== undefined) p.line = line;
      p.offset = end;
      if (++this.batch.results >= this.spec.reader.batchSize) this.cut();
    };
    const output: RecordOutput = {
      record: (buf, s, e, line, end) => {
        this.batcher.append(buf, s, e, line, end);
        this.batch.records++;
        moved(line, end);
      },
      bad: (r) => {
        this.takeBad(r, source, file.generation);
        moved(r.line, r.endOffset);
      },
    };
    await this.pump(
      pumpRecords(
        input,
        {
          format: file.format,
          reader: this.spec.reader,
          skipHeader: this.spec.reader.header,
          startOffset: open,
          rangeStart,
          ...(file.range && { endOffset: file.range.end }),
        },
        output,
      ),
    );
  }

  private async loadArchive(file: AssignedFile, index: number): Promise<void> {
    const resuming = index === this.position.fileIndex;
    const skipEntries = resuming ? this.position.entryIndex : 0;
    const generation = file.generation;
    const open = (range?: { start: number; end?: number }): Readable =>
      this.storage.read(file.uri, { ...(range && { range }), ...(generation && { generation }) });
    // An archive chosen by its own name is read whole; one that is only a container is filtered entry by entry.
    const archiveSelected = matchesFileRegexp(file.uri, this.spec.regexp);
    let entryIndex = -1;
    // The archive's own name (not its URI): a gzip entry is named after it without `.gz`.
    const archiveName = baseName(file.uri.startsWith('file:') ? fileURLToPath(file.uri) : file.uri);
    for await (const entry of openEntries(file.archive, open, { name: archiveName, size: file.size })) {
      entryIndex++;
      if (entryIndex < skipEntries || (!archiveSelected && !matchesFileRegexp(entry.name, this.spec.regexp))) {
        entry.stream?.resume();
        continue;
      }
      const source = sourceName(file.uri, entry.name);
      if (entry.error !== undefined || !entry.stream) {
        this.entryFailed(source, entry.error ?? 'unreadable entry');
        continue;
      }
      const skip = resuming && entryIndex === skipEntries ? this.position.entryRecords : 0;
      this.batcher.startSource(source, generation);
      this.position = { fileIndex: index, offset: 0, line: 0, entryIndex, entryRecords: 0 };
      const p = this.position;
      let n = 0;
      let offset = 0;
      // Every reader result counts (records and bad records alike): a resume skips the first `skip` of them.
      const moved = (line: number | undefined, end: number, counted: boolean): void => {
        if (counted) this.batch.bytes += end - offset;
        offset = end;
        p.line = line ?? 0;
        p.entryRecords = n;
        if (counted && ++this.batch.results >= this.spec.reader.batchSize) this.cut();
      };
      const output: RecordOutput = {
        record: (buf, s, e, line, end) => {
          const counted = ++n > skip;
          if (counted) {
            this.batcher.append(buf, s, e, line, end);
            this.batch.records++;
          }
          moved(line, end, counted);
        },
        bad: (r) => {
          const counted = ++n > skip;
          if (counted) this.takeBad(r, source, generation);
          moved(r.line, r.endOffset, counted);
        },
      };
      const reader = {
        format: formatForName(entry.name),
        reader: this.spec.reader,
        skipHeader: this.spec.reader.header,
      };
      try {
        await this.pump(pumpRecords(entry.stream, reader, output));
      } catch (err) {
        if (isControl(err)) throw err;
        if (this.options.kill?.aborted) throw new OwnershipLost('killed');
        // A corrupt entry (bad gzip data, truncated tar): that entry fails, the next ones are still read.
        this.entryFailed(source, errorText(err));
      }
      this.position = { fileIndex: index, offset: 0, line: 0, entryIndex: entryIndex + 1, entryRecords: 0 };
    }
  }

  /**
   * Runs the reader chunk by chunk: its records went into batches (cut at batch size), which are sent after each
   * chunk; a batch boundary is where the task stops when asked to. Leaving early destroys the input.
   */
  private async pump(chunks: AsyncGenerator<void>): Promise<void> {
    for await (const _ of chunks) {
      await this.sendReady(true);
      this.checkInterrupt();
    }
  }

  /** A bad record under errors.tolerance: fail, or count it and (with a dead-letter topic) dead-letter it. */
  private takeBad(r: BadRecord, source: string, generation: string | undefined): void {
    const where = r.line !== undefined ? `line ${r.line}` : `byte offset ${r.endOffset}`;
    const description = `${source} ${where}: ${r.reason}`;
    if (this.spec.errors.tolerance === 'none') {
      // The records before it are good: they go out (and are checkpointed) before the task fails.
      throw new BadData(description);
    }
    this.batch.errors++;
    this.batch.lastError = description;
    if (!this.spec.errors.deadLetterTopic) return;
    // Dead letters always carry their provenance: they are the records a user has to find in the file.
    this.batch.dead.push(deadLetterRecord(r, { spec: this.spec, taskId: this.message.taskId, source, generation }));
  }

  private entryFailed(source: string, reason: string): void {
    const description = `${source}: ${reason}`;
    if (this.spec.errors.tolerance === 'none') throw new BadData(description);
    this.log.warn('archive entry failed; continuing with the next entry', { source, reason });
    this.failedEntries.push(description);
    this.batch.errors++;
    this.batch.lastError = description;
  }

  // ---- batches and checkpoints ----

  private emptyBatch(): Batch {
    return emptyBatch(this.position, this.filesDone);
  }

  /** Ends the batch being filled: its records encoded, its position copied; it waits in `ready` to be sent. */
  private cut(): void {
    const batch = this.batch;
    batch.encoded = this.batcher.take();
    batch.position = { ...this.position };
    batch.filesDone = this.filesDone;
    this.ready.push(batch);
    this.batch = this.emptyBatch();
  }

  /** Sends the batch being filled (even an empty one: its checkpoint moves on) after those already cut. */
  private async sendBatch(): Promise<void> {
    this.cut();
    await this.sendReady();
  }

  /**
   * Sends the batches cut so far, in order. `interruptible`: between two batches, a pause, stop or spent budget
   * stops here: the batches not sent yet are dropped and the position goes back to the last one sent (a chunk
   * can hold many batches; the reader reads them again on resume).
   */
  private async sendReady(interruptible = false): Promise<void> {
    while (this.ready.length > 0) {
      const batch = this.ready.shift()!;
      this.throwIfKilled();
      try {
        await this.producer!.submit(this.partitioner.requestsOf(batch), () => this.checkpoint(batch));
      } catch (err) {
        if (err instanceof OwnershipLost) throw err;
        if (isProducerFenced(err)) throw new OwnershipLost('stale');
        throw new TaskFailure(errorText(err));
      }
      this.throwIfKilled();
      this.transactions?.sent();
      if (this.transactions?.due) await this.commit();
      if (interruptible && this.ready.length > 0 && this.interruptRequested()) {
        this.ready = [];
        this.batcher.take();
        this.batch = this.emptyBatch();
        this.position = { ...batch.position };
        this.batch.position = this.position;
        this.checkInterrupt();
      }
    }
  }

  private async flush(): Promise<void> {
    try {
      await this.producer!.flush();
    } catch (err) {
      if (err instanceof OwnershipLost) throw err;
      if (isProducerFenced(err)) throw new OwnershipLost('stale');
      throw new TaskFailure(errorText(err));
    }
    this.throwIfKilled();
  }

  /** After Kafka acknowledged `batch`: its position and counts become the checkpoint (CAS, lease renewed). */
  private async checkpoint(batch: Batch): Promise<void> {
    if (this.options.kill?.aborted) throw new OwnershipLost('killed');
    this.batcher.recycle(batch.encoded); // acknowledged: nothing reads these bytes any more
    this.acked.records += batch.records;
    this.acked.bytes += batch.bytes;
    this.acked.errors += batch.errors;
    this.acked.filesDone = batch.filesDone;
    this.recordsThisRun += batch.records;
    if (batch.lastError) this.ackedLastError = batch.lastError;
    if (this.transactions) {
      // Exactly once: the position is committed with the transaction (commit()), not now.
      this.committable = batch.position;
      return;
    }
    await this.write({
      checkpoint: batch.position,
      progress: this.progress(),
      ...(this.ackedLastError !== undefined && { lastError: this.ackedLastError }),
      ...(this.failedEntries.length > 0 && { detail: { failedEntries: [...this.failedEntries] } }),
    });
  }

  private progress(): TaskProgress {
    const seconds = Math.max(0.001, (Date.now() - this.started) / 1000);
    return { ...this.acked, recordsPerSecond: Math.round(this.recordsThisRun / seconds) };
  }

  /** A CAS write of this invocation's task document, renewing the lease unless the patch releases it. */
  private write(patch: TaskPatch): Promise<TaskRecord> {
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
    this.writes = next.catch(() => {});
    return next;
  }

  // ---- desired state, budget, stop ----

  /** Reads the connector's desired state every stateCheckMs; renews the lease when no checkpoint did lately. */
  private startWatching(): void {
    let checking = false;
    this.timer = setInterval(() => {
      if (checking) return;
      checking = true;
      void (async () => {
        const record = await this.ctx.store.getConnector(this.message.connector);
        if (!record) this.interrupt ??= 'gone';
        else if (record.epoch > this.message.epoch) this.interrupt ??= 'stale';
        else if (record.desired === 'PAUSED') this.interrupt ??= 'paused';
        if (!this.interrupt && Date.now() - this.lastRenewal > this.leaseMs / 3) await this.write({}).catch(() => {});
      })()
        .catch((err: Error) => this.log.warn('desired-state check failed', { error: err.message }))
        .finally(() => (checking = false));
    }, this.stateCheckMs);
    this.timer.unref();
  }

  private interruptRequested(): boolean {
    return !!this.interrupt || !!this.options.stop?.aborted || this.budget.spent();
  }

  private checkInterrupt(): void {
    this.throwIfKilled();
    if (this.interrupt) throw new Interrupt(this.interrupt);
    if (this.options.stop?.aborted) throw new Interrupt('stopped');
    if (this.budget.spent()) throw new Interrupt('requeued');
  }

  private throwIfKilled(): void {
    if (this.options.kill?.aborted) throw new OwnershipLost('killed');
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
      if (err instanceof BadData) await this.sendBatch().catch(() => {});
      try {
        await this.flush();
        await this.commit();
      } catch (flushErr) {
        if (flushErr instanceof OwnershipLost) return flushErr.outcome;
        // Exactly once: what was not committed is aborted (never visible); the next run starts at the last commit.
        await this.transactions?.abort().catch(() => {});
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

/** A bad record (or corrupt archive entry) under errors.tolerance=none. */
class BadData extends Error {}

/** Errors that already say what happened and must pass the per-file wrapping unchanged. */
const isControl = (err: unknown): boolean =>
  err instanceof Interrupt || err instanceof TaskFailure || err instanceof OwnershipLost || err instanceof BadData;
