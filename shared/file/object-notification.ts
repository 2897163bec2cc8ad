// GCS `google.cloud.storage.object.v1.finalized` → which streaming file connectors load the new object.
// The object is claimed per connector by the planner (a task whose id derives from the URI and generation), so an
// event delivered twice loads nothing the second time.
import type { FileConnectorSpec } from '../config/spec.js';
import type { ObjectRef } from '../dispatch/dispatcher.js';
import type { ConnectorStore } from '../lifecycle/store.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Logger } from '../runtime/log.js';
import { gcsUri, isGcsUri, parseGcsUri } from '../storage/gcs-uri.js';
import { selectsFile } from './object-claims.js';

/** The fields of StorageObjectData we read; GCS sends `size` and `generation` as strings. */
export interface StorageObjectData {
  bucket?: string;
  name?: string;
  size?: string | number;
  generation?: string | number;
}

export const OBJECT_FINALIZED = 'google.cloud.storage.object.v1.finalized';

export function objectRefOf(data: StorageObjectData): ObjectRef {
  if (!data?.bucket || !data.name) throw new Error('storage event without bucket or name');
  return {
    uri: gcsUri(data.bucket, data.name),
    size: Number(data.size ?? 0),
    // Kept as text: a generation is a 64-bit number (JSON numbers would already have lost digits).
    ...(data.generation !== undefined && { generation: String(data.generation) }),
  };
}

/** Whether one of the connector's URIs covers the object (itself, or a directory above it, honouring file.recursive). */
export function coversObject(spec: FileConnectorSpec, objectUri: string): boolean {
  const object = parseGcsUri(objectUri);
  if (object.name.endsWith('/')) return false; // a folder placeholder
  for (const uri of spec.uris) {
    if (!isGcsUri(uri)) continue;
    const u = parseGcsUri(uri);
    if (u.bucket !== object.bucket) continue;
    if (u.name === object.name) return true;
    const prefix = u.name === '' || u.name.endsWith('/') ? u.name : `${u.name}/`;
    if (!object.name.startsWith(prefix)) continue;
    if (spec.recursive || !object.name.slice(prefix.length).includes('/')) return true;
  }
  return false;
}

/**
 * Dispatches a plan (with this one object) to every RUNNING streaming file connector that covers the object and
 * whose file.regexp selects it. Returns the connectors notified.
 */
export async function notifyObjectFinalized(
  data: StorageObjectData,
  deps: { store: ConnectorStore; dispatcher: Dispatcher; log: Logger },
): Promise<string[]> {
  const object = objectRefOf(data);
  const name = parseGcsUri(object.uri).name;
  const notified: string[] = [];
  for (const record of await deps.store.listConnectors()) {
    const spec = record.spec;
    if (spec.kind !== 'file' || spec.mode === 'eof' || record.desired !== 'RUNNING') continue;
    if (!coversObject(spec, object.uri) || !selectsFile(name, spec)) continue;
    await deps.dispatcher.plan({ connector: record.name, epoch: record.epoch, objects: [object] });
    notified.push(record.name);
  }
  deps.log.info('object finalized', { uri: object.uri, generation: object.generation, connectors: notified });
  return notified;
}
