// Which connectors a scheduled scan reaches (the deployment's Cloud Scheduler tick), how the plan function takes
// that tick off the plan topic, and how status prints a scan. The store is the project's SQLite adapter in memory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConnectorConfig } from '../../../shared/config/index.js';
import type { FileConnectorSpec } from '../../../shared/config/spec.js';
import { NoopDispatcher } from '../../../shared/dispatch/noop-dispatcher.js';
import { encodeMessage, isPlanMessage } from '../../../shared/dispatch/pubsub-message.js';
import { scanFileConnector } from '../../../shared/file/file-scanner.js';
import { dispatchDueScans, isScanRequest } from '../../../shared/file/scan-schedule.js';
import { scanLine } from '../../../shared/cli/output.js';
import { readScanStatus, SCAN_OFFSET_KEY } from '../../../shared/lifecycle/scan-status.js';
import { buildStatus } from '../../../shared/lifecycle/status.js';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import { silentLogger } from '../../../shared/runtime/log.js';

const CLASS = 'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector';

function spec(name: string, ...lines: string[]): FileConnectorSpec {
  const text = [CLASS, `topic=${name}`, 'file.uris=gs://b/in/', ...lines, `[${name}]`, `name=${name}`].join('\n');
  return parseConnectorConfig(text, { fileName: 'x.conf' }).specs[0] as FileConnectorSpec;
}

let store: SqliteConnectorStore;
beforeEach(async () => {
  store = await SqliteConnectorStore.open(':memory:');
});
afterEach(() => store.close());

async function create(s: FileConnectorSpec, desired: 'RUNNING' | 'PAUSED' = 'RUNNING'): Promise<void> {
  const now = new Date().toISOString();
  await store.createConnectors([
    { name: s.name, kind: 'file', spec: s, desired, epoch: 3, createdAt: now, updatedAt: now },
  ]);
}

describe('dispatchDueScans (the scheduled tick)', () => {
  it('asks each RUNNING streaming connector whose last scan is older than its interval, and no other', async () => {
    await create(spec('never-scanned'));
    await create(spec('recent', 'file.scan.interval.ms=600000'));
    await create(spec('old', 'file.scan.interval.ms=60000'));
    await create(spec('eof', 'mode=eof'));
    await create(spec('off', 'file.scan.interval.ms=0'));
    await create(spec('paused'), 'PAUSED');
    const now = Date.parse('2026-11-29T08:00:00Z');
    const at = (ms: number) => ({
      at: new Date(now - ms).toISOString(),
      durationMs: 1,
      listed: 0,
      claimed: 0,
      waiting: 0,
    });
    await store.putOffset('recent', SCAN_OFFSET_KEY, { ...at(60_000), pending: {} });
    await store.putOffset('old', SCAN_OFFSET_KEY, { ...at(58_000), pending: {} }); // within the tick slack: due
    const dispatcher = new NoopDispatcher();
    const due = await dispatchDueScans({ store, dispatcher, now });
    expect(due.sort()).toEqual(['never-scanned', 'old']);
    expect(dispatcher.plans).toContainEqual({ connector: 'old', epoch: 3, scan: true });
    expect(dispatcher.plans.every((p) => isPlanMessage(p) && p.scan === true)).toBe(true);
  });

  it('a scan request is what the scheduler publishes, and is not a plan message', () => {
    const published = JSON.parse(encodeMessage({ scan: 'due' } as never).toString('utf8'));
    expect(isScanRequest(published)).toBe(true);
    expect(isPlanMessage(published)).toBe(false);
    expect(isScanRequest({ connector: 'c', epoch: 1, scan: true })).toBe(false);
  });
});

describe('scanFileConnector', () => {
  it('does nothing for an eof connector, one with the scan off, or one not planned yet', async () => {
    await create(spec('eof', 'mode=eof'));
    await create(spec('off', 'file.scan.interval.ms=0'));
    await create(spec('unplanned'));
    const ctx = {
      store,
      dispatcher: new NoopDispatcher(),
      log: silentLogger,
      target: { brokers: ['127.0.0.1:1'], security: { protocol: 'PLAINTEXT' as const } },
    };
    for (const name of ['eof', 'off', 'unplanned', 'missing']) {
      expect(await scanFileConnector(name, ctx)).toBeUndefined();
      expect(await readScanStatus(store, name)).toBeUndefined();
    }
    expect(ctx.dispatcher.tasks).toEqual([]);
  });
});

describe('scan in status', () => {
  it('status carries the last scan and dsc prints it', async () => {
    const s = spec('c');
    await create(s);
    const report = { at: '2026-11-29T08:00:00.000Z', durationMs: 12, listed: 1200, claimed: 3, waiting: 1 };
    await store.putOffset('c', SCAN_OFFSET_KEY, { ...report, pending: { 'file:///x.csv': '1@2' } });
    const scan = await readScanStatus(store, 'c');
    expect(scan).toEqual(report); // the waiting files' versions stay internal
    const status = buildStatus((await store.getConnector('c'))!, [], scan);
    expect(status.scan).toEqual(report);
    expect(scanLine(status.scan!)).toBe('2026-11-29T08:00:00.000Z: 1,200 listed, 3 new, 1 still changing (12 ms)');
    expect(scanLine({ ...report, error: 'cannot list gs://b/in/: Forbidden' })).toBe(
      '2026-11-29T08:00:00.000Z: failed: cannot list gs://b/in/: Forbidden',
    );
  });
});

describe('plan function', () => {
  it('turns the scheduler’s scan request into one scan message per due connector', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dsc-plan-scan-'));
    const saved = { ...process.env };
    Object.assign(process.env, { DSC_STORE: 'sqlite', DSC_STATE_DIR: dir, DSC_DISPATCH: 'inprocess' });
    const stateStore = await SqliteConnectorStore.openStateDir(dir);
    const now = new Date().toISOString();
    const s = spec('streaming');
    await stateStore.createConnectors([
      { name: s.name, kind: 'file', spec: s, desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
    ]);
    await stateStore.close();
    const lines: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    try {
      const { plan } = await import('../../../functions/plan.js');
      const event = { id: '1', data: { message: { data: Buffer.from('{"scan":"due"}').toString('base64') } } };
      await plan(event as never);
    } finally {
      write.mockRestore();
      process.env = saved;
    }
    const logged = lines.map((l) => JSON.parse(l) as { severity: string; message: string; connectors?: string[] });
    expect(logged.filter((l) => l.severity === 'ERROR')).toEqual([]);
    expect(logged.find((l) => l.message === 'scans dispatched')?.connectors).toEqual(['streaming']);
  });
});
