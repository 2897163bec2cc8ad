// The declaration of every config key, in the spirit of Kafka's ConfigDef: one row per key (or key family) with the
// connector kinds it applies to, its type, default, documentation and whether dsc uses it or accepts and ignores it.
// The unknown-key check, its "did you mean", the readers' defaults, and docs/configuration.md's tables all come from it.
import { COMMON_KEYS, FILE_KEYS } from './config-keys-file.js';
import { MIRROR_KEYS, SECURITY_KEYS } from './config-keys-mirror.js';
import type { ConfigKeyDef, ConnectorKind } from './config-key-types.js';

export type { ConfigKeyDef, ConnectorKind, KeyGroup, KeyType } from './config-key-types.js';

/** Client prefixes the security keys are read under, per connector kind. */
export const SECURITY_PREFIXES: Record<ConnectorKind, readonly string[]> = {
  file: ['producer.'],
  mirror: ['consumer.', 'source.admin.', 'producer.'],
};

/** Every declaration, in documentation order. */
export const CONFIG_KEYS: readonly ConfigKeyDef[] = [...COMMON_KEYS, ...FILE_KEYS, ...MIRROR_KEYS, ...SECURITY_KEYS];

/** The security keys read under each client prefix (`producer.`, `consumer.`, `source.admin.`), without it. */
export const SECURITY_KEY_SUFFIXES: readonly string[] = SECURITY_KEYS.map((d) => d.key);

const appliesTo = (kind: ConnectorKind) => (d: ConfigKeyDef) => d.kinds.includes(kind);

/** The full keys a kind declares with `status`, security keys expanded under the kind's prefixes. */
function keysOf(kind: ConnectorKind, status: ConfigKeyDef['status']): string[] {
  const defs = CONFIG_KEYS.filter((d) => appliesTo(kind)(d) && d.status === status && d.pattern === undefined);
  return [
    ...defs.filter((d) => d.group !== 'security').map((d) => d.key),
    ...SECURITY_PREFIXES[kind].flatMap((p) => defs.filter((d) => d.group === 'security').map((d) => `${p}${d.key}`)),
  ];
}

/** The keys a connector kind reads. */
export const usedKeys = (kind: ConnectorKind): string[] => keysOf(kind, 'used');

/** The keys a connector kind accepts without effect. */
export const ignoredKeys = (kind: ConnectorKind): string[] => keysOf(kind, 'ignored');

/** The declaration of a full key for a kind (security keys under any of the kind's prefixes, patterns matched). */
export function declarationOf(key: string, kind: ConnectorKind): ConfigKeyDef | undefined {
  const defs = CONFIG_KEYS.filter(appliesTo(kind));
  const prefix = SECURITY_PREFIXES[kind].find((p) => key.startsWith(p));
  const suffix = prefix === undefined ? undefined : key.slice(prefix.length);
  return (
    defs.find((d) => d.group !== 'security' && d.key === key) ??
    defs.find((d) => d.group === 'security' && d.key === suffix) ??
    defs.find((d) => d.pattern?.test(key))
  );
}

/**
 * The declared default of a key, as config text. Throws for a key declared without one: a reader that asks for it
 * must say what an absent key means itself.
 */
export function declaredDefault(key: string): string {
  const suffix = SECURITY_PREFIXES.mirror.reduce((k, p) => (k.startsWith(p) ? k.slice(p.length) : k), key);
  const def = CONFIG_KEYS.find(
    (d) => d.default !== undefined && (d.group === 'security' ? d.key === suffix : d.key === key),
  );
  if (def?.default === undefined) throw new Error(`config key ${key} has no declared default`);
  return def.default;
}

/** A comma-separated value as the readers split it: items trimmed, empty items dropped. */
export const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export const declaredInt = (key: string): number => Number(declaredDefault(key));
export const declaredBool = (key: string): boolean => declaredDefault(key) === 'true';
export const declaredList = (key: string): string[] => splitList(declaredDefault(key));
