// The production ConnectorStore on Firestore:
//   <prefix>connectors/{name}                       desired state (spec as JSON text)
//   <prefix>connectors/{name}/tasks/{taskId}        task documents
//   <prefix>connectors/{name}/offsets/{encodedKey}  offsets; the raw key is kept in the document
// Kind-owned JSON (spec, assignment, checkpoint, detail, offset values) is stored as JSON text: Firestore rejects
// nested arrays and `undefined`, and text round-trips exactly what the sqlite store returns.
// Every write that depends on the parent connector reads it in the same transaction.
import { createHash } from 'node:crypto';
import {
  type CollectionReference,
  type DocumentData,
  type DocumentReference,
  Firestore,
  type Transaction,
} from '@google-cloud/firestore';
import type { ConnectorSpec } from '../config/spec.js';
import {
  type ConnectorRecord,
  type ConnectorStore,
  type NewTaskRecord,
  type OffsetRecord,
  StoreConflictError,
  type TaskPatch,
  type TaskRecord,
} from './store.js';

export interface FirestoreStoreOptions {
  projectId?: string;
  /** Firestore database id; default `(default)`. */
  databaseId?: string;
  /** Prepended to the top-level collection name (`<prefix>connectors`), so test runs can share one database. */
  collectionPrefix?: string;
  /** An existing client (its settings win over projectId/databaseId). */
  firestore?: Firestore;
}

/** gRPC ALREADY_EXISTS: a create() whose document another writer created first. */
const ALREADY_EXISTS = 6;
const DELETE_PAGE = 400;
/** Firestore document ids: at most 1500 bytes, no `/`, not `.`/`..`, not `__...__`. */
const MAX_ID_BYTES = 1500;

/**
 * A Firestore document id for an offset key (a URI): percent-encoded, with `.` and `_` encoded too so no id
 * can be `.`, `..` or `__x__`. Readable in the console; a key too long for an id falls back to its SHA-256.
 */
export function offsetDocId(key: string): string {
  const id = encodeURIComponent(key).replace(/\./g, '%2E').replace(/_/g, '%5F');
  return id.length <= MAX_ID_BYTES ? id : `sha256-${createHash('sha256').update(key).digest('hex')}`;
}

const now = (): string => new Date().toISOString();
const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const unjson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : undefined);

/** A connector's fields, in record order; `spec` is JSON text in the document (see above). */
const CONNECTOR_FIELDS = [
  'name',
  'kind',
  'spec',
  'desired',
  'epoch',
  'restartEpoch',
  'createdAt',
  'updatedAt',
] as const;

/** Copies a connector's fields from a record to a document or back, converting `spec` on the way. */
function connectorFields(from: Record<string, any>, spec: (value: any) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // An optional field left unset is absent both ways (Firestore rejects undefined), as in the sqlite store.
  for (const f of CONNECTOR_FIELDS) if (from[f] != null) out[f] = f === 'spec' ? spec(from.spec) : from[f];
  return out;
}

const connectorDoc = (r: ConnectorRecord): DocumentData => connectorFields(r, (spec) => JSON.stringify(spec));
const toConnector = (d: DocumentData): ConnectorRecord =>
  connectorFields(d, (text) => JSON.parse(text) as ConnectorSpec) as unknown as ConnectorRecord;

function taskDocData(t: TaskRecord): DocumentData {
  return {
    connector: t.connector,
    taskId: t.taskId,
    epoch: t.epoch,
    state: t.state,
    assignment: json(t.assignment),
    checkpoint: json(t.checkpoint),
    progress: t.progress,
    lastError: t.lastError ?? null,
    lease: t.lease ?? null,
    detail: json(t.detail),
    version: t.version,
    updatedAt: t.updatedAt,
  };
}

function toTask(d: DocumentData): TaskRecord {
  const t: TaskRecord = {
    connector: d.connector,
    taskId: d.taskId,
    epoch: d.epoch,
    state: d.state,
    assignment: unjson(d.assignment),
    progress: d.progress,
    version: d.version,
    updatedAt: d.updatedAt,
  };
  // Optional fields are absent, not null, as in the sqlite store.
  if (d.checkpoint != null) t.checkpoint = unjson(d.checkpoint);
  if (d.lastError != null) t.lastError = d.lastError;
  if (d.lease != null) t.lease = d.lease;
  if (d.detail != null) t.detail = unjson(d.detail) as Record<string, unknown>;
  return t;
}

function toOffset(d: DocumentData): OffsetRecord {
  return { key: d.key, value: JSON.parse(d.value) as Record<string, unknown>, updatedAt: d.updatedAt };
}

export class FirestoreConnectorStore implements ConnectorStore {
  private readonly db: Firestore;
  private readonly connectors: CollectionReference;

  constructor(options: FirestoreStoreOptions = {}) {
    this.db =
      options.firestore ??
      new Firestore({
        ...(options.projectId && { projectId: options.projectId }),
        ...(options.databaseId && { databaseId: options.databaseId }),
        ignoreUndefinedProperties: true,
      });
    this.connectors = this.db.collection(`${options.collectionPrefix ?? ''}connectors`);
  }

  private connectorRef(name: string): DocumentReference {
    return this.connectors.doc(name);
  }
  private tasksOf(name: string): CollectionReference {
    return this.connectorRef(name).collection('tasks');
  }
  private offsetsOf(name: string): CollectionReference {
    return this.connectorRef(name).collection('offsets');
  }

  /** Deletes every task and offset document under a connector, a page at a time. */
  private async purgeChildren(name: string): Promise<void> {
    for (const coll of [this.tasksOf(name), this.offsetsOf(name)]) {
      for (;;) {
        const page = await coll.select().limit(DELETE_PAGE).get();
        if (page.empty) break;
        const batch = this.db.batch();
        for (const doc of page.docs) batch.delete(doc.ref);
        await batch.commit();
      }
    }
  }

  async createConnectors(records: ConnectorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const stamp = now();
    const refs = records.map((r) => this.connectorRef(r.name));
    const existing = await this.db.getAll(...refs);
    // Leftovers of a delete that died between removing the connector and its children (nothing can write
    // children of a missing connector, so they are orphans).
    await Promise.all(records.filter((_, i) => !existing[i].exists).map((r) => this.purgeChildren(r.name)));
    await this.db.runTransaction(async (tx) => {
      const snaps = await tx.getAll(...refs);
      const taken = records.filter((_, i) => snaps[i].exists).map((r) => r.name);
      if (taken.length > 0) throw new StoreConflictError(`connector already exists: ${taken.join(', ')}`, taken);
      records.forEach((r, i) =>
        tx.create(refs[i], connectorDoc({ ...r, createdAt: r.createdAt || stamp, updatedAt: stamp })),
      );
    });
  }

  async getConnector(name: string): Promise<ConnectorRecord | undefined> {
    const snap = await this.connectorRef(name).get();
    return snap.exists ? toConnector(snap.data()!) : undefined;
  }

  async listConnectors(): Promise<ConnectorRecord[]> {
    const snap = await this.connectors.get();
    return snap.docs.map((d) => toConnector(d.data())).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async updateConnector(
    name: string,
    patch: Partial<Pick<ConnectorRecord, 'desired' | 'epoch' | 'restartEpoch'>>,
  ): Promise<ConnectorRecord | undefined> {
    const ref = this.connectorRef(name);
    return this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return undefined;
      const next: ConnectorRecord = {
        ...toConnector(snap.data()!),
        ...(patch.desired !== undefined && { desired: patch.desired }),
        ...(patch.epoch !== undefined && { epoch: patch.epoch }),
        ...(patch.restartEpoch !== undefined && { restartEpoch: patch.restartEpoch }),
        updatedAt: now(),
      };
      tx.set(ref, connectorDoc(next));
      return next;
    });
  }

  async deleteConnector(name: string): Promise<boolean> {
    const ref = this.connectorRef(name);
    // Parent first: from then on putTasks/putOffset refuse to write, so the purge below cannot be outrun.
    const existed = await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (snap.exists) tx.delete(ref);
      return snap.exists;
    });
    await this.purgeChildren(name);
    return existed;
  }

  async listTasks(connector: string): Promise<TaskRecord[]> {
    const snap = await this.tasksOf(connector).get();
    return snap.docs.map((d) => toTask(d.data())).sort((a, b) => a.taskId - b.taskId);
  }

  async getTask(connector: string, taskId: number): Promise<TaskRecord | undefined> {
    const snap = await this.tasksOf(connector).doc(String(taskId)).get();
    return snap.exists ? toTask(snap.data()!) : undefined;
  }

  private async parentExists(tx: Transaction, connector: string): Promise<boolean> {
    return (await tx.get(this.connectorRef(connector))).exists;
  }

  async putTasks(connector: string, tasks: NewTaskRecord[]): Promise<boolean> {
    const stamp = now();
    const coll = this.tasksOf(connector);
    return this.db.runTransaction(async (tx) => {
      if (!(await this.parentExists(tx, connector))) return false;
      const current = await tx.get(coll);
      const versions = new Map(current.docs.map((d) => [d.id, d.get('version') as number]));
      const keep = new Set(tasks.map((t) => String(t.taskId)));
      for (const d of current.docs) if (!keep.has(d.id)) tx.delete(d.ref);
      // A replaced task's version keeps climbing, so a worker still holding the old task's version cannot CAS the new one.
      for (const t of tasks) {
        const id = String(t.taskId);
        const record: TaskRecord = { ...t, connector, version: (versions.get(id) ?? 0) + 1, updatedAt: stamp };
        tx.set(coll.doc(id), taskDocData(record));
      }
      return true;
    });
  }

  async createTask(connector: string, task: NewTaskRecord): Promise<boolean> {
    const ref = this.tasksOf(connector).doc(String(task.taskId));
    // create(), not set(): two concurrent claims of one object (a storage event delivered twice at once) must not
    // both win; the Firestore emulator lets both transactions commit, and only create's precondition stops the second.
    return this.db
      .runTransaction(async (tx) => {
        const [parent, snap] = await tx.getAll(this.connectorRef(connector), ref);
        if (!parent.exists || snap.exists) return false;
        tx.create(ref, taskDocData({ ...task, connector, version: 1, updatedAt: now() }));
        return true;
      })
      .catch((err: unknown) => {
        if ((err as { code?: number }).code === ALREADY_EXISTS) return false;
        throw err;
      });
  }

  async updateTask(
    connector: string,
    taskId: number,
    expectedVersion: number,
    patch: TaskPatch,
  ): Promise<TaskRecord | undefined> {
    const ref = this.tasksOf(connector).doc(String(taskId));
    return this.db.runTransaction(async (tx) => {
      const [parent, snap] = await tx.getAll(this.connectorRef(connector), ref);
      if (!parent.exists || !snap.exists) return undefined;
      const current = toTask(snap.data()!);
      if (current.version !== expectedVersion) return undefined;
      const next: TaskRecord = {
        ...current,
        ...patch,
        connector,
        taskId,
        version: current.version + 1,
        updatedAt: now(),
      };
      tx.set(ref, taskDocData(next));
      // Drop fields the patch cleared with an explicit undefined, as JSON (and the sqlite store) would.
      return toTask(taskDocData(next));
    });
  }

  async getOffset(connector: string, key: string): Promise<OffsetRecord | undefined> {
    const snap = await this.offsetsOf(connector).doc(offsetDocId(key)).get();
    return snap.exists ? toOffset(snap.data()!) : undefined;
  }

  async putOffset(connector: string, key: string, value: Record<string, unknown>): Promise<boolean> {
    const ref = this.offsetsOf(connector).doc(offsetDocId(key));
    return this.db.runTransaction(async (tx) => {
      if (!(await this.parentExists(tx, connector))) return false;
      tx.set(ref, { key, value: JSON.stringify(value), updatedAt: now() });
      return true;
    });
  }

  async listOffsets(connector: string): Promise<OffsetRecord[]> {
    const snap = await this.offsetsOf(connector).get();
    return snap.docs.map((d) => toOffset(d.data())).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async close(): Promise<void> {
    await this.db.terminate();
  }
}
