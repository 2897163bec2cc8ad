// The unknown-key check with its "did you mean" hint. What a connector kind reads and what it accepts and ignores
// are both declared in config-def.ts; the reader adds the keys it builds at read time (`hello->world.enabled`).
import { closest, distance } from 'fastest-levenshtein';
import { ignoredKeys, usedKeys, type ConnectorKind } from './config-def.js';
import type { ConfigIssue } from './spec.js';
import type { SettingReader } from './setting-reader.js';

/** A close known key, if one is close enough to be a likely typo. */
export function suggestKey(key: string, candidates: string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(key, candidates);
  const d = distance(key, best);
  return d <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

/** Warns about every setting the connector kind neither reads nor knowingly ignores. */
export function reportUnknownKeys(
  r: SettingReader,
  kind: ConnectorKind,
  issues: ConfigIssue[],
  aliases: string[] = [],
): void {
  const known = new Set([...usedKeys(kind), ...r.known]);
  const ignored = new Set(ignoredKeys(kind));
  const isIgnored = (key: string) =>
    ignored.has(key) || aliases.some((a) => key.startsWith(`${a}.`) && ignored.has(key.slice(a.length + 1)));
  const candidates = [...known, ...ignored];
  for (const key of Object.keys(r.settings)) {
    if (known.has(key) || isIgnored(key)) continue;
    const hint = suggestKey(key, candidates);
    issues.push({
      severity: 'warning',
      key,
      ...r.at(key),
      message: `unknown key for a ${kind} connector, ignored${hint ? `; did you mean ${hint}?` : ''}`,
    });
  }
}
