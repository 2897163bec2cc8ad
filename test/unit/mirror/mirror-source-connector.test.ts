// MirrorSourceConnector.start() on a real SQLite store, its Kafka clients replaced by an in-memory fake with no source
// topic yet (so it writes its one idle task row and starts no task): what it carries on from the rows it finds.
// After a restart (the record's restartEpoch) the error count starts again from 0 and the last error stays; after
// a resume it carries on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import type { ConnectorRecord, TaskRecord } from '../../../shared/lifecycle/store.js';
import { MirrorSourceConnector } from '../../../shared/mirror/mirror-source-connector.js';
import { silentLogger } from '../../../shared/runtime/log.js';
import { mirrorSpec, record } from '../lifecycle/task-fixtures.js';

vi.mock('../../../shared/kafka/port/kafka-client.js', () => ({
  createKafkaClient: () => ({
    admin: () => ({
      connect: async () => undefined,
      listTopics: async () => [],
      describeTopics: async () => [],
      createTopics: async () => [],
      createPartitions: async () => undefined,
      deleteGroup: async () => undefined,
      close: async () => undefined,
    }),
  }),
}));

const spec = { ...mirrorSpec('m'), delivery: { exactlyOnce: false, transactionIntervalMs: 500 } };
const progress = { filesDone: 0, filesTotal: 0, records: 40, bytes: 400, bytesTotal: 0, recordsPerSecond: 3 };

let running: MirrorSourceConnector | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A store whose mirror `m` ran under epoch 1 (40 records, 3 skipped, a last error), now at `now`. */
async function storeAfter(now: Partial<Pick<ConnectorRecord, 'epoch' | 'restartEpoch'>>) {
  const store = await SqliteConnectorStore.open(':memory:');
  await store.createConnectors([record(spec)]);
  await store.putTasks('m', [
    {
      connector: 'm',
      taskId: 0,
      epoch: 1,
      state: 'RUNNING',
      assignment: { topics: ['orders'], partitionCount: 1, partitions: ['orders-0'] },
      progress: { ...progress, errors: 3 },
      lastError: 'cannot convert record orders-0@7: bad (errors.tolerance=all: skipped)',
    },
  ]);
  const updated = (await store.updateConnector('m', now))!;
  return { store, record: updated };
}

async function started(now: Partial<Pick<ConnectorRecord, 'epoch' | 'restartEpoch'>>): Promise<TaskRecord> {
  const { store, record: r } = await storeAfter(now);
  expect(r).toMatchObject(now);
  running = new MirrorSourceConnector(r, spec, store, silentLogger);
  await running.start();
  const [row, ...rest] = await store.listTasks('m');
  expect(rest).toEqual([]);
  expect(row.epoch).toBe(now.epoch);
  return row;
}

describe('MirrorSourceConnector.start after a restart', () => {
  it('restarted (restartEpoch = its epoch): errors 0, records kept, the last error still shown', async () => {
    const row = await started({ epoch: 2, restartEpoch: 2 });
    expect(row.progress).toMatchObject({ records: 40, bytes: 400, errors: 0 });
    expect(row.lastError).toBe('cannot convert record orders-0@7: bad (errors.tolerance=all: skipped)');
  });

  it('resumed after a restart (rows of the restart epoch or later): the count is from after it and carries on', async () => {
    const row = await started({ epoch: 3, restartEpoch: 1 });
    expect(row.progress).toMatchObject({ records: 40, bytes: 400, errors: 3 });
    expect(row.lastError).toBeUndefined();
  });

  it('never restarted: the error count carries on across a new epoch', async () => {
    const row = await started({ epoch: 2 });
    expect(row.progress).toMatchObject({ records: 40, bytes: 400, errors: 3 });
  });
});
