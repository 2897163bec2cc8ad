// The archive openers' contract: what they need from storage and what they give the reader.
import type { Readable } from 'node:stream';

/** Opens the object, whole or a byte range (`end` exclusive, as ObjectStorage.read). Each call is a new read. */
export type OpenObject = (range?: { start: number; end?: number }) => Readable;

export interface ArchiveEntry {
  /** Path inside the archive (for a gzip or a plain file: the object's name, without `.gz`). */
  name: string;
  /** The entry's uncompressed bytes; absent when `error` is set. */
  stream?: Readable;
  /** This entry (or, with the archive's own name, the archive) failed: corrupt, truncated, unsupported, ... */
  error?: string;
}

/** An error whose message already names the archive and the cause: not to be wrapped again. */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

export function describeArchiveError(kind: string, archive: string, entry: string | undefined, e: unknown): Error {
  if (e instanceof ArchiveError) return e;
  const error = e instanceof Error ? e : new Error(String(e));
  const where = entry === undefined ? archive : `${archive} (entry ${entry})`;
  // zlib errors carry Z_* codes; anything else (a failed storage read) is not the archive's fault.
  const code = (error as NodeJS.ErrnoException).code;
  const corrupt = kind !== 'gzip' || (typeof code === 'string' && code.startsWith('Z_'));
  return new ArchiveError(
    corrupt ? `corrupt ${kind} data in ${where}: ${error.message}` : `reading ${where} failed: ${error.message}`,
  );
}
