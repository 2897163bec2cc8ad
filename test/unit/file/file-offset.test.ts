import { describe, expect, it } from 'vitest';
import type { AssignedFile } from '../../../shared/file/file-assignment.js';
import { fileOffsetValue, readFileOffset } from '../../../shared/file/file-offset.js';

const files: AssignedFile[] = [
  { uri: 'gs://b/a.csv', size: 10, generation: '7', archive: 'none', format: 'delimited' },
  { uri: 'gs://b/b.csv', size: 10, archive: 'none', format: 'delimited' },
];
const offset = {
  position: { fileIndex: 0, offset: 120, line: 3, entryIndex: 0, entryRecords: 0 },
  progress: { records: 3, bytes: 120, errors: 0, filesDone: 0 },
};

describe('file offset in the offsets topic', () => {
  it('round-trips position and counts, naming the file and its generation', () => {
    const value = fileOffsetValue(offset, '2026-01-01T00:00:00.000Z', files);
    expect(value).toMatchObject({ uri: 'gs://b/a.csv', generation: '7', offset: 120, line: 3, records: 3 });
    expect(readFileOffset(JSON.parse(JSON.stringify(value)), '2026-01-01T00:00:00.000Z', files)).toEqual(offset);
  });

  it("ignores another connector's offset (same name, created again), another plan's, or a malformed one", () => {
    const value = fileOffsetValue(offset, 'old', files);
    expect(readFileOffset(value, 'new', files)).toBeUndefined();
    expect(readFileOffset({ ...value, uri: 'gs://b/other.csv' }, 'old', files)).toBeUndefined();
    expect(readFileOffset({ ...value, offset: -1 }, 'old', files)).toBeUndefined();
    expect(readFileOffset({ ...value, fileIndex: 5 }, 'old', files)).toBeUndefined();
    expect(readFileOffset(undefined, 'old', files)).toBeUndefined();
  });

  it('the end of the plan (every file done) is a valid position', () => {
    const done = { ...offset, position: { ...offset.position, fileIndex: 2, offset: 0, line: 0 } };
    expect(readFileOffset(fileOffsetValue(done, 'c', files), 'c', files)).toEqual(done);
  });
});
