// One ObjectStorage over several adapters, picked by URI scheme: gs:// → GCS, s3a:// (s3://) → S3, abfss:// (abfs://)
// → Azure Blob, file:// or a path → local files.
import type { Readable } from 'node:stream';
import { chunkStream } from './chunk-stream.js';
import type { AzureSettings, GcsCredentials, S3Settings } from '../config/spec.js';
import type { Logger } from '../runtime/log.js';
import type { GcsObjectStorage, GcsObjectStorageOptions } from './gcs-object-storage.js';
import { isAzureUri, isS3Uri } from './cloud-uri.js';
import { isGcsUri } from './gcs-uri.js';
import { LocalObjectStorage } from './local-object-storage.js';
import type { ObjectInfo, ObjectStorage, ReadOptions } from './object-storage.js';

export class CompositeObjectStorage implements ObjectStorage {
  constructor(private readonly adapters: ObjectStorage[]) {}

  private adapterFor(uri: string): ObjectStorage {
    const a = this.adapters.find((s) => s.handles(uri));
    if (!a)
      throw new Error(
        `no storage handles ${uri} (supported: gs://bucket/name, s3a://bucket/key, abfss://container@account.dfs.core.windows.net/path, file:///path, a local path)`,
      );
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

/** The error, its message led by the URI when the library's ("Not Found") does not name it; class and code kept. */
function naming(uri: string, err: unknown): unknown {
  if (err instanceof Error && err.name !== 'AbortError' && !err.message.includes(uri)) {
    try {
      err.message = `${uri}: ${err.message}`;
    } catch {
      // a frozen error keeps its text
    }
  }
  return err;
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
    try {
      yield* (await this.load()).list(uri, options);
    } catch (err) {
      throw naming(uri, err);
    }
  }

  async stat(uri: string): Promise<ObjectInfo> {
    return (await this.load()).stat(uri).catch((err: unknown) => Promise.reject(naming(uri, err)));
  }

  read(uri: string, options?: ReadOptions): Readable {
    const load = () => this.load();
    async function* chunks(): AsyncGenerator<Buffer> {
      try {
        yield* (await load()).chunks(uri, options);
      } catch (err) {
        throw naming(uri, err);
      }
    }
    // The same stream GcsObjectStorage.read makes, over the same chunks.
    return chunkStream(chunks());
  }
}

/** An adapter that streams chunks (S3, Azure), loaded on first use: a connector that never reads its cloud never loads its SDK. */
interface ChunkedStorage extends ObjectStorage {
  chunks(uri: string, options?: ReadOptions): AsyncGenerator<Buffer>;
}

class LazyStorage implements ObjectStorage {
  private adapter: Promise<ChunkedStorage> | undefined;

  constructor(
    readonly handles: (uri: string) => boolean,
    private readonly create: () => Promise<ChunkedStorage>,
  ) {}

  private load(): Promise<ChunkedStorage> {
    this.adapter ??= this.create();
    return this.adapter;
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
    return chunkStream(chunks());
  }
}

export interface StorageOptions {
  gcs?: GcsCredentials;
  /** `fs.s3a.*` settings; absent means the AWS SDK defaults (the default credential chain). */
  s3?: S3Settings;
  /** `fs.azure.*` settings; absent means the runtime's Azure identity. */
  azure?: AzureSettings;
  log?: Logger;
}

/** The storage a file connector reads through: GCS, S3 and Azure with its credentials (if any), plus local files. */
export function storageFor(options: StorageOptions = {}): ObjectStorage {
  const log = options.log && { log: options.log };
  return new CompositeObjectStorage([
    new LazyGcsStorage({ ...(options.gcs && { credentials: options.gcs }), ...log }),
    new LazyStorage(isS3Uri, () =>
      import('./s3-object-storage.js').then(
        (m) => new m.S3ObjectStorage({ ...(options.s3 && { settings: options.s3 }), ...log }),
      ),
    ),
    new LazyStorage(isAzureUri, () =>
      import('./azure-object-storage.js').then(
        (m) => new m.AzureObjectStorage({ ...(options.azure && { settings: options.azure }), ...log }),
      ),
    ),
    new LocalObjectStorage(),
  ]);
}
