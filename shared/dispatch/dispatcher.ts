// The dispatch port: how a plan request or a task invocation reaches a worker.
// Production: a Pub/Sub message per request (a Cloud Function per message). Embedded: an in-process call.

/** Load one new object for a streaming connector (from a GCS notification). */
export interface ObjectRef {
  uri: string;
  size: number;
  /** Kept as a string: GCS generations exceed 2^53. */
  generation?: string;
}

export interface PlanMessage {
  connector: string;
  epoch: number;
  /** Scan the connector's URIs for files never loaded (streaming connectors; see file/file-scanner.ts). */
  scan?: boolean;
  /** Only these objects (a GCS notification) instead of listing the connector's URIs. */
  objects?: ObjectRef[];
  /**
   * A restart (POST /connectors/NAME/restart): 'all' resets every unfinished task, 'failed' only the FAILED ones;
   * both zero the error counters and keep each task's last error. Absent: a create or resume.
   */
  restart?: 'all' | 'failed';
}

export interface TaskMessage {
  connector: string;
  taskId: number;
  epoch: number;
}

export interface Dispatcher {
  plan(message: PlanMessage): Promise<void>;
  task(message: TaskMessage): Promise<void>;
}

/** The worker side of dispatch: what a plan or task message runs (file/file-handlers.ts). */
export interface DispatchHandlers {
  plan(message: PlanMessage): Promise<void>;
  task(message: TaskMessage): Promise<void>;
}
