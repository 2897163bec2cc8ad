// tasks.max is a maximum: the planner never cuts a byte range below the split size, never plans more tasks than files
// plus ranges, and a tasks.max beyond any possible plan is a validation warning naming the key.
import { describe, expect, it } from 'vitest';
import { formatIssue, parseConnectorConfig, type FileConnectorSpec } from '../../../shared/config/index.js';
import { TASKS_MAX_CEILING } from '../../../shared/config/connector-base.js';
import type { AssignedFile } from '../../../shared/file/file-assignment.js';
import { taskConfigs } from '../../../shared/file/file-source-connector.js';

const MiB = 1024 * 1024;

function spec(tasksMax: string) {
  const parsed = parseConnectorConfig(
    [
      'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
      'topic=t',
      'file.uris=gs://b/',
      '[c]',
      'name=c',
      `tasks.max=${tasksMax}`,
    ].join('\n'),
    { fileName: 'big.conf' },
  );
  return { spec: parsed.specs[0] as FileConnectorSpec, issues: parsed.issues };
}

const file = (name: string, size: number): AssignedFile => ({
  uri: `gs://b/${name}`,
  size,
  archive: 'none',
  format: 'delimited',
});

describe('tasks.max', () => {
  it('a huge tasks.max on a 100 MB file plans one task: no range below 64 MiB', () => {
    const groups = taskConfigs([file('a.csv', 100 * MiB)], spec('1000').spec, 64 * MiB);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toEqual([file('a.csv', 100 * MiB)]);
  });

  it('splits a big file into ranges of at least the split size, never more tasks than ranges', () => {
    const groups = taskConfigs([file('a.csv', 1000 * MiB)], spec('1000').spec, 64 * MiB);
    expect(groups).toHaveLength(15); // floor(1000 / 64)
    const sizes = groups.map((g) => g[0].range!.end - g[0].range!.start);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(64 * MiB);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(1000 * MiB);
  });

  it('more tasks than files and no big file: one task per file', () => {
    const groups = taskConfigs([file('a.csv', 10), file('b.csv', 20)], spec('10000').spec, 64 * MiB);
    expect(groups).toHaveLength(2);
  });

  it('warns, naming the key, when tasks.max is beyond what can be planned, and plans at the ceiling', () => {
    const { spec: s, issues } = spec('1000000000');
    expect(s.tasksMax).toBe(TASKS_MAX_CEILING);
    expect(issues.map((i) => [i.severity, formatIssue(i)])).toEqual([
      [
        'warning',
        `big.conf:6 [c] warning: tasks.max: 1000000000 cannot be honoured: at most ${TASKS_MAX_CEILING} tasks are ` +
          'planned (one per file, 64 MiB byte range or partition)',
      ],
    ]);
    expect(spec(String(TASKS_MAX_CEILING)).issues).toEqual([]);
  });
});
