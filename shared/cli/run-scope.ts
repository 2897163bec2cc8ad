// What `dsc run --c FILE` is responsible for: only FILE's connectors (others in the same state folder are left alone
// and named once, so nothing runs by surprise), and how the run ended, as an exit code a script can branch on.
import type { ConnectorSpec } from '../config/spec.js';
import type { ConnectorStore } from '../lifecycle/store.js';
import { EXIT } from './exit-codes.js';

/** The connectors of the file being run. */
export const runScope = (specs: ConnectorSpec[]): ReadonlySet<string> => new Set(specs.map((s) => s.name));

/** One line naming the state's other connectors, which this run leaves alone; undefined when there are none. */
export async function otherConnectorsNote(
  store: ConnectorStore,
  specs: ConnectorSpec[],
  configFile: string,
): Promise<string | undefined> {
  const mine = runScope(specs);
  const others = (await store.listConnectors()).map((c) => c.name).filter((n) => !mine.has(n));
  if (others.length === 0) return undefined;
  return (
    `dsc run: not running ${others.join(', ')}: only ${configFile}'s connectors run here ` +
    '(run the file that defines the others, or `dsc delete` them)'
  );
}

export type RunEnd = 'finished' | 'failed' | 'paused' | 'stopped';

/**
 * The exit code of a run. A run that only ends by a signal (streaming or mirror connectors) stopped as asked: 0.
 * A mode=eof run stopped by a signal before every connector FINISHED is INTERRUPTED, never 0 like a finished one.
 */
export function runExitCode(end: RunEnd, specs: ConnectorSpec[]): number {
  if (end === 'failed') return EXIT.INVALID;
  const endless = specs.some((s) => s.kind === 'mirror' || (s.kind === 'file' && s.mode !== 'eof'));
  if (end === 'stopped' && !endless) return EXIT.INTERRUPTED;
  return EXIT.OK;
}
