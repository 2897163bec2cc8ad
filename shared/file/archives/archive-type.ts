// Which archive a file is, from `file.reader.text.archive.type` and, for `auto`, the extension lists.
import type { FileReaderSpec } from '../../config/spec.js';
import { baseName } from '../file-format.js';

/** `tgz` is a tar inside gzip. */
export type ArchiveKind = 'tar' | 'tgz' | 'zip' | 'gzip' | 'none';

/** The longest extension of `list` that `lower` ends with (after a dot), or undefined. */
function matchExtension(lower: string, list: string[]): string | undefined {
  let best: string | undefined;
  for (const raw of list) {
    const ext = raw.toLowerCase().replace(/^\.+/, '');
    if (ext !== '' && lower.endsWith(`.${ext}`) && (!best || ext.length > best.length)) best = ext;
  }
  return best;
}

const looksTarGz = (lower: string): boolean => lower.endsWith('.tar.gz') || lower.endsWith('.tgz');

/**
 * `none` reads everything as plain text; explicit `tar`/`zip`/`gzip` force the kind (a forced tar that is gzipped and
 * a gzip holding a tar are still opened right: the archive openers sniff the bytes). `auto` uses the extension lists,
 * longest match first; `x.tar.gz`/`x.tgz` are tgz; and, generously, a name ending in `.gz` that no list names is
 * still gzip (the seed's own example lists only `tar.gz,tgz` for gzip, which would read `x.csv.gz` as text).
 */
export function archiveTypeFor(name: string, reader: FileReaderSpec): ArchiveKind {
  const lower = baseName(name).toLowerCase();
  switch (reader.archiveType) {
    case 'none':
      return 'none';
    case 'zip':
      return 'zip';
    case 'tar':
      return looksTarGz(lower) ? 'tgz' : 'tar';
    case 'gzip':
      return looksTarGz(lower) ? 'tgz' : 'gzip';
  }
  const { tar, zip, gzip } = reader.archiveExtensions;
  const candidates: Array<[ArchiveKind, string | undefined]> = [
    ['zip', matchExtension(lower, zip)],
    ['gzip', matchExtension(lower, gzip)],
    ['tar', matchExtension(lower, tar)],
  ];
  let kind: ArchiveKind = 'none';
  let length = 0;
  for (const [k, ext] of candidates) {
    if (ext && ext.length > length) {
      kind = k;
      length = ext.length;
    }
  }
  if (kind === 'none' && lower.endsWith('.gz')) kind = 'gzip';
  if ((kind === 'gzip' || kind === 'tar') && looksTarGz(lower)) return 'tgz';
  return kind;
}

/** The name of a gzip file's single entry: the object's name without `.gz` (`.tgz` becomes `.tar`). */
export function gzipEntryName(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith('.tgz')) return `${name.slice(0, -4)}.tar`;
  for (const suffix of ['.gzip', '.gz']) {
    if (lower.endsWith(suffix) && lower.length > suffix.length) return name.slice(0, -suffix.length);
  }
  return name;
}
