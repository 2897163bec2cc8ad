// When scans run. Embedded (`dsc run`): a loop in the process scans each of its streaming connectors every
// file.scan.interval.ms. Deployed: Cloud Scheduler publishes a ScanRequest to the plan topic; the plan function asks
// every connector that is due for a scan, one PlanMessage each, so each scan runs in its own invocation.
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { ConnectorStore } from '../lifecycle/store.js';
import { errorText } from '../runtime/error-text.js';
import type { FileConnectorContext } from './file-connector-context.js';
import { readScanStatus } from '../lifecycle/scan-status.js';
import { scanFileConnector, scanIntervalOf, scans } from './file-scanner.js';

/** What Cloud Scheduler publishes on the plan topic: scan every streaming connector that is due. */
export interface ScanRequest {
  scan: 'due';
}

export function isScanRequest(v: unknown): v is ScanRequest {
  return typeof v === 'object' && v !== null && (v as { scan?: unknown }).scan === 'due';
}

/** Scheduler ticks are not exact: a connector whose interval ends within this much of the tick counts as due. */
const DUE_SLACK_MS = 5_000;

/** Dispatches a scan to each RUNNING streaming connector whose last scan is older than its interval. */
export async function dispatchDueScans(deps: {
  store: ConnectorStore;
  dispatcher: Dispatcher;
  now?: number;
}): Promise<string[]> {
  const now = deps.now ?? Date.now();
  const due: string[] = [];
  for (const record of await deps.store.listConnectors()) {
    if (!scans(record) || record.desired !== 'RUNNING' || record.spec.kind !== 'file') continue;
    const last = await readScanStatus(deps.store, record.name);
    if (last && now - Date.parse(last.at) + DUE_SLACK_MS < scanIntervalOf(record.spec)) continue;
    await deps.dispatcher.plan({ connector: record.name, epoch: record.epoch, scan: true });
    due.push(record.name);
  }
  return due;
}

/** Idle wait between loop turns when none of the connectors scans (paused, eof, or scan off). */
const IDLE_MS = 1_000;

/**
 * The embedded loop: scans `connectors` (those of this `dsc run`), each every file.scan.interval.ms from the start of
 * its previous scan, one scan at a time, until `signal` aborts. Resolves once the last scan has returned.
 */
export async function runScanLoop(connectors: string[], ctx: FileConnectorContext, signal: AbortSignal): Promise<void> {
  const lastStart = new Map<string, number>();
  while (!signal.aborted) {
    let wait = IDLE_MS;
    for (const name of connectors) {
      if (signal.aborted) break;
      const record = await ctx.store.getConnector(name).catch(() => undefined);
      if (!record || !scans(record) || record.spec.kind !== 'file') continue;
      const interval = scanIntervalOf(record.spec);
      const since = Date.now() - (lastStart.get(name) ?? 0);
      if (since < interval) {
        wait = Math.min(wait, interval - since);
        continue;
      }
      lastStart.set(name, Date.now());
      wait = Math.min(wait, interval);
      try {
        await scanFileConnector(name, ctx);
      } catch (err) {
        ctx.log.warn('scan failed', { connector: name, error: errorText(err) });
      }
    }
    await sleep(Math.max(10, wait), signal);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => (clearTimeout(timer), signal.removeEventListener('abort', done), resolve());
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
