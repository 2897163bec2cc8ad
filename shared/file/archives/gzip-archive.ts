// gzip: one entry, streamed through zlib (concatenated members included, as gzip(1) writes them).
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeArchiveError } from './archive-entry.js';
import { withErrorDescribed } from './byte-streams.js';

/** The uncompressed bytes of `source`; a corrupt or truncated gzip fails with "corrupt gzip data in <name>: ...". */
export function gunzip(source: Readable, name: string): Readable {
  const unzipped = pipeline(source, createGunzip(), () => {
    // Errors surface on the returned stream; pipeline only needs a callback to clean up.
  });
  return withErrorDescribed(unzipped, (e) => describeArchiveError('gzip', name, undefined, e));
}

/** gzip's magic number. */
export const isGzip = (head: Buffer): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
