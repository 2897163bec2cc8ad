// The file connector's archives: which kind a file is, and its entries as streams.
//
// API (stable):
//   archiveTypeFor(name: string, reader: FileReaderSpec): ArchiveKind   ('tar' | 'tgz' | 'zip' | 'gzip' | 'none')
//   openEntries(type: ArchiveKind, open: OpenObject, info: { name: string; size: number }): AsyncIterable<ArchiveEntry>
//     OpenObject = (range?: { start: number; end?: number }) => Readable   (end exclusive; a new read per call)
//     ArchiveEntry = { name: string; stream?: Readable; error?: string }
//   Entries: 'none' → the object itself; 'gzip' → one entry named without `.gz` (or the tar entries if the content
//   is a tar); 'tar'/'tgz' → regular files only, in archive order; 'zip' → files (directories skipped), read with
//   ranged reads, CRC-checked. Consume or abandon each entry's stream before the next (skipped ones are drained).
//   Errors are values: an entry with `error` names the archive, the entry and the cause ("corrupt gzip data in
//   x.csv.gz: incorrect header check"); an entry's stream may also fail mid-way with such an Error (truncated tar,
//   bad deflate data, CRC mismatch). An error entry named like the archive means the archive itself is unreadable
//   from there on; the entries before it were delivered.
//   The `file.regexp` filter is the caller's: matchesFileRegexp(entry.name, regexp) in ../file-format.ts.
export { archiveTypeFor, gzipEntryName, type ArchiveKind } from './archive-type.js';
export { ArchiveError, type ArchiveEntry, type OpenObject } from './archive-entry.js';
export { openEntries } from './open-entries.js';
