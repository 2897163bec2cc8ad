// A streaming file connector's last scan as status shows it. The scan (file/file-scanner.ts) is the only writer of
// this offset; status readers (management API, `dsc run`) only read it, so they need none of the file machinery.
import type { ConnectorStore } from './store.js';

/** The offset key of a connector's scan report. */
export const SCAN_OFFSET_KEY = 'dsc.scan';

export interface ScanStatus {
  /** When the scan started (ISO 8601). */
  at: string;
  durationMs: number;
  /** Selected files listed under the connector's URIs. */
  listed: number;
  /** Files this scan found new and claimed (one task each). */
  claimed: number;
  /** Local files seen changing: claimed once their size and modification time hold still for one interval. */
  waiting: number;
  /** Why the listing failed; the scan is tried again at the next interval. */
  error?: string;
}

export async function readScanStatus(store: ConnectorStore, connector: string): Promise<ScanStatus | undefined> {
  const value = (await store.getOffset(connector, SCAN_OFFSET_KEY))?.value;
  if (!value || typeof value.at !== 'string') return undefined;
  const { at, durationMs, listed, claimed, waiting, error } = value as unknown as ScanStatus;
  return { at, durationMs, listed, claimed, waiting, ...(typeof error === 'string' && { error }) };
}
