// The file connector's taskConfigs(tasks.max): list the connector's files, then split them into at most tasks.max
// tasks balanced by bytes, write the task documents and dispatch one invocation per task. Resuming re-dispatches
// the unfinished tasks of the existing plan (they continue from their checkpoints); it re-plans only a connector
// whose planning failed. A restart does the same and also zeroes the error counters (restart.ts).
import type { FileConnectorSpec } from '../config/spec.js';
import { deadLetterReplicationFactor } from '../config/settings-access.js';
import type { ObjectRef, PlanMessage } from '../dispatch/dispatcher.js';
import { ensureTopic } from '../kafka/port/topics.js';
import { restartedProgress } from '../lifecycle/restart.js';
import type { ConnectorRecord, NewTaskRecord, TaskRecord } from '../lifecycle/store.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { readAssignment, type AssignedFile, type FileAssignment } from './file-assignment.js';
import {
  DEFAULT_SPLIT_BYTES,
  kafkaOf,
  openSpec,
  storageOf,
  type FileConnectorContext,
} from './file-connector-context.js';
import { splittable as formatSplittable } from './readers/read-records.js';
import { errorText } from '../runtime/error-text.js';
import { scanFileConnector } from './file-scanner.js';
import { claimObjectTask, describeFile, emptyProgress, OBJECT_TASK_BASE, selectsFile } from './object-claims.js';

export type PlanOutcome =
  'planned' | 'resumed' | 'claimed' | 'duplicate' | 'scanned' | 'stale' | 'gone' | 'paused' | 'failed';

/** An expired lease: releases a task without relying on a store's handling of deleted fields. */
export const NO_LEASE = { owner: '', expiresAt: 0 };

/** Handles a PlanMessage for a file connector. */
export async function planFileConnector(message: PlanMessage, ctx: FileConnectorContext): Promise<PlanOutcome> {
  const log = ctx.log.child({ connector: message.connector, epoch: message.epoch });
  const record = await ctx.store.getConnector(message.connector);
  if (!record) return 'gone';
  if (record.spec.kind !== 'file') throw new Error(`connector ${record.name} is not a file connector`);
  if (message.epoch < record.epoch) return 'stale';
  if (record.desired === 'PAUSED') return 'paused';
  if (message.scan) {
    await scanFileConnector(record.name, ctx);
    return 'scanned';
  }
  const spec = await openSpec(record.spec, ctx);

  if (message.objects) return claimObjects(record, spec, message.objects, ctx);

  const existing = await ctx.store.listTasks(record.name);
  // A connector whose planning failed has only the failure marker: resume and restart plan it again.
  if (existing.length > 0 && !existing.every(isPlanFailure)) return resume(record, existing, ctx, message.restart);

  try {
    await ensureTopics(spec, ctx);
  } catch (err) {
    return failPlan(record, errorText(err), ctx);
  }

  let files: AssignedFile[];
  try {
    files = await listFiles(spec, storageOf(spec, ctx));
  } catch (err) {
    return failPlan(record, errorText(err), ctx);
  }
  const groups = taskConfigs(files, spec, ctx.splitBytes ?? DEFAULT_SPLIT_BYTES);
  const tasks: NewTaskRecord[] = groups.map((g, taskId) => ({
    connector: record.name,
    taskId,
    epoch: record.epoch,
    // With nothing to read there is nothing to run: an eof connector with no matching files is simply FINISHED.
    state: g.length === 0 ? 'FINISHED' : 'UNASSIGNED',
    assignment: { files: g } satisfies FileAssignment,
    progress: emptyProgress(g),
  }));
  if (!(await ctx.store.putTasks(record.name, tasks))) return 'gone';
  log.info('planned file connector', {
    files: files.length,
    tasks: tasks.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
  });
  for (const t of tasks) {
    if (t.state !== 'FINISHED') await ctx.dispatcher.task({ connector: record.name, taskId: t.taskId, epoch: t.epoch });
  }
  return 'planned';
}

/** The connector's topic (num.partitions, replication.factor) and its dead-letter topic, as Kafka Connect makes it. */
async function ensureTopics(spec: FileConnectorSpec, ctx: FileConnectorContext): Promise<void> {
  const kafka = kafkaOf(spec, ctx, `dsc-plan-${spec.name}`);
  const topics = [{ topic: spec.topic, numPartitions: spec.numPartitions, replicationFactor: spec.replicationFactor }];
  const dlq = spec.errors.deadLetterTopic;
  if (dlq) {
    topics.push({ topic: dlq, numPartitions: 1, replicationFactor: deadLetterReplicationFactor(spec) });
  }
  for (const t of topics) {
    try {
      await ensureTopic(kafka, t);
    } catch (err) {
      throw new Error(`cannot create topic ${t.topic}: ${errorText(err)}`, { cause: err });
    }
  }
}

/**
 * Resume: every unfinished task takes the new epoch, loses any lease, and is dispatched again.
 * A restart also zeroes the error counter and keeps the last error; restart 'failed' touches only FAILED tasks.
 */
async function resume(
  record: ConnectorRecord,
  tasks: TaskRecord[],
  ctx: FileConnectorContext,
  restart?: PlanMessage['restart'],
): Promise<PlanOutcome> {
  for (const t of tasks) {
    if (t.state === 'FINISHED') continue;
    if (restart === 'failed' && t.state !== 'FAILED') continue;
    let current: TaskRecord | undefined = t;
    // A worker of the old epoch may still write a checkpoint: retry the CAS on the fresh version.
    for (let attempt = 0; current && attempt < 5; attempt++) {
      if (current.epoch >= record.epoch && current.state !== 'PAUSED' && current.state !== 'FAILED') break;
      const updated = await ctx.store.updateTask(record.name, t.taskId, current.version, {
        epoch: record.epoch,
        state: 'UNASSIGNED',
        lease: NO_LEASE,
        ...(restart ? { progress: restartedProgress(current.progress) } : { lastError: undefined }),
      });
      if (updated) break;
      current = await ctx.store.getTask(record.name, t.taskId);
    }
    await ctx.dispatcher.task({ connector: record.name, taskId: t.taskId, epoch: record.epoch });
  }
  ctx.log.info('resumed file connector', { connector: record.name, epoch: record.epoch, tasks: tasks.length });
  return 'resumed';
}

/** A connector whose files cannot even be listed fails visibly: one FAILED task carrying the reason. */
async function failPlan(record: ConnectorRecord, reason: string, ctx: FileConnectorContext): Promise<PlanOutcome> {
  ctx.log.error('planning failed', { connector: record.name, reason });
  await ctx.store.putTasks(record.name, [
    {
      connector: record.name,
      taskId: 0,
      epoch: record.epoch,
      state: 'FAILED',
      assignment: { files: [] } satisfies FileAssignment,
      progress: emptyProgress([]),
      lastError: reason,
      detail: { planFailed: true },
    },
  ]);
  return 'failed';
}

const isPlanFailure = (t: TaskRecord): boolean => t.state === 'FAILED' && t.detail?.planFailed === true;

/** Every selected file (see selectsFile) of every URI, each listed once. */
export async function listFiles(spec: FileConnectorSpec, storage: ObjectStorage): Promise<AssignedFile[]> {
  const seen = new Set<string>();
  const files: AssignedFile[] = [];
  for (const uri of spec.uris) {
    try {
      for await (const info of storage.list(uri, { recursive: spec.recursive })) {
        if (seen.has(info.uri) || !selectsFile(info.name, spec)) continue;
        seen.add(info.uri);
        files.push(describeFile(info, spec));
      }
    } catch (err) {
      throw new Error(`cannot list ${uri}: ${errorText(err)}`, { cause: err });
    }
  }
  return files;
}

/** A plain file that several tasks may share by byte ranges (the reader aligns ranges on line ends). */
function splittable(f: AssignedFile, spec: FileConnectorSpec, splitBytes: number): boolean {
  // A quote may hide an end-of-line inside a field: a range could start mid-record.
  return f.archive === 'none' && formatSplittable(f.format, spec.reader) && f.size >= splitBytes;
}

/**
 * Kafka Connect's taskConfigs(maxTasks) for files: at most tasks.max groups balanced by bytes (largest first, each
 * to the lightest group). With fewer files than tasks, large plain files are first cut into byte ranges of at least
 * splitBytes, so there are never more tasks than files plus ranges.
 */
export function taskConfigs(files: AssignedFile[], spec: FileConnectorSpec, splitBytes: number): AssignedFile[][] {
  const maxTasks = Math.max(1, spec.tasksMax);
  if (files.length === 0) return [[]];
  const parts = new Map<AssignedFile, number>(files.map((f) => [f, 1]));
  let units = files.length;
  while (units < maxTasks) {
    // Give one more part to the splittable file with the biggest parts.
    let best: AssignedFile | undefined;
    for (const f of files) {
      if (!splittable(f, spec, splitBytes)) continue;
      if (!best || f.size / parts.get(f)! > best.size / parts.get(best)!) best = f;
    }
    // No range smaller than splitBytes: tasks.max is a maximum, and tiny ranges cost a task each for nothing.
    if (!best || best.size / (parts.get(best)! + 1) < splitBytes) break;
    parts.set(best, parts.get(best)! + 1);
    units++;
  }
  const pieces: AssignedFile[] = [];
  for (const f of files) {
    const k = parts.get(f)!;
    if (k === 1) {
      pieces.push(f);
      continue;
    }
    for (let i = 0; i < k; i++) {
      pieces.push({ ...f, range: { start: Math.floor((f.size * i) / k), end: Math.floor((f.size * (i + 1)) / k) } });
    }
  }
  const bytes = (f: AssignedFile) => (f.range ? f.range.end - f.range.start : f.size);
  const groups: { files: AssignedFile[]; bytes: number }[] = Array.from(
    { length: Math.min(maxTasks, pieces.length) },
    () => ({ files: [], bytes: 0 }),
  );
  for (const p of [...pieces].sort((a, b) => bytes(b) - bytes(a))) {
    const lightest = groups.reduce((min, g) => (g.bytes < min.bytes ? g : min));
    lightest.files.push(p);
    lightest.bytes += bytes(p);
  }
  // Within a task, files in listing order (and ranges in byte order) read most naturally in status and logs.
  const order = new Map(pieces.map((p, i) => [p, i]));
  return groups.map((g) => g.files.sort((a, b) => order.get(a)! - order.get(b)!));
}

// ---- objects from GCS notifications (streaming connectors) ----

async function claimObjects(
  record: ConnectorRecord,
  spec: FileConnectorSpec,
  objects: ObjectRef[],
  ctx: FileConnectorContext,
): Promise<PlanOutcome> {
  // A failure here is not a plan failure: the running connector stays as it is; Pub/Sub retries the event.
  await ensureTopics(spec, ctx);
  // An object the first listing already planned (same generation) is loaded by its planned task: a notification for
  // it arriving afterwards must not load it again.
  const planned = new Set<string>();
  for (const t of await ctx.store.listTasks(record.name)) {
    if (t.taskId >= OBJECT_TASK_BASE) continue;
    for (const f of readAssignment(t.assignment).files) planned.add(`${f.uri}#${f.generation ?? ''}`);
  }
  let claimed = 0;
  for (const o of objects) {
    if (planned.has(`${o.uri}#${o.generation ?? ''}`)) {
      ctx.log.info('object already planned; not loading it again', { connector: record.name, uri: o.uri });
      continue;
    }
    const name = o.uri.replace(/^gs:\/\/[^/]+\//, '');
    const file = describeFile(
      { uri: o.uri, name, size: o.size, ...(o.generation && { generation: o.generation }) },
      spec,
    );
    if (!(await claimObjectTask(record, file, o.generation, ctx))) {
      ctx.log.info('object already claimed; not loading it again', {
        connector: record.name,
        uri: o.uri,
        generation: o.generation,
      });
      continue;
    }
    claimed++;
  }
  return claimed > 0 ? 'claimed' : 'duplicate';
}
