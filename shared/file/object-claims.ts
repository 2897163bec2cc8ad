// Single-object tasks, shared by the planner (file-source-connector.ts, GCS notifications) and the scanner
// (file-scanner.ts): which listed files a connector reads, how one is described, and the claim of one object version
// as a task whose id derives from the version, so a notification and a scan racing on it create it once.
import { createHash } from 'node:crypto';
import type { FileConnectorSpec } from '../config/spec.js';
import type { ConnectorRecord, TaskProgress } from '../lifecycle/store.js';
import type { ObjectInfo } from '../storage/object-storage.js';
import { archiveTypeFor } from './archives/index.js';
import type { AssignedFile, FileAssignment } from './file-assignment.js';
import type { FileConnectorContext } from './file-connector-context.js';
import { formatForName, matchesFileRegexp } from './file-format.js';

/** A task's progress before it starts: nothing read of its files yet. */
export const emptyProgress = (files: AssignedFile[]): TaskProgress => ({
  filesDone: 0,
  filesTotal: files.length,
  records: 0,
  bytes: 0,
  bytesTotal: files.reduce((n, f) => n + (f.range ? f.range.end - f.range.start : f.size), 0),
  recordsPerSecond: 0,
  errors: 0,
});

export function describeFile(info: ObjectInfo, spec: FileConnectorSpec): AssignedFile {
  return {
    uri: info.uri,
    size: info.size,
    ...(info.generation !== undefined && { generation: info.generation }),
    ...(info.modified !== undefined && { modified: info.modified }),
    // file.reader.type=parquet: every file is a Parquet file (never an archive), whatever its name.
    archive: spec.reader.type === 'parquet' ? 'none' : archiveTypeFor(info.name, spec.reader),
    format: spec.reader.type === 'parquet' ? 'parquet' : formatForName(info.name),
  };
}

/**
 * Whether a listed file is read: its base name fully matches file.regexp, or it is an archive — a container, like a
 * directory, whose entries the task filters by the same regexp (an archive whose own name matches is read whole).
 */
export function selectsFile(name: string, spec: FileConnectorSpec): boolean {
  return matchesFileRegexp(name, spec.regexp) || archiveTypeFor(name, spec.reader) !== 'none';
}

/** Task ids at or above this belong to single objects announced by notifications; planned tasks count from 0. */
export const OBJECT_TASK_BASE = 2 ** 32;

/**
 * A deterministic task id for (uri, generation): 48 bits of SHA-256 above OBJECT_TASK_BASE, still a safe integer.
 * Creating the task is the claim: a duplicate event computes the same id and finds it taken.
 */
export function objectTaskId(uri: string, generation: string | undefined): number {
  const digest = createHash('sha256')
    .update(`${uri}#${generation ?? ''}`)
    .digest();
  return OBJECT_TASK_BASE + (digest.readUIntBE(0, 6) % (Number.MAX_SAFE_INTEGER - OBJECT_TASK_BASE));
}

/**
 * Claims one object version as a single-file task and dispatches it. The task id is derived from the URI and the
 * version (generation, or size and mtime for local files), so creating the task is the claim: a notification and a
 * scan that see the same version race on one id, and whoever comes second gets false.
 */
export async function claimObjectTask(
  record: ConnectorRecord,
  file: AssignedFile,
  version: string | undefined,
  ctx: FileConnectorContext,
): Promise<boolean> {
  const taskId = objectTaskId(file.uri, version);
  const created = await ctx.store.createTask(record.name, {
    connector: record.name,
    taskId,
    epoch: record.epoch,
    state: 'UNASSIGNED',
    assignment: { files: [file] } satisfies FileAssignment,
    progress: emptyProgress([file]),
  });
  if (!created) return false;
  await ctx.dispatcher.task({ connector: record.name, taskId, epoch: record.epoch });
  return true;
}
