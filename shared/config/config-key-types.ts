// The shape of a key declaration (config-def.ts holds the table) and the helper the key lists are written with.
export type ConnectorKind = 'file' | 'mirror';

/** Where a key is documented: docs/configuration.md's tables, one per group. */
export type KeyGroup = 'common' | 'file' | 'mirror' | 'security';

export type KeyType = 'string' | 'boolean' | 'int' | 'list' | 'class' | 'password';

export interface ConfigKeyDef {
  /** The key; in the `security` group the part after the client prefix (`ssl.truststore.location`). */
  key: string;
  group: KeyGroup;
  kinds: readonly ConnectorKind[];
  type: KeyType;
  /** `used`: a reader interprets it. `ignored`: accepted for compatibility with Kafka Connect, without effect. */
  status: 'used' | 'ignored';
  /** The default as it would be written in a config file; the reader parses it like a value that was set. */
  default?: string;
  /** How the docs show the default when it is not just `default` in backticks (`required`, `unset`, ...). */
  shownDefault?: string;
  doc: string;
  /** The docs' key column when it is not just the key (variants, spellings, families of ignored keys). */
  docKey?: string;
  /** Documented in that key's row instead of a row of its own (`topics.blacklist` under `topics.exclude`). */
  seeRow?: string;
  /** Keys built at read time that this row stands for (`<sourceAlias>-><targetAlias>.enabled`). */
  pattern?: RegExp;
}

/** A declaration as the key lists write it: group and kinds come from its list; status defaults to used. */
export type KeyRow = Omit<ConfigKeyDef, 'group' | 'kinds' | 'status'> & Partial<Pick<ConfigKeyDef, 'status'>>;

export const keyRows = (group: KeyGroup, kinds: readonly ConnectorKind[], list: KeyRow[]): ConfigKeyDef[] =>
  list.map((r) => ({ group, kinds, status: 'used', ...r }));
