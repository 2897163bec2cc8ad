// The storage port: list, stat and read objects by URI, for GCS (gs://), S3 (s3a://), Azure Blob (abfss://) and local
// files (file:// or a path).
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  /** Canonical URI: gs://bucket/name, s3a://bucket/key, abfss://container@account.dfs.core.windows.net/path or file:///abs/path. */
  uri: string;
  /** Object name relative to the listed prefix's bucket/root (what file.regexp matches against is the base name). */
  name: string;
  size: number;
  /** The version token: GCS generation as a string (exceeds 2^53), S3 or Azure ETag; undefined for local files. */
  generation?: string;
  /** Local files: modification time (epoch ms), so a scan can tell a rewritten or grown file from the one loaded. */
  modified?: number;
}

export interface ByteRange {
  /** Inclusive. */
  start: number;
  /** Exclusive; undefined = to the end. */
  end?: number;
}

export interface ReadOptions {
  range?: ByteRange;
  generation?: string;
  /**
   * The caller keeps no reference to a chunk once it asks for the next one (it copies what it keeps): an adapter may
   * then read into a few buffers it reuses, instead of a fresh one per chunk. Adapters may ignore it.
   */
  transientChunks?: boolean;
}

export interface ObjectStorage {
  /** Whether this adapter handles the URI (by scheme: gs://, s3a://, abfss://, file:// or plain paths). */
  handles(uri: string): boolean;
  /** A URI ending in `/` (or naming a directory) lists below it; otherwise yields the one object. */
  list(uri: string, options: { recursive: boolean }): AsyncIterable<ObjectInfo>;
  stat(uri: string): Promise<ObjectInfo>;
  /** A stream of the object's bytes (of one generation, when given), optionally a range. Streams, never buffers. */
  read(uri: string, options?: ReadOptions): Readable;
}
