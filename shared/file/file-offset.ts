// A file task's source offset in the offsets topic (exactly-once delivery): where it resumes (the checkpoint: file,
// byte offset, line, archive entry) and its committed counts, plus what identifies the plan it belongs to. Written
// in the same transaction as the records it covers.
import type { TaskProgress } from '../lifecycle/store.js';
import type { SourceOffset } from '../kafka/delivery/offsets-topic.js';
import type { AssignedFile, FileCheckpoint } from './file-assignment.js';

export interface FileOffset {
  position: FileCheckpoint;
  progress: Pick<TaskProgress, 'records' | 'bytes' | 'errors' | 'filesDone'>;
}

/**
 * The offset record's value. `created` is the connector's creation time: a connector deleted and created again
 * under the same name (whose offsets were not tombstoned) does not resume at the old one's offset. `uri` and
 * `generation` name the file the position is in, for people reading the topic and as a second check.
 */
export function fileOffsetValue(offset: FileOffset, created: string, files: AssignedFile[]): SourceOffset {
  const file = files[offset.position.fileIndex];
  return {
    created,
    ...(file && { uri: file.uri }),
    ...(file?.generation && { generation: file.generation }),
    ...offset.position,
    ...offset.progress,
  };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The offset in `value` if it belongs to this connector's plan; undefined otherwise (then the store's applies). */
export function readFileOffset(
  value: SourceOffset | undefined,
  created: string,
  files: AssignedFile[],
): FileOffset | undefined {
  if (!value || value.created !== created) return undefined;
  const { fileIndex, offset, line, entryIndex, entryRecords, records, bytes, errors, filesDone } = value;
  const numbers = [fileIndex, offset, line, entryIndex, entryRecords, records, bytes, errors, filesDone];
  if (!numbers.every(isCount)) return undefined;
  const index = fileIndex as number;
  if (index > files.length || (index < files.length && files[index].uri !== value.uri)) return undefined;
  return {
    position: {
      fileIndex: index,
      offset: offset as number,
      line: line as number,
      entryIndex: entryIndex as number,
      entryRecords: entryRecords as number,
    },
    progress: {
      records: records as number,
      bytes: bytes as number,
      errors: errors as number,
      filesDone: filesDone as number,
    },
  };
}
