// The mirror connector (MirrorMaker 2's MirrorSourceConnector) for one connector record: lists the source topics every
// `refresh.topics.interval.seconds`, creates missing target topics with the source's partition count, plans
// min(tasks.max, partitions) tasks (taskConfigs), runs them, and writes their status rows (the worker owns the task
// documents: putTasks when it plans, updateTask compare-and-set afterwards).
import type { Admin, Kafka } from 'kafkajs';
import type { MirrorConnectorSpec } from '../config/spec.js';
import { createKafka } from '../kafka/client.js';
import type { Logger } from '../runtime/log.js';
import type { ConnectorRecord, ConnectorStore, NewTaskRecord, TaskRecord, TaskState } from '../lifecycle/store.js';
import { createConverter, type Converter } from './converters/index.js';
import { replicationPolicyFor, type ReplicationPolicy } from './replication-policy.js';
import { TopicFilter } from './topic-filter.js';
import { MirrorSourceTask, mirrorGroupId } from './mirror-source-task.js';

/** What one task is given: the subscription it shares with its siblings (the group assigns the partitions). */
export interface MirrorTaskAssignment {
  topics: string[];
  partitionCount: number;
}

/** MM2's taskConfigs(maxTasks): how many tasks run, and the warning when tasks.max exceeds the partitions. */
export function taskConfigs(
  tasksMax: number,
  partitions: Map<string, number>,
): { tasks: number; warnings: string[]; assignment: MirrorTaskAssignment } {
  const total = [...partitions.values()].reduce((a, b) => a + b, 0);
  const warnings: string[] = [];
  if (total === 0) warnings.push('no source topic matches topics / topics.exclude yet');
  else if (tasksMax > total) {
    warnings.push(`tasks.max=${tasksMax} exceeds the ${total} source partitions; running ${total} tasks`);
  }
  return {
    tasks: Math.max(1, Math.min(tasksMax, total)),
    warnings,
    assignment: { topics: [...partitions.keys()].sort(), partitionCount: total },
  };
}

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
  private readonly spec: MirrorConnectorSpec;
  private readonly policy: ReplicationPolicy;
  private readonly filter: TopicFilter;
  private readonly source: Kafka;
  private readonly sourceAdminKafka: Kafka;
  private readonly target: Kafka;
  private sourceAdmin?: Admin;
  private targetAdmin?: Admin;
  private converter?: Converter;
  private partitions = new Map<string, number>();
  private slots: TaskSlot[] = [];
  private warnings: string[] = [];
  private lag: Record<string, number> = {};
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  /** Counted across re-plans so status totals do not drop when the task set changes. */
  private carried = new Map<number, { records: number; bytes: number; errors: number }>();
  failure?: string;

  constructor(
    record: ConnectorRecord,
    spec: MirrorConnectorSpec,
    private readonly store: ConnectorStore,
    private readonly log: Logger,
  ) {
    this.name = record.name;
    this.epoch = record.epoch;
    this.spec = spec;
    this.policy = replicationPolicyFor(spec);
    this.filter = new TopicFilter(spec.topics, spec.topicsExclude, this.policy, spec.targetAlias);
    this.source = createKafka(spec.source, `dsc-mirror-${record.name}`);
    this.sourceAdminKafka = createKafka(
      { brokers: spec.source.brokers, security: spec.sourceAdmin },
      `dsc-mirror-admin-${record.name}`,
    );
    this.target = createKafka(spec.target, `dsc-mirror-${record.name}`);
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  async start(): Promise<void> {
    this.converter = await createConverter(this.spec.valueConverter);
    this.sourceAdmin = this.sourceAdminKafka.admin();
    this.targetAdmin = this.target.admin();
    await Promise.all([this.sourceAdmin.connect(), this.targetAdmin.connect()]);
    const tasks = await this.store.listTasks(this.name);
    // A connector without task documents was just created: offsets of an earlier one of the same name are not its own.
    if (tasks.length === 0) await this.deleteOffsets();
    for (const t of tasks)
      this.carried.set(t.taskId, { records: t.progress.records, bytes: t.progress.bytes, errors: t.progress.errors });
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
    await Promise.all([this.sourceAdmin?.disconnect(), this.targetAdmin?.disconnect()]).catch(() => {});
  }

  /** Removes the connector's source offsets (its consumer group); its tasks must be stopped. */
  async deleteOffsets(): Promise<void> {
    const admin = this.sourceAdminKafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([mirrorGroupId(this.name)]);
    } catch (err) {
      const types = ((err as { groups?: { error?: { type?: string } }[] }).groups ?? []).map((g) => g.error?.type);
      if (types.length === 0 || types.some((t) => t !== 'GROUP_ID_NOT_FOUND')) {
        this.log.warn('cannot delete the consumer group', { group: mirrorGroupId(this.name), error: String(err) });
      }
    } finally {
      await admin.disconnect();
    }
  }

  private serial(fn: () => Promise<void>): void {
    this.busy = this.busy
      .then(() => (this.stopped ? undefined : fn()))
      .catch((err) => this.log.warn('mirror connector step failed', { connector: this.name, error: String(err) }));
  }

  /** Lists source topics, creates the missing target topics, and re-plans when the topic set or sizes changed. */
  private async refresh(): Promise<void> {
    const admin = this.sourceAdmin!;
    const all = await admin.listTopics();
    const topics = all.filter((t) => this.filter.shouldReplicate(t)).sort();
    const partitions = new Map<string, number>();
    if (topics.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics });
      for (const t of meta.topics) partitions.set(t.name, t.partitions.length);
    }
    await this.ensureTargetTopics(partitions);
    const same =
      partitions.size === this.partitions.size && [...partitions].every(([t, n]) => this.partitions.get(t) === n);
    if (same && this.slots.length > 0) return;
    this.log.info('mirror connector plans tasks', { connector: this.name, topics: [...partitions.keys()] });
    this.partitions = partitions;
    await this.replan();
  }

  private async ensureTargetTopics(partitions: Map<string, number>): Promise<void> {
    const admin = this.targetAdmin!;
    const existing = new Set(await admin.listTopics());
    const create = [...partitions]
      .map(([t, n]) => ({ topic: this.policy.formatRemoteTopic(this.spec.sourceAlias, t), numPartitions: n }))
      .filter((t) => !existing.has(t.topic));
    if (this.spec.errors.deadLetterTopic && !existing.has(this.spec.errors.deadLetterTopic)) {
      create.push({ topic: this.spec.errors.deadLetterTopic, numPartitions: 1 });
    }
    if (create.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: create.map((t) => ({ ...t, replicationFactor: this.spec.replicationFactor })),
        });
      } catch (err) {
        if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') {
          throw new Error(
            `cannot create target topics ${create.map((t) => t.topic).join(', ')}: ${(err as Error).message}`,
          );
        }
      }
    }
    // A source topic that grew: the target needs at least as many partitions to keep partition numbers.
    const grown: { topic: string; count: number }[] = [];
    const have = [...partitions].map(([t, n]) => ({
      remote: this.policy.formatRemoteTopic(this.spec.sourceAlias, t),
      n,
    }));
    const existingRemote = have.filter((h) => existing.has(h.remote));
    if (existingRemote.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: existingRemote.map((h) => h.remote) });
      for (const h of existingRemote) {
        const now = meta.topics.find((t) => t.name === h.remote)?.partitions.length ?? h.n;
        if (now < h.n) grown.push({ topic: h.remote, count: h.n });
      }
    }
    if (grown.length > 0) await admin.createPartitions({ topicPartitions: grown });
  }

  private async stopTasks(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.task.stop()));
  }

  private async replan(): Promise<void> {
    // Keep the totals of the old task set before replacing it.
    for (const [i, s] of this.slots.entries()) {
      const prev = this.carried.get(i) ?? { records: 0, bytes: 0, errors: 0 };
      this.carried.set(i, {
        records: prev.records + s.task.stats.records,
        bytes: prev.bytes + s.task.stats.bytes,
        errors: prev.errors + s.task.stats.errors,
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
        assignment: plan.assignment,
        progress: {
          filesDone: 0,
          filesTotal: 0,
          records: c.records,
          bytes: c.bytes,
          bytesTotal: 0,
          recordsPerSecond: 0,
          errors: c.errors,
        },
        detail: { partitions: [], lag: {}, warnings: plan.warnings },
      });
    }
    if (!(await this.store.putTasks(this.name, docs))) throw new Error(`connector ${this.name} no longer exists`);
    const stored = await this.store.listTasks(this.name);
    this.slots = [];
    if (plan.assignment.topics.length === 0) {
      // Nothing to consume yet: one idle task row carries the warning; the next refresh plans for real.
      return;
    }
    for (let id = 0; id < plan.tasks; id++) {
      const task = new MirrorSourceTask({
        connector: this.name,
        taskId: id,
        spec: this.spec,
        topics: plan.assignment.topics,
        targetTopic: (t) => this.policy.formatRemoteTopic(this.spec.sourceAlias, t),
        source: this.source,
        target: this.target,
        converter: this.converter!,
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
    // Sequential joins: each join rebalances the group once; parallel joins can race into several rounds.
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
    // Stop every sibling too: otherwise the group hands the poison partition to the next task, which fails the same way.
    void this.stop('UNASSIGNED').catch(() => {});
  }

  private async computeLag(): Promise<void> {
    const admin = this.sourceAdmin;
    if (!admin || this.partitions.size === 0) return;
    const topics = [...this.partitions.keys()];
    const [committed, ends] = await Promise.all([
      admin.fetchOffsets({ groupId: mirrorGroupId(this.name), topics }),
      Promise.all(topics.map(async (t) => ({ topic: t, offsets: await admin.fetchTopicOffsets(t) }))),
    ]);
    const lag: Record<string, number> = {};
    for (const { topic, offsets } of ends) {
      const c = committed.find((x) => x.topic === topic);
      for (const p of offsets) {
        const at = c?.partitions.find((x) => x.partition === p.partition)?.offset ?? '-1';
        const from = at === '-1' ? (this.spec.startFrom === 'latest' ? p.high : p.low) : at;
        lag[`${topic}-${p.partition}`] = Math.max(0, Number(BigInt(p.high) - BigInt(from)));
      }
    }
    this.lag = lag;
  }

  /** Writes one status row per task (compare-and-set on the version the worker last wrote). */
  private async writeStatus(finalState?: TaskState): Promise<void> {
    await this.computeLag().catch(() => {});
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
      const lag = Object.fromEntries(st.partitions.map((p) => [p, this.lag[p] ?? 0]));
      const state = s.state === 'FAILED' ? 'FAILED' : (finalState ?? s.state);
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
        ...(s.lastError !== undefined && { lastError: s.lastError }),
        detail: { partitions: st.partitions, lag, warnings: this.warnings },
      });
    }
  }

  private async updateTask(taskId: number, patch: Parameters<ConnectorStore['updateTask']>[3]): Promise<void> {
    const slot = this.slots[taskId];
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = slot.doc ?? (await this.store.getTask(this.name, taskId));
      if (!current) return; // deleted: the worker notices and stops us
      const next = await this.store.updateTask(this.name, taskId, current.version, patch);
      if (next) {
        slot.doc = next;
        return;
      }
      slot.doc = undefined;
    }
  }
}
