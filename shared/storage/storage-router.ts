// One ObjectStorage over several adapters, picked by URI scheme: gs:// → GCS, file:// or a path → local files.
import type { Readable } from 'node:stream';
import { chunkStream } from './chunk-stream.js';
import type { GcsCredentials } from '../config/spec.js';
import type { Logger } from '../runtime/log.js';
import type { GcsObjectStorage, GcsObjectStorageOptions } from './gcs-object-storage.js';
import { isGcsUri } from './gcs-uri.js';
import { LocalObjectStorage } from './local-object-storage.js';
import type { ObjectInfo, ObjectStorage, ReadOptions } from './object-storage.js';

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

  read(uri: string, options?: ReadOptions): Readable {
    return this.adapterFor(uri).read(uri, options);
  }
}

/**
 * GCS loaded on first use, as the store and vault adapters are: @google-cloud/storage takes ~0.12 s to load, and a
 * connector on local files never needs it.
 */
class LazyGcsStorage implements ObjectStorage {
  private adapter: Promise<GcsObjectStorage> | undefined;

  constructor(private readonly options: GcsObjectStorageOptions) {}

  private load(): Promise<GcsObjectStorage> {
    this.adapter ??= import('./gcs-object-storage.js').then((m) => new m.GcsObjectStorage(this.options));
    return this.adapter;
  }

  handles(uri: string): boolean {
    return isGcsUri(uri);
  }

  async *list(uri: string, options: { recursive: boolean }): AsyncIterable<ObjectInfo> {
    yield* (await this.load()).list(uri, options);
  }

  async stat(uri: string): Promise<ObjectInfo> {
    return (await this.load()).stat(uri);
  }

  read(uri: string, options?: ReadOptions): Readable {
    const load = () => this.load();
    async function* chunks(): AsyncGenerator<Buffer> {
      yield* (await load()).chunks(uri, options);
    }
    // The same stream GcsObjectStorage.read makes, over the same chunks.
    return chunkStream(chunks());
  }
}

/** The storage a file connector reads through: its GCS credentials (if any) plus local files. */
export function storageFor(options: { gcs?: GcsCredentials; log?: Logger } = {}): ObjectStorage {
  return new CompositeObjectStorage([
    new LazyGcsStorage({
      ...(options.gcs && { credentials: options.gcs }),
      ...(options.log && { log: options.log }),
    }),
    new LocalObjectStorage(),
  ]);
}
