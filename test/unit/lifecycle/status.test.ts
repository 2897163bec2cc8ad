import { describe, expect, it } from 'vitest';
import { buildListRow, buildStatus, connectorState } from '../../../shared/lifecycle/status.js';
import { fileSpec, mirrorSpec, record, task } from './task-fixtures.js';

describe('connectorState', () => {
  const eof = record(fileSpec('a', 'eof'));

  it('is UNASSIGNED before any task exists', () => {
    expect(connectorState(eof, [])).toBe('UNASSIGNED');
  });

  it('is PAUSED whenever the user paused it, whatever the tasks say', () => {
    const paused = record(fileSpec('a'), 'PAUSED');
    expect(connectorState(paused, [task('a', 0, 'FAILED')])).toBe('PAUSED');
    expect(connectorState(paused, [])).toBe('PAUSED');
  });

  it('is FAILED when any task failed', () => {
    expect(connectorState(eof, [task('a', 0, 'FINISHED'), task('a', 1, 'FAILED')])).toBe('FAILED');
  });

  it('is not FAILED for a task that failed before the latest resume (an older epoch), until it fails again', () => {
    const resumed = { ...eof, epoch: 3 };
    const before = { ...task('a', 0, 'FAILED'), epoch: 2 };
    expect(connectorState(resumed, [before, { ...task('a', 1, 'RUNNING'), epoch: 3 }])).toBe('RUNNING');
    expect(connectorState(resumed, [{ ...before, epoch: 3 }])).toBe('FAILED');
  });

  it('is FINISHED only for an eof connector whose every task finished', () => {
    expect(connectorState(eof, [task('a', 0, 'FINISHED'), task('a', 1, 'FINISHED')])).toBe('FINISHED');
    expect(connectorState(eof, [task('a', 0, 'FINISHED'), task('a', 1, 'RUNNING')])).toBe('RUNNING');
  });

  it('stays RUNNING for a streaming file connector and a mirror connector with finished tasks', () => {
    const streaming = record(fileSpec('s', 'streaming'));
    expect(connectorState(streaming, [task('s', 0, 'FINISHED')])).toBe('RUNNING');
    expect(connectorState(record(mirrorSpec('m')), [task('m', 0, 'FINISHED')])).toBe('RUNNING');
  });
});

describe('buildStatus', () => {
  it('sums task progress, sorts tasks by id and names the failed task in lastError', () => {
    const r = record(fileSpec('a'));
    const tasks = [
      task('a', 1, 'FAILED', {
        lastError: 'gs://b/x.csv line 7: record longer than 1048576 bytes',
        progress: {
          filesDone: 1,
          filesTotal: 3,
          records: 10,
          bytes: 100,
          bytesTotal: 300,
          recordsPerSecond: 5,
          errors: 2,
        },
      }),
      task('a', 0, 'RUNNING', {
        progress: {
          filesDone: 2,
          filesTotal: 2,
          records: 30,
          bytes: 200,
          bytesTotal: 200,
          recordsPerSecond: 7,
          errors: 0,
        },
      }),
    ];
    const s = buildStatus(r, tasks);
    expect(s.state).toBe('FAILED');
    expect(s.tasks.map((t) => t.id)).toEqual([0, 1]);
    expect(s.totals).toEqual({ records: 40, bytes: 300, errors: 2, recordsPerSecond: 7 });
    expect(s.lastError).toBe('task 1: gs://b/x.csv line 7: record longer than 1048576 bytes');
    expect(s.tasksMax).toBe(4);
  });

  it('passes a mirror task detail (partitions, lag) through', () => {
    const s = buildStatus(record(mirrorSpec('m')), [task('m', 0, 'RUNNING', { detail: { partitions: 3, lag: 42 } })]);
    expect(s.tasks[0].detail).toEqual({ partitions: 3, lag: 42 });
    expect(s.kind).toBe('mirror');
    expect(s.lastError).toBeUndefined();
  });
});

describe('buildListRow', () => {
  it('shows topic for a file connector and topics for a mirror connector', () => {
    expect(buildListRow(record(fileSpec('a')), [])).toEqual({
      name: 'a',
      kind: 'file',
      state: 'UNASSIGNED',
      tasksMax: 4,
      topic: 'a-topic',
    });
    expect(buildListRow(record(mirrorSpec('m')), [task('m', 0, 'RUNNING')]).topics).toEqual(['orders', 'users']);
  });
});
