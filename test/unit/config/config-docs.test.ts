// KEYS.md and the README's config tables are generated from the key declarations; this fails when they are stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  KEY_GROUPS,
  renderKeyTable,
  renderKeysMd,
  renderReadmeTables,
  tableMarkers,
} from '../../../shared/config/config-docs.js';
import { CONFIG_KEYS } from '../../../shared/config/config-def.js';

const STALE = 'is stale: run `npm run docs:config` (it writes KEYS.md and the README tables from config-def.ts)';

describe('generated config docs', () => {
  it('KEYS.md is what the declarations render', () => {
    expect(readFileSync('shared/config/KEYS.md', 'utf8'), `shared/config/KEYS.md ${STALE}`).toBe(renderKeysMd());
  });

  it("the README's config tables are what the declarations render", () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const group of KEY_GROUPS) expect(readme).toContain(tableMarkers(group).begin);
    expect(readme, `README.md's config tables ${STALE}`).toBe(renderReadmeTables(readme));
  });

  it('notices a table edited by hand and puts it back', () => {
    const readme = readFileSync('README.md', 'utf8');
    const edited = readme.replace('| `tasks.max` | `1` |', '| `tasks.max` | `2` |');
    expect(edited).not.toBe(readme);
    expect(renderReadmeTables(edited)).toBe(readme);
    expect(() => renderReadmeTables('no markers')).toThrow(/config-table:common BEGIN/);
  });

  it('documents every declared key that has a row of its own', () => {
    const tables = KEY_GROUPS.map(renderKeyTable).join('\n');
    for (const d of CONFIG_KEYS.filter((k) => k.seeRow === undefined && k.docKey === undefined))
      expect(tables, d.key).toContain(`${d.key}\``);
    expect(renderKeyTable('common')).toContain(
      '| `errors.deadletterqueue.topic.replication.factor` | `-1` | Replication factor of the dead-letter topic',
    );
  });
});
