// `dsc status` for a mirror connector: the LAG column sums the per-partition lag the task reports, and a task that
// retries past an error shows it while RUNNING.
import { describe, expect, it } from 'vitest';
import { printStatus } from '../../../shared/cli/output.js';
import type { ConnectorStatus } from '../../../shared/lifecycle/status.js';

describe('dsc status, mirror tasks', () => {
  it('shows the summed lag per task and the error it is retrying past', () => {
    const progress = {
      filesDone: 0,
      filesTotal: 0,
      records: 1500,
      bytes: 300_000,
      bytesTotal: 0,
      recordsPerSecond: 750,
      errors: 0,
    };
    const status: ConnectorStatus = {
      name: 'm',
      kind: 'mirror',
      state: 'RUNNING',
      desired: 'RUNNING',
      epoch: 1,
      tasksMax: 1,
      totals: { records: 1500, bytes: 300_000, errors: 0, recordsPerSecond: 750 },
      tasks: [
        {
          id: 0,
          state: 'RUNNING',
          epoch: 1,
          progress,
          lastError: 'retrying (attempt 2): schema registry unreachable',
          detail: { partitions: ['t-0', 't-1'], lag: { 't-0': 1200, 't-1': 34 } },
          updatedAt: new Date().toISOString(),
        },
      ],
    };
    const lines: string[] = [];
    printStatus([status], { out: (l) => lines.push(l), err: () => {} } as never);
    const row = lines.find((l) => /^\s+0\s+RUNNING/.test(l))!;
    expect(row).toMatch(/RUNNING\s+1,234\s/);
    expect(row).toContain('retrying (attempt 2)');
  });
});
