// The periodic scan of a streaming file connector (kafka-connect-fs's "sleepy" policy, TigerGraph 3.7's scan): list
// the connector's URIs again and load what was never loaded, as single-object tasks claimed exactly like GCS
// notifications claim theirs (a task id derived from the object and its version), so an object that both a scan and a
// notification see loads once. A GCS object's version is its generation; a local file's is its size and modification
// time, and a local file is claimed only once that version held still across two scans (it may still be written).
// The scan's report (when, what it found, the local files still changing) is the connector's `dsc.scan` offset:
// status shows it, and the next scan reads it back, so scans carry no state in memory (the deployment's are
// separate function invocations).
import type { FileConnectorSpec } from '../config/spec.js';
import { connectorState } from '../lifecycle/status.js';
import type { ConnectorRecord } from '../lifecycle/store.js';
import { errorText } from '../runtime/error-text.js';
import { readAssignment, type AssignedFile } from './file-assignment.js';
import { openSpec, storageOf, type FileConnectorContext } from './file-connector-context.js';
import { claimObjectTask, describeFile, selectsFile } from './object-claims.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { DEFAULT_SCAN_INTERVAL_MS } from '../config/file-connector-config.js';
import { SCAN_OFFSET_KEY, type ScanStatus } from '../lifecycle/scan-status.js';

/** What status shows of the last scan. */
export type ScanReport = ScanStatus;

/** The stored offset value: the report plus the versions of the waiting files, for the next scan to compare. */
interface ScanState extends ScanReport {
  pending: Record<string, string>;
}

export function scanIntervalOf(spec: FileConnectorSpec): number {
  return spec.scanIntervalMs ?? DEFAULT_SCAN_INTERVAL_MS;
}

/** Whether the connector is one that scans at all: streaming, with a non-zero interval. */
export function scans(record: Pick<ConnectorRecord, 'spec'>): boolean {
  const spec = record.spec;
  return spec.kind === 'file' && spec.mode !== 'eof' && scanIntervalOf(spec) > 0;
}

/** The version a scan compares: GCS generation, or a local file's size and modification time. */
export function versionOf(f: Pick<AssignedFile, 'size' | 'generation' | 'modified'>): string {
  return f.generation ?? `${f.size}@${f.modified ?? ''}`;
}

const keyOf = (f: AssignedFile): string => `${f.uri}#${versionOf(f)}`;

/**
 * One scan of one connector. Returns undefined (and writes nothing) when the connector does not scan now: gone,
 * paused, eof, scan turned off, not planned yet (its first listing is the plan's), or FAILED.
 */
export async function scanFileConnector(connector: string, ctx: FileConnectorContext): Promise<ScanReport | undefined> {
  const record = await ctx.store.getConnector(connector);
  if (!record || record.spec.kind !== 'file' || !scans(record) || record.desired !== 'RUNNING') return undefined;
  const started = Date.now();
  const tasks = await ctx.store.listTasks(connector);
  if (connectorState(record, tasks) !== 'RUNNING') return undefined;
  const previous = (await ctx.store.getOffset(connector, SCAN_OFFSET_KEY))?.value as ScanState | undefined;
  const known = new Set<string>();
  for (const t of tasks) for (const f of readAssignment(t.assignment).files) known.add(keyOf(f));

  const spec = await openSpec(record.spec, ctx);
  let found: Listing;
  try {
    found = await listNew(spec, storageOf(spec, ctx), known, previous?.pending ?? {});
  } catch (err) {
    const state: ScanState = {
      ...report(started, 0, 0, Object.keys(previous?.pending ?? {}).length),
      error: errorText(err),
      pending: previous?.pending ?? {},
    };
    ctx.log.warn('scan failed', { connector, error: state.error });
    await ctx.store.putOffset(connector, SCAN_OFFSET_KEY, { ...state });
    return withoutPending(state);
  }
  const { listed, fresh, pending } = found;
  const claimed = await claimFiles(record, fresh, ctx);
  const state: ScanState = { ...report(started, listed, claimed, Object.keys(pending).length), pending };
  if (claimed > 0 || state.waiting > 0) ctx.log.info('scanned', { connector, ...withoutPending(state) });
  // A connector deleted meanwhile refuses the write; nothing else to undo.
  await ctx.store.putOffset(connector, SCAN_OFFSET_KEY, { ...state });
  return withoutPending(state);
}

interface Listing {
  listed: number;
  /** Never loaded, and (local files) unchanged since the previous scan: to claim now. */
  fresh: AssignedFile[];
  /** Local files never loaded that changed since the previous scan (or were first seen now): uri → version. */
  pending: Record<string, string>;
}

/**
 * Streams the listing of every URI, keeping only what is not already known: a scan of a prefix whose objects are
 * all loaded holds the known keys and nothing per listed object.
 */
async function listNew(
  spec: FileConnectorSpec,
  storage: ObjectStorage,
  known: Set<string>,
  previous: Record<string, string>,
): Promise<Listing> {
  const out: Listing = { listed: 0, fresh: [], pending: {} };
  for (const uri of spec.uris) {
    try {
      for await (const info of storage.list(uri, { recursive: spec.recursive })) {
        if (!selectsFile(info.name, spec)) continue;
        out.listed++;
        const f = describeFile(info, spec);
        const key = keyOf(f);
        if (known.has(key)) continue;
        known.add(key); // URIs may overlap: a file listed twice is still one file
        // A GCS object is immutable per generation; a local file may be half written until it stops changing.
        if (f.generation === undefined && previous[f.uri] !== versionOf(f)) out.pending[f.uri] = versionOf(f);
        else out.fresh.push(f);
      }
    } catch (err) {
      throw new Error(`cannot list ${uri}: ${errorText(err)}`, { cause: err });
    }
  }
  return out;
}

const report = (started: number, listed: number, claimed: number, waiting: number): ScanReport => ({
  at: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  listed,
  claimed,
  waiting,
});

function withoutPending(state: ScanState): ScanReport {
  const { pending: _pending, ...rest } = state;
  return rest;
}

/**
 * Each file becomes a single-file task whose id derives from (URI, version) — the id a GCS notification of the same
 * object and generation computes — so creating it is the claim, and whoever comes second finds it taken.
 */
async function claimFiles(record: ConnectorRecord, files: AssignedFile[], ctx: FileConnectorContext): Promise<number> {
  let claimed = 0;
  for (const file of files) if (await claimObjectTask(record, file, versionOf(file), ctx)) claimed++;
  return claimed;
}
