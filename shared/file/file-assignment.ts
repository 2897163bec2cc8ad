// What the planner gives a file task (its assignment) and where the task got to (its checkpoint): the kind-owned
// JSON of TaskRecord.assignment / TaskRecord.checkpoint for file connectors.
import type { ArchiveKind } from './archives/index.js';
import type { RecordFormat } from './file-format.js';

export interface AssignedFile {
  uri: string;
  /** Stored bytes (compressed size for archives). */
  size: number;
  /** GCS generation, as a string; the task reads exactly this generation. */
  generation?: string;
  /** Local files: modification time (epoch ms) when listed; with size, what a scan compares (see file-scanner.ts). */
  modified?: number;
  /** A byte range of a large plain file shared between tasks (line-aligned by the reader). */
  range?: { start: number; end: number };
  /** What `archiveTypeFor` decided: 'none' for a plain file. */
  archive: ArchiveKind;
  /** The format of a plain file (archive entries pick theirs by entry name). */
  format: RecordFormat;
}

export interface FileAssignment {
  files: AssignedFile[];
}

/**
 * Where a task resumes. Files before `fileIndex` are done. In a plain file, `offset` is the absolute byte offset
 * just past the last acknowledged record and `line` that record's line number. In an archive (a stream that cannot
 * be entered in the middle) the file is re-opened, entries before `entryIndex` are skipped, and inside that entry the
 * first `entryRecords` reader results (records and bad records alike) are skipped again without being sent.
 */
export interface FileCheckpoint {
  fileIndex: number;
  offset: number;
  line: number;
  entryIndex: number;
  entryRecords: number;
}

export const START: FileCheckpoint = { fileIndex: 0, offset: 0, line: 0, entryIndex: 0, entryRecords: 0 };

export function readAssignment(assignment: unknown): FileAssignment {
  const files = (assignment as FileAssignment | undefined)?.files;
  if (!Array.isArray(files)) throw new Error('task has no file assignment (planned by another connector kind?)');
  return { files };
}

export function readCheckpoint(checkpoint: unknown): FileCheckpoint {
  return checkpoint && typeof checkpoint === 'object'
    ? { ...START, ...(checkpoint as Partial<FileCheckpoint>) }
    : START;
}

/** `dsc.source` of a record: the URI, and `!entry` inside an archive (as Java's jar: URLs write it). */
export const sourceName = (uri: string, entry?: string): string => (entry === undefined ? uri : `${uri}!${entry}`);
