// The key declarations (config-def.ts) against the readers: every key a reader asks for is declared, every declared
// key is read, every declared default means what the reader does without the key, and ignored keys stay quiet.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_KEYS,
  SECURITY_PREFIXES,
  declarationOf,
  ignoredKeys,
  usedKeys,
  type ConnectorKind,
} from '../../../shared/config/config-def.js';
import { readFileConnectorSpec } from '../../../shared/config/file-connector-config.js';
import { readMirrorConnectorSpec } from '../../../shared/config/mirror-connector-config.js';
import { SettingReader } from '../../../shared/config/setting-reader.js';
import {
  deadLetterReplicationFactor,
  replaceSettingValues,
  secretSettingKeys,
  sortedSettings,
} from '../../../shared/config/settings-access.js';
import { hasErrors, isSecretKey, parseConnectorConfig, type ConnectorSpec } from '../../../shared/config/index.js';

const FILE_CLASS = 'com.tigergraph.kafka.connect.filesystem.FsSourceConnector';
const MIRROR_CLASS = 'org.apache.kafka.connect.mirror.MirrorSourceConnector';
const HEAD: Record<ConnectorKind, string[]> = {
  file: [`connector.class=${FILE_CLASS}`, 'topic=t', 'file.uris=gs://b/x.csv'],
  mirror: [
    `connector.class=${MIRROR_CLASS}`,
    'source.cluster.bootstrap.servers=127.0.0.1:19092',
    'target.cluster.bootstrap.servers=127.0.0.1:9092',
    'source->target.enabled=true',
  ],
};

/** The keys a kind's reader asks for, given these settings. */
function keysRead(kind: ConnectorKind, settings: Record<string, string>): Set<string> {
  const r = new SettingReader(settings, {}, 's', 1, []);
  r.required('connector.class');
  if (kind === 'file') readFileConnectorSpec(r, FILE_CLASS);
  else readMirrorConnectorSpec(r, MIRROR_CLASS);
  return r.known;
}

const parse = (kind: ConnectorKind, ...lines: string[]) =>
  parseConnectorConfig([...HEAD[kind], '[c]', 'name=c', ...lines].join('\n'));

/** What a spec means, without the raw text it came from. */
const meaning = (spec: ConnectorSpec) => {
  const { settings: _s, origins: _o, ...rest } = spec;
  return { ...rest, deadLetterReplicationFactor: deadLetterReplicationFactor(spec) };
};

describe('config key declarations', () => {
  it.each(['file', 'mirror'] as const)('declare exactly the keys the %s reader reads', (kind) => {
    const read = keysRead(kind, { 'source.cluster.alias': 'hello', 'target.cluster.alias': 'world' });
    const undeclared = [...read].filter((k) => declarationOf(k, kind)?.status !== 'used');
    expect(undeclared).toEqual([]);
    expect(usedKeys(kind).filter((k) => !read.has(k))).toEqual([]);
    if (kind === 'mirror') expect(declarationOf('hello->world.enabled', kind)?.seeRow).toBe('source->target.enabled');
  });

  it.each(['file', 'mirror'] as const)("declare the %s reader's defaults", (kind) => {
    const base = parse(kind);
    expect(base.issues).toEqual([]);
    const defaulted = [...usedKeys(kind), ...SECURITY_PREFIXES[kind].map((p) => `${p}security.protocol`)].filter(
      (k) => declarationOf(k, kind)?.default !== undefined,
    );
    expect(defaulted.length).toBeGreaterThan(kind === 'file' ? 20 : 12);
    for (const key of defaulted) {
      const value = declarationOf(key, kind)!.default!;
      const p = parse(kind, `${key}=${value}`);
      expect(hasErrors(p.issues), `${key}=${value}`).toBe(false);
      expect(meaning(p.specs[0]), `${key}=${value} must mean what an absent ${key} means`).toEqual(
        meaning(base.specs[0]),
      );
    }
  });

  it.each(['file', 'mirror'] as const)('accept the keys a %s connector ignores, without a warning', (kind) => {
    const ignored = ignoredKeys(kind);
    expect(ignored).toContain('errors.log.enable');
    expect(parse(kind, ...ignored.map((k) => `${k}=1`)).issues).toEqual([]);
  });

  it.each(['file', 'mirror'] as const)('declare types the %s reader checks', (kind) => {
    // Read leniently since before it was declared (a bad value means the broker default); kept so.
    const lenient = ['errors.deadletterqueue.topic.replication.factor'];
    const typed = usedKeys(kind).filter((k) => ['int', 'boolean'].includes(declarationOf(k, kind)!.type));
    expect(typed.length).toBeGreaterThan(5);
    const unchecked = typed.filter(
      (key) => !parse(kind, `${key}=maybe`).issues.some((i) => i.severity === 'error' && i.key === key),
    );
    expect(unchecked).toEqual(lenient);
  });

  it('declare the dead-letter replication factor as used, and the readers honour it', () => {
    const key = 'errors.deadletterqueue.topic.replication.factor';
    expect(declarationOf(key, 'file')?.status).toBe('used');
    expect(ignoredKeys('file')).not.toContain(key);
    expect(deadLetterReplicationFactor(parse('file', `${key}=3`).specs[0])).toBe(3);
    expect(deadLetterReplicationFactor(parse('file').specs[0])).toBe(-1);
    expect(deadLetterReplicationFactor({ settings: { [key]: 'x' } })).toBe(-1);
  });

  it.each(['file', 'mirror'] as const)('declare as passwords exactly the %s keys output hides', (kind) => {
    const keys = [...usedKeys(kind), ...ignoredKeys(kind)];
    const passwords = keys.filter((k) => declarationOf(k, kind)!.type === 'password');
    expect(passwords.length).toBeGreaterThan(1);
    expect(keys.filter(isSecretKey)).toEqual(passwords);
  });

  it('declare each key once per connector kind', () => {
    const seen = new Set<string>();
    for (const d of CONFIG_KEYS)
      for (const kind of d.kinds) {
        const id = `${d.group === 'security' ? '<prefix>.' : ''}${d.key} (${kind})`;
        expect(seen.has(id), id).toBe(false);
        seen.add(id);
      }
    for (const d of CONFIG_KEYS.filter((k) => k.seeRow !== undefined))
      expect(
        CONFIG_KEYS.some((k) => k.key === d.seeRow && k.seeRow === undefined),
        d.key,
      ).toBe(true);
  });
});

describe('raw settings', () => {
  it('are reached through the config module', () => {
    const spec = {
      settings: { 'x.password': 'pw', b: 'https://u:secret@h/', a: 'plain', 'sasl.jaas.config': 'j' },
    };
    expect(sortedSettings(spec).map(([k]) => k)).toEqual(['a', 'b', 'sasl.jaas.config', 'x.password']);
    expect(secretSettingKeys(spec)).toEqual(['x.password', 'b', 'sasl.jaas.config']);
    replaceSettingValues(spec, (v) => (v === 'pw' ? 'secret://1' : undefined));
    expect(spec.settings).toEqual({
      'x.password': 'secret://1',
      b: 'https://u:secret@h/',
      a: 'plain',
      'sasl.jaas.config': 'j',
    });
  });

  it('are read only inside shared/config', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const path = join(dir, f);
        return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
      });
    const offenders = [...files('shared'), ...files('functions')]
      .filter((f) => !f.startsWith(join('shared', 'config')))
      .filter((f) => /settings\[/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
