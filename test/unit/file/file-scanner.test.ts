// One scan after another over a local directory, step by step (no timers, no Kafka: the dispatcher only records):
// a new file waits one scan for its size to hold still, is claimed once, and a file changed afterwards is a new
// version, claimed again once it holds still; a listing that fails is reported in status and tried again.
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConnectorConfig } from '../../../shared/config/index.js';
import type { FileConnectorSpec } from '../../../shared/config/spec.js';
import { NoopDispatcher } from '../../../shared/dispatch/noop-dispatcher.js';
import { readAssignment } from '../../../shared/file/file-assignment.js';
import type { FileConnectorContext } from '../../../shared/file/file-connector-context.js';
import { scanFileConnector } from '../../../shared/file/file-scanner.js';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import { readScanStatus } from '../../../shared/lifecycle/scan-status.js';
import { silentLogger } from '../../../shared/runtime/log.js';

let dir: string;
let ctx: FileConnectorContext & { dispatcher: NoopDispatcher };

function spec(uris: string): FileConnectorSpec {
  const text = [
    'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    'topic=t',
    `file.uris=${uris}`,
    'file.regexp=.*\\.csv',
    '[c]',
    'name=c',
  ].join('\n');
  return parseConnectorConfig(text, { fileName: 'x.conf' }).specs[0] as FileConnectorSpec;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dsc-scanner-'));
  const store = await SqliteConnectorStore.open(':memory:');
  ctx = {
    store,
    dispatcher: new NoopDispatcher(),
    log: silentLogger,
    target: { brokers: ['127.0.0.1:1'], security: { protocol: 'PLAINTEXT' } },
  };
  const now = new Date().toISOString();
  const s = spec(dir);
  await store.createConnectors([
    { name: 'c', kind: 'file', spec: s, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
  ]);
  // What the plan of an empty directory leaves: one finished task with no files.
  await store.putTasks('c', [
    {
      connector: 'c',
      taskId: 0,
      epoch: 1,
      state: 'FINISHED',
      assignment: { files: [] },
      progress: { filesDone: 0, filesTotal: 0, records: 0, bytes: 0, bytesTotal: 0, recordsPerSecond: 0, errors: 0 },
    },
  ]);
});

afterEach(async () => {
  await ctx.store.close();
  rmSync(dir, { recursive: true, force: true });
});

const claimedFiles = async () =>
  (await ctx.store.listTasks('c'))
    .filter((t) => t.taskId > 0)
    .flatMap((t) => readAssignment(t.assignment).files.map((f) => `${f.uri.replace(/.*\//, '')}:${f.size}`))
    .sort();

describe('scanFileConnector over local files', () => {
  it('claims a new file once its size held still across two scans, and a changed file again', async () => {
    writeFileSync(join(dir, 'a.csv'), 'a-1\n');
    writeFileSync(join(dir, 'notes.txt'), 'not selected\n');
    expect(await scanFileConnector('c', ctx)).toMatchObject({ listed: 1, claimed: 0, waiting: 1 });
    expect(await scanFileConnector('c', ctx)).toMatchObject({ listed: 1, claimed: 1, waiting: 0 });
    expect(await scanFileConnector('c', ctx)).toMatchObject({ listed: 1, claimed: 0, waiting: 0 });
    expect(await claimedFiles()).toEqual(['a.csv:4']);

    appendFileSync(join(dir, 'a.csv'), 'a-2\n');
    expect(await scanFileConnector('c', ctx)).toMatchObject({ claimed: 0, waiting: 1 });
    appendFileSync(join(dir, 'a.csv'), 'a-3\n'); // still growing: still waiting
    expect(await scanFileConnector('c', ctx)).toMatchObject({ claimed: 0, waiting: 1 });
    expect(await scanFileConnector('c', ctx)).toMatchObject({ claimed: 1, waiting: 0 });
    expect(await claimedFiles()).toEqual(['a.csv:12', 'a.csv:4']);
    expect(ctx.dispatcher.tasks).toHaveLength(2);
    expect((await readScanStatus(ctx.store, 'c'))?.claimed).toBe(1);
  });

  it('reports a listing that fails, keeps what was waiting, and scans again', async () => {
    writeFileSync(join(dir, 'a.csv'), 'a-1\n');
    expect(await scanFileConnector('c', ctx)).toMatchObject({ waiting: 1 });
    const moved = `${dir}-moved`;
    rmSync(moved, { recursive: true, force: true });
    renameSync(dir, moved);
    const failed = await scanFileConnector('c', ctx);
    expect(failed?.error).toMatch(new RegExp(`^cannot list ${dir}: .*ENOENT`));
    expect(failed?.waiting).toBe(1);
    expect((await readScanStatus(ctx.store, 'c'))?.error).toBe(failed?.error);
    renameSync(moved, dir);
    expect(await scanFileConnector('c', ctx)).toMatchObject({ claimed: 1, waiting: 0 });
    expect((await readScanStatus(ctx.store, 'c'))?.error).toBeUndefined();
  });

  it('does not scan a paused connector', async () => {
    writeFileSync(join(dir, 'a.csv'), 'a-1\n');
    await ctx.store.updateConnector('c', { desired: 'PAUSED' });
    expect(await scanFileConnector('c', ctx)).toBeUndefined();
    expect(await readScanStatus(ctx.store, 'c')).toBeUndefined();
  });
});
