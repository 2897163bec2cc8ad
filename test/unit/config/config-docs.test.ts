// docs/configuration.md's key tables are generated from the key declarations; this fails when they are stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEY_GROUPS, renderConfigTables, renderKeyTable, tableMarkers } from '../../../shared/config/config-docs.js';
import { CONFIG_KEYS } from '../../../shared/config/config-def.js';

const PAGE = 'docs/configuration.md';
const STALE = 'is stale: run `npm run docs:config` (it writes the tables of docs/configuration.md from config-def.ts)';

describe('generated config docs', () => {
  it("docs/configuration.md's tables are what the declarations render", () => {
    const page = readFileSync(PAGE, 'utf8');
    for (const group of KEY_GROUPS) expect(page).toContain(tableMarkers(group).begin);
    expect(page, `${PAGE}'s config tables ${STALE}`).toBe(renderConfigTables(page));
  });

  it('the tables live in docs/configuration.md only', () => {
    expect(readFileSync('README.md', 'utf8')).not.toContain('config-table:');
  });

  it('notices a table edited by hand and puts it back', () => {
    const page = readFileSync(PAGE, 'utf8');
    const edited = page.replace('| `tasks.max` | `1` |', '| `tasks.max` | `2` |');
    expect(edited).not.toBe(page);
    expect(renderConfigTables(edited)).toBe(page);
    expect(() => renderConfigTables('no markers')).toThrow(/config-table:common BEGIN/);
  });

  it('documents every declared key that has a row of its own', () => {
    const tables = KEY_GROUPS.map(renderKeyTable).join('\n');
    for (const d of CONFIG_KEYS.filter((k) => k.seeRow === undefined && k.docKey === undefined))
      expect(tables, d.key).toContain(`${d.key}\``);
    expect(renderKeyTable('common')).toContain(
      '| `errors.deadletterqueue.topic.replication.factor` | `-1` | Replication factor of the dead-letter topic',
    );
  });

  it('points links to sections at the docs/ page that holds them', () => {
    const tables = KEY_GROUPS.map(renderKeyTable).join('\n');
    expect(tables).toContain('](delivery.md#delivery-and-state)');
    expect(tables).toContain('](architecture.md#records)');
    expect(tables).not.toMatch(/\]\(#/);
  });
});
