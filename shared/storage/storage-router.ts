// One ObjectStorage over several adapters, picked by URI scheme: gs:// → GCS, file:// or a path → local files.
import type { Readable } from 'node:stream';
import type { GcsCredentials } from '../config/spec.js';
import type { Logger } from '../runtime/log.js';
import { GcsObjectStorage } from './gcs-object-storage.js';
import { LocalObjectStorage } from './local-object-storage.js';
import type { ByteRange, ObjectInfo, ObjectStorage } from './object-storage.js';

export class CompositeObjectStorage implements ObjectStorage {
  constructor(private readonly adapters: ObjectStorage[]) {}

  private adapterFor(uri: string): ObjectStorage {
    const a = this.adapters.find((s) => s.handles(uri));
    if (!a) throw new Error(`no storage handles ${uri} (supported: gs://bucket/name, file:///path, a local path)`);
    return a;
  }

  handles(uri: string): boolean {
    return this.adapters.some((s) => s.handles(uri));
  }

  list(uri: string, options: { recursive: boolean }): AsyncIterable<ObjectInfo> {
    return this.adapterFor(uri).list(uri, options);
  }

  stat(uri: string): Promise<ObjectInfo> {
    return this.adapterFor(uri).stat(uri);
  }

  read(uri: string, options?: { range?: ByteRange; generation?: string }): Readable {
    return this.adapterFor(uri).read(uri, options);
  }
}

/** The storage a file connector reads through: its GCS credentials (if any) plus local files. */
export function storageFor(options: { gcs?: GcsCredentials; log?: Logger } = {}): ObjectStorage {
  return new CompositeObjectStorage([
    new GcsObjectStorage({
      ...(options.gcs && { credentials: options.gcs }),
      ...(options.log && { log: options.log }),
    }),
    new LocalObjectStorage(),
  ]);
}
