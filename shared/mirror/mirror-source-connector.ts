// The mirror connector (MirrorMaker 2's MirrorSourceConnector) for one connector record: lists the source topics every
// `refresh.topics.interval.seconds`, creates missing target topics with the source's partition count, assigns the
// source partitions to min(tasks.max, partitions) tasks (taskConfigs: round-robin, as MM2), runs them, and writes
// their status rows (the worker owns the task documents: putTasks when it plans, updateTask compare-and-set after).
// A new topic or partition changes the assignment: the tasks stop (saving their positions) and the new set starts.
import type { MirrorConnectorSpec } from '../config/spec.js';
import type { TopicPartition } from '../kafka/port/kafka-port.js';
import { createKafkaClient } from '../kafka/port/kafka-client.js';
import type { Logger } from '../runtime/log.js';
import { carriedCounts, type CarriedCounts } from '../lifecycle/restart.js';
import type { ConnectorRecord, ConnectorStore, NewTaskRecord, TaskRecord, TaskState } from '../lifecycle/store.js';
import { ConversionPool, conversionThreads } from './conversion-pool.js';
import { createConverter, type Converter } from './converters/index.js';
import { replicationPolicyFor, type ReplicationPolicy } from './replication-policy.js';
import { TopicFilter } from './topic-filter.js';
import { MirrorSourceTask } from './mirror-source-task.js';
import { legacyGroupId, MirrorPositions } from './mirror-positions.js';
import { MirrorTopics } from './mirror-topics.js';

/** What one task is given: its source partitions (`topic-partition` names in the task document). */
export interface MirrorTaskAssignment {
  topics: string[];
  partitionCount: number;
  partitions: string[];
}

/**
 * MM2's taskConfigs(maxTasks): min(tasks.max, partitions) tasks; the source partitions, sorted by topic then
 * partition, dealt round-robin (partition i to task i mod tasks); a warning when tasks.max exceeds the partitions.
 */
export function taskConfigs(
  tasksMax: number,
  partitions: Map<string, number>,
): { tasks: number; warnings: string[]; assignments: TopicPartition[][] } {
  const all: TopicPartition[] = [];
  for (const topic of [...partitions.keys()].sort()) {
    for (let partition = 0; partition < partitions.get(topic)!; partition++) all.push({ topic, partition });
  }
  const warnings: string[] = [];
  if (all.length === 0) warnings.push('no source topic matches topics / topics.exclude yet');
  else if (tasksMax > all.length) {
    warnings.push(`tasks.max=${tasksMax} exceeds the ${all.length} source partitions; running ${all.length} tasks`);
  }
  const tasks = Math.max(1, Math.min(tasksMax, all.length));
  const assignments: TopicPartition[][] = Array.from({ length: tasks }, () => []);
  all.forEach((tp, i) => assignments[i % tasks].push(tp));
  return { tasks, warnings, assignments };
}

const assignmentOf = (partitions: TopicPartition[]): MirrorTaskAssignment => ({
  topics: [...new Set(partitions.map((p) => p.topic))],
  partitionCount: partitions.length,
  partitions: partitions.map((p) => `${p.topic}-${p.partition}`),
});

const STATUS_INTERVAL_MS = 2_000;

interface TaskSlot {
  task: MirrorSourceTask;
  doc?: TaskRecord;
  lastRecords: number;
  lastAt: number;
  rate: number;
  state: TaskState;
  lastError?: string;
}

export class MirrorSourceConnector {
  readonly name: string;
  readonly epoch: number;
  /** When the connector record was created: a re-created connector of the same name is another instance. */
  readonly createdAt: string;
  private readonly restartEpoch: number;
  private readonly spec: MirrorConnectorSpec;
  private readonly policy: ReplicationPolicy;
  private readonly filter: TopicFilter;
  private readonly topics: MirrorTopics;
  private readonly positions: MirrorPositions;
  private converter?: Converter;
  private pool?: ConversionPool;
  private partitions = new Map<string, number>();
  private slots: TaskSlot[] = [];
  private warnings: string[] = [];
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  /** Counted across re-plans so status totals do not drop when the task set changes. */
  private carried = new Map<number, CarriedCounts>();
  failure?: string;

  constructor(
    record: ConnectorRecord,
    spec: MirrorConnectorSpec,
    private readonly store: ConnectorStore,
    private readonly log: Logger,
  ) {
    this.name = record.name;
    this.epoch = record.epoch;
    this.createdAt = record.createdAt;
    this.restartEpoch = record.restartEpoch ?? 0;
    this.spec = spec;
    this.policy = replicationPolicyFor(spec);
    this.filter = new TopicFilter(spec.topics, spec.topicsExclude, this.policy, spec.targetAlias);
    this.topics = new MirrorTopics(
      createKafkaClient(
        { brokers: spec.source.brokers, security: spec.sourceAdmin },
        `dsc-mirror-admin-${record.name}`,
      ),
      createKafkaClient(spec.target, `dsc-mirror-admin-${record.name}`),
    );
    // Exactly once (the default): positions also go to the offsets topic on the target, in the records' transactions.
    const offsetsTopic =
      (spec.delivery?.exactlyOnce ?? true)
        ? {
            target: createKafkaClient(spec.target, `dsc-mirror-${record.name}`),
            sourceAlias: spec.sourceAlias,
            created: record.createdAt,
          }
        : undefined;
    this.positions = new MirrorPositions(store, record.name, this.topics.source, offsetsTopic);
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  async start(): Promise<void> {
    this.converter = await createConverter(this.spec.valueConverter);
    this.pool = ConversionPool.start(
      this.spec.valueConverter,
      this.converter,
      conversionThreads(this.spec.tasksMax),
      this.log.child({ connector: this.name }),
    );
    const tasks = await this.store.listTasks(this.name);
    // A connector without task documents was just created: a consumer group left by an earlier connector of the same
    // name is not its own. Its positions are not read from there, so the delete need not hold up the start.
    if (tasks.length === 0) {
      this.positions.readLegacyGroup = false;
      void this.deleteOffsets();
    }
    // After a restart the error counts start again from 0 (restart.ts): decided here, by the runtime of the new epoch.
    for (const t of tasks) this.carried.set(t.taskId, carriedCounts(t, this.restartEpoch));
    await this.refresh();
    const refreshMs = Math.max(1, this.spec.refreshTopicsIntervalSeconds) * 1000;
    this.timers.push(setInterval(() => this.serial(() => this.refresh()), refreshMs));
    this.timers.push(setInterval(() => this.serial(() => this.writeStatus()), STATUS_INTERVAL_MS));
  }

  /** Stops the tasks (draining their in-flight batches), writes final status rows with `state`. */
  async stop(state: TaskState = 'UNASSIGNED'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.busy.catch(() => {});
    await this.stopTasks();
    await this.writeStatus(state).catch((err) => this.log.warn('cannot write final status', { error: String(err) }));
    await Promise.all([this.topics.close(), this.positions.close(), this.pool?.close()]);
  }

  /**
   * Removes what a deleted connector kept on the source: the consumer group of versions that held positions there
   * (the store drops the positions it holds with the connector). Its tasks must be stopped.
   */
  async deleteOffsets(): Promise<void> {
    try {
      await this.topics.deleteSourceGroup(legacyGroupId(this.name));
    } catch (err) {
      this.log.warn('cannot delete the consumer group', { group: legacyGroupId(this.name), error: String(err) });
    }
  }

  private serial(fn: () => Promise<void>): void {
    this.busy = this.busy
      .then(() => (this.stopped ? undefined : fn()))
      .catch((err) => this.log.warn('mirror connector step failed', { connector: this.name, error: String(err) }));
  }

  /** Lists source topics, creates the missing target topics, and re-plans when the topic set or sizes changed. */
  private async refresh(): Promise<void> {
    const partitions = await this.topics.sourcePartitions((t) => this.filter.shouldReplicate(t));
    const wanted = [...partitions].map(([t, n]) => ({
      topic: this.policy.formatRemoteTopic(this.spec.sourceAlias, t),
      partitions: n,
    }));
    await this.topics.ensureTarget(wanted, this.spec.errors.deadLetterTopic, this.spec.replicationFactor);
    const same =
      partitions.size === this.partitions.size && [...partitions].every(([t, n]) => this.partitions.get(t) === n);
    if (same && this.slots.length > 0) return;
    this.log.info('mirror connector plans tasks', { connector: this.name, topics: [...partitions.keys()] });
    this.partitions = partitions;
    await this.replan();
  }

  private async stopTasks(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.task.stop()));
  }

  private async replan(): Promise<void> {
    // Keep the totals of the old task set before replacing it.
    for (const [i, s] of this.slots.entries()) {
      const prev = this.carried.get(i) ?? { records: 0, bytes: 0, errors: 0 };
      const lastError = this.lastErrorOf(i, s);
      this.carried.set(i, {
        records: prev.records + s.task.stats.records,
        bytes: prev.bytes + s.task.stats.bytes,
        errors: prev.errors + s.task.stats.errors,
        ...(lastError !== undefined && { lastError }),
      });
    }
    await Promise.all(this.slots.map((s) => s.task.stop()));
    const plan = taskConfigs(this.spec.tasksMax, this.partitions);
    this.warnings = plan.warnings;
    const docs: NewTaskRecord[] = [];
    for (let id = 0; id < plan.tasks; id++) {
      const c = this.carried.get(id) ?? { records: 0, bytes: 0, errors: 0 };
      docs.push({
        connector: this.name,
        taskId: id,
        epoch: this.epoch,
        state: 'RUNNING',
        assignment: assignmentOf(plan.assignments[id]),
        progress: {
          filesDone: 0,
          filesTotal: 0,
          records: c.records,
          bytes: c.bytes,
          bytesTotal: 0,
          recordsPerSecond: 0,
          errors: c.errors,
        },
        ...(c.lastError !== undefined && { lastError: c.lastError }),
        detail: { partitions: [], lag: {}, warnings: plan.warnings },
      });
    }
    if (!(await this.store.putTasks(this.name, docs))) throw new Error(`connector ${this.name} no longer exists`);
    const stored = await this.store.listTasks(this.name);
    this.slots = [];
    if (plan.assignments.every((a) => a.length === 0)) {
      // Nothing to consume yet: one idle task row carries the warning; the next refresh plans for real.
      return;
    }
    for (let id = 0; id < plan.tasks; id++) {
      const task = new MirrorSourceTask({
        connector: this.name,
        taskId: id,
        spec: this.spec,
        partitions: plan.assignments[id],
        targetTopic: (t) => this.policy.formatRemoteTopic(this.spec.sourceAlias, t),
        positions: this.positions,
        converter: this.converter!,
        pool: this.pool,
        log: this.log.child({ connector: this.name, task: id }),
        onFailure: (reason) => this.onTaskFailure(id, reason),
      });
      this.slots.push({
        task,
        doc: stored.find((d) => d.taskId === id),
        lastRecords: 0,
        lastAt: Date.now(),
        rate: 0,
        state: 'RUNNING',
      });
    }
    for (const s of this.slots) await s.task.start();
  }

  private onTaskFailure(taskId: number, reason: string): void {
    if (this.failure) return;
    this.failure = reason;
    const slot = this.slots[taskId];
    if (slot) {
      slot.state = 'FAILED';
      slot.lastError = reason;
    }
    // Stop every sibling too: the connector is FAILED until resumed, as Kafka Connect shows a failed task.
    void this.stop('UNASSIGNED').catch(() => {});
  }

  /** Writes one status row per task (compare-and-set on the version the worker last wrote). */
  private async writeStatus(finalState?: TaskState): Promise<void> {
    const now = Date.now();
    for (const [id, s] of this.slots.entries()) {
      const st = s.task.stats;
      const seconds = (now - s.lastAt) / 1000;
      if (seconds >= 1 || finalState) {
        s.rate = seconds > 0 ? Math.round((st.records - s.lastRecords) / seconds) : 0;
        s.lastRecords = st.records;
        s.lastAt = now;
      }
      const c = this.carried.get(id) ?? { records: 0, bytes: 0, errors: 0 };
      const lag = Object.fromEntries(st.partitions.map((p) => [p, st.lag[p] ?? 0]));
      const state = s.state === 'FAILED' ? 'FAILED' : (finalState ?? s.state);
      const lastError = this.lastErrorOf(id, s);
      await this.updateTask(id, {
        state,
        epoch: this.epoch,
        progress: {
          filesDone: 0,
          filesTotal: 0,
          records: c.records + st.records,
          bytes: c.bytes + st.bytes,
          bytesTotal: 0,
          recordsPerSecond: finalState ? 0 : s.rate,
          errors: c.errors + st.errors,
        },
        ...(lastError !== undefined && { lastError }),
        detail: { partitions: st.partitions, lag, warnings: this.warnings, retries: st.retries },
      });
    }
  }

  /** The failure, else what is being retried, else the last skipped record, else the last error carried on. */
  private lastErrorOf(id: number, s: TaskSlot): string | undefined {
    return s.lastError ?? s.task.stats.lastError ?? s.task.stats.lastSkipped ?? this.carried.get(id)?.lastError;
  }

  private async updateTask(taskId: number, patch: Parameters<ConnectorStore['updateTask']>[3]): Promise<void> {
    const slot = this.slots[taskId];
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = slot.doc ?? (await this.store.getTask(this.name, taskId));
      if (!current) return; // deleted: the worker notices and stops us
      if (current.epoch > this.epoch) return; // a runtime of a newer epoch owns the row: a late write must not undo it
      const next = await this.store.updateTask(this.name, taskId, current.version, patch);
      if (next) {
        slot.doc = next;
        return;
      }
      slot.doc = undefined;
    }
  }
}
