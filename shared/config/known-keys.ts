// Keys accepted without effect, and the unknown-key check with its "did you mean" hint. The keys a connector kind
// understands are the ones its reader asked for (SettingReader.known); these lists add those dsc accepts and ignores.
import { closest, distance } from 'fastest-levenshtein';
import type { ConfigIssue } from './spec.js';
import type { SettingReader } from './setting-reader.js';

/** Kafka Connect error-reporting keys dsc has no use for (it logs structured JSON and retries by itself). */
const IGNORED_ANY = [
  'errors.log.enable',
  'errors.log.include.messages',
  'errors.retry.timeout',
  'errors.retry.delay.max.ms',
  'errors.deadletterqueue.topic.replication.factor',
];

/** Hadoop settings of TigerGraph's GCS connector: the GCS client needs none of them. */
const IGNORED_FILE = [
  'file.reader.settings.fs.gs.impl',
  'file.reader.settings.fs.AbstractFileSystem.gs.impl',
  'file.reader.settings.fs.gs.auth.service.account.enable',
];

/**
 * MirrorMaker 2 internals (its own topics, ACL/config/offset syncing, heartbeats, checkpoints, rebalancing) that the
 * seed sets and dsc does not reproduce. Also accepted after a cluster alias (`world.scheduled.rebalance.max.delay.ms`).
 */
const IGNORED_MIRROR = [
  'sync.topic.acls.enabled',
  'sync.topic.acls.interval.seconds',
  'sync.topic.configs.enabled',
  'sync.topic.configs.interval.seconds',
  'checkpoints.topic.replication.factor',
  'heartbeats.topic.replication.factor',
  'offset-syncs.topic.replication.factor',
  'offset-syncs.topic.location',
  'offset.storage.replication.factor',
  'status.storage.replication.factor',
  'config.storage.replication.factor',
  'offset.storage.topic',
  'status.storage.topic',
  'config.storage.topic',
  'emit.heartbeats.enabled',
  'emit.heartbeats.interval.seconds',
  'emit.checkpoints.enabled',
  'emit.checkpoints.interval.seconds',
  'sync.group.offsets.enabled',
  'sync.group.offsets.interval.seconds',
  'refresh.groups.enabled',
  'refresh.groups.interval.seconds',
  'refresh.topics.enabled',
  'groups',
  'groups.exclude',
  'groups.blacklist',
  'config.properties.exclude',
  'config.properties.blacklist',
  'offset.lag.max',
  'scheduled.rebalance.max.delay.ms',
  'key.converter.schemas.enable',
  'value.converter.schemas.enable',
];

export type ConnectorKind = 'file' | 'mirror';

export function ignoredKeys(kind: ConnectorKind): string[] {
  return [...IGNORED_ANY, ...(kind === 'file' ? IGNORED_FILE : IGNORED_MIRROR)];
}

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
  const ignored = new Set(ignoredKeys(kind));
  const isIgnored = (key: string) =>
    ignored.has(key) || aliases.some((a) => key.startsWith(`${a}.`) && ignored.has(key.slice(a.length + 1)));
  const candidates = [...r.known, ...ignored];
  for (const key of Object.keys(r.settings)) {
    if (r.known.has(key) || isIgnored(key)) continue;
    const hint = suggestKey(key, candidates);
    issues.push({
      severity: 'warning',
      key,
      ...r.at(key),
      message: `unknown key for a ${kind} connector, ignored${hint ? `; did you mean ${hint}?` : ''}`,
    });
  }
}
