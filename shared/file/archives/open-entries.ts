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

// tar-stream and yauzl (with ~20 modules of their own) load with the first archive of their kind, not with every
// file task: a plain file's load starts without them.
const tar = () => import('./tar-archive.js');

/** A tar, gzipped or not (a forced `tar` on a `.tar.gz`, a `tgz` that is not gzipped: the bytes decide). */
async function* tarOrTgz(source: Readable, name: string): AsyncGenerator<ArchiveEntry> {
  let peeked: { head: Buffer; stream: Readable };
  try {
    peeked = await peek(source, 2);
  } catch (e) {
    yield { name, error: describeArchiveError('tar', name, undefined, e).message };
    return;
  }
  const { tarEntries } = await tar();
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
    case 'zip': {
      const { zipEntries } = await import('./zip-archive.js');
      yield* zipEntries(open, name, info.size);
      return;
    }
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
      const { isTarHeader, tarEntries } = await tar();
      if (isTarHeader(peeked.head)) yield* tarEntries(peeked.stream, name);
      else yield { name: gzipEntryName(name), stream: peeked.stream };
      return;
    }
  }
}
