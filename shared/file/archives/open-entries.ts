// Opens a file as its archive kind and yields the entries to read.
//
// Consume (or abandon) each entry's stream before asking for the next: tar is sequential, so the next header is
// behind the current entry's bytes. An entry the caller skipped is drained (tar) or closed (zip) automatically.
// Leaving the loop early closes the object's reads.
import type { Readable } from 'node:stream';
import type { ArchiveKind } from './archive-type.js';
import { gzipEntryName } from './archive-type.js';
import { type ArchiveEntry, type OpenObject, describeArchiveError } from './archive-entry.js';
import { peek } from './byte-streams.js';
import { gunzip, isGzip } from './gzip-archive.js';
import { isTarHeader, tarEntries } from './tar-archive.js';
import { zipEntries } from './zip-archive.js';

/** A tar, gzipped or not (a forced `tar` on a `.tar.gz`, a `tgz` that is not gzipped: the bytes decide). */
async function* tarOrTgz(source: Readable, name: string): AsyncGenerator<ArchiveEntry> {
  let peeked: { head: Buffer; stream: Readable };
  try {
    peeked = await peek(source, 2);
  } catch (e) {
    yield { name, error: describeArchiveError('tar', name, undefined, e).message };
    return;
  }
  yield* tarEntries(isGzip(peeked.head) ? gunzip(peeked.stream, name) : peeked.stream, name);
}

export async function* openEntries(
  type: ArchiveKind,
  open: OpenObject,
  info: { name: string; size: number },
): AsyncGenerator<ArchiveEntry> {
  const { name } = info;
  switch (type) {
    case 'none':
      yield { name, stream: open() };
      return;
    case 'zip':
      yield* zipEntries(open, name, info.size);
      return;
    case 'tar':
    case 'tgz':
      yield* tarOrTgz(open(), name);
      return;
    case 'gzip': {
      // A gzip whose content is a tar is a tgz, whatever its name.
      let peeked: { head: Buffer; stream: Readable };
      try {
        peeked = await peek(gunzip(open(), name), 512);
      } catch (e) {
        yield { name: gzipEntryName(name), error: describeArchiveError('gzip', name, undefined, e).message };
        return;
      }
      if (isTarHeader(peeked.head)) yield* tarEntries(peeked.stream, name);
      else yield { name: gzipEntryName(name), stream: peeked.stream };
      return;
    }
  }
}
