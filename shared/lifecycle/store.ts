// The ConnectorStore port: connector desired state (written only by the connector service, lifecycle/connector-service.ts,
// which the management API and `dsc run` both call), task documents
// (created by the planner, then written only by the task that holds their lease) and offsets (written only by the
// task that owns the file). One writer per document keeps Firestore's weak spots (and its emulator's) out of play.
import type { ConnectorSpec } from '../config/spec.js';

export type DesiredState = 'RUNNING' | 'PAUSED';
export type TaskState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FINISHED' | 'FAILED';
/** What `status` shows for a connector; derived from desired state and its tasks (see lifecycle/status.ts). */
export type ConnectorState = 'UNASSIGNED' | 'RUNNING' | 'PAUSED' | 'FINISHED' | 'FAILED';

export interface ConnectorRecord {
  name: string;
  kind: ConnectorSpec['kind'];
  /** The validated spec. In production secret values are replaced by secret references (see config/secrets.ts). */
  spec: ConnectorSpec;
  desired: DesiredState;
  /** Bumped on every create and resume; a task message of an older epoch is stale and stops. */
  epoch: number;
  /**
   * The epoch a mirror's last restart began (restart.ts). A mirror gets no plan message: the runtime that starts
   * under it zeroes the error counts of task rows written before it (an older epoch), whatever an old runtime wrote late.
   */
  restartEpoch?: number;
  createdAt: string;
  updatedAt: string;
}

export interface TaskProgress {
  filesDone: number;
  filesTotal: number;
  records: number;
  bytes: number;
  bytesTotal: number;
  recordsPerSecond: number;
  /** Bad records skipped under errors.tolerance=all (and dead-lettered when a DLQ topic is set). */
  errors: number;
}

export interface TaskLease {
  owner: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface TaskRecord {
  connector: string;
  taskId: number;
  /** The connector epoch this task was planned or last resumed under. */
  epoch: number;
  state: TaskState;
  /** What the planner gave this task: files and byte ranges (file connector) or partitions (mirror). Kind-owned JSON. */
  assignment: unknown;
  /** Where the task got to; kind-owned JSON, written after every acknowledged batch. */
  checkpoint?: unknown;
  progress: TaskProgress;
  lastError?: string;
  lease?: TaskLease;
  /** Extra status rows (e.g. mirror lag per partition). */
  detail?: Record<string, unknown>;
  /** Incremented by every write; updateTask compares it (optimistic concurrency). */
  version: number;
  updatedAt: string;
}

export type NewTaskRecord = Omit<TaskRecord, 'version' | 'updatedAt'>;
export type TaskPatch = Partial<Omit<TaskRecord, 'connector' | 'taskId' | 'version' | 'updatedAt'>>;

export interface OffsetRecord {
  key: string;
  value: Record<string, unknown>;
  updatedAt: string;
}

export class StoreConflictError extends Error {
  constructor(
    message: string,
    readonly names: string[],
  ) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

export interface ConnectorStore {
  /** All-or-nothing: if any name exists, nothing is written and StoreConflictError names the existing ones. */
  createConnectors(records: ConnectorRecord[]): Promise<void>;
  getConnector(name: string): Promise<ConnectorRecord | undefined>;
  listConnectors(): Promise<ConnectorRecord[]>;
  /** Changes desired state and epochs; returns the new record, undefined when the connector does not exist. */
  updateConnector(
    name: string,
    patch: Partial<Pick<ConnectorRecord, 'desired' | 'epoch' | 'restartEpoch'>>,
  ): Promise<ConnectorRecord | undefined>;
  /** Removes the connector, its tasks and its offsets. Returns false when it did not exist. */
  deleteConnector(name: string): Promise<boolean>;

  listTasks(connector: string): Promise<TaskRecord[]>;
  getTask(connector: string, taskId: number): Promise<TaskRecord | undefined>;
  /** Planner: replaces the connector's task set. False (and nothing written) when the connector no longer exists. */
  putTasks(connector: string, tasks: NewTaskRecord[]): Promise<boolean>;
  /**
   * Insert-if-absent of one task: the claim of a single object announced by a GCS notification (its id is derived
   * from the object and generation, so a duplicate event finds it taken). False, and nothing written, when the task
   * id exists or the connector does not.
   */
  createTask(connector: string, task: NewTaskRecord): Promise<boolean>;
  /**
   * Compare-and-set on `version`: applies the patch when the stored version equals `expectedVersion`
   * and returns the new record; undefined when the version moved on or the task/connector is gone.
   */
  updateTask(
    connector: string,
    taskId: number,
    expectedVersion: number,
    patch: TaskPatch,
  ): Promise<TaskRecord | undefined>;

  getOffset(connector: string, key: string): Promise<OffsetRecord | undefined>;
  /** False (nothing written) when the connector no longer exists, so a late write cannot resurrect a deleted one. */
  putOffset(connector: string, key: string, value: Record<string, unknown>): Promise<boolean>;
  listOffsets(connector: string): Promise<OffsetRecord[]>;

  close(): Promise<void>;
}
