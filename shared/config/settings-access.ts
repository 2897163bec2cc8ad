// Reads of a spec's raw settings for code outside config/: what a key means stays next to its declaration, so no
// other module indexes `settings[...]` itself.
import { declaredInt } from './config-def.js';
import { hasUrlCredentials, isSecretKey } from './secrets.js';

type WithSettings = { settings: Record<string, string> };

const DLQ_REPLICATION_FACTOR = 'errors.deadletterqueue.topic.replication.factor';

/**
 * `errors.deadletterqueue.topic.replication.factor` for the dead-letter topic a file connector creates. Read from the
 * settings rather than a typed field so that specs stored before it was declared keep their value; a value that is
 * not an integer means the broker's default (-1).
 */
export function deadLetterReplicationFactor(spec: WithSettings): number {
  const fallback = declaredInt(DLQ_REPLICATION_FACTOR);
  const rf = Number(spec.settings[DLQ_REPLICATION_FACTOR] ?? fallback);
  return Number.isInteger(rf) ? rf : fallback;
}

/** The settings as `[key, value]` pairs sorted by key, the way `dsc list NAME` prints them. */
export function sortedSettings(spec: WithSettings): [string, string][] {
  return Object.keys(spec.settings)
    .sort()
    .map((k) => [k, spec.settings[k]]);
}

/** The settings whose values are secrets: a secret key, or a URL carrying `user:password@` whatever its key. */
export function secretSettingKeys(spec: WithSettings): string[] {
  return Object.keys(spec.settings).filter((k) => isSecretKey(k) || hasUrlCredentials(spec.settings[k]));
}

/** Replaces, in place, every setting value for which `replacement` returns a string. */
export function replaceSettingValues(spec: WithSettings, replacement: (value: string) => string | undefined): void {
  for (const [k, v] of Object.entries(spec.settings)) {
    const next = replacement(v);
    if (next !== undefined) spec.settings[k] = next;
  }
}
