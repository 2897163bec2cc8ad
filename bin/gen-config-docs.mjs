#!/usr/bin/env node
// `npm run docs:config`: writes shared/config/KEYS.md and the README's config tables (between their
// `<!-- config-table:... -->` markers) from the key declarations in shared/config/config-def.ts. Runs the build's dist/.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const { renderKeysMd, renderReadmeTables } = await import('../dist/shared/config/config-docs.js');
const write = (path, text) => {
  const file = new URL(path, root);
  const changed = readFileSync(file, 'utf8') !== text;
  if (changed) writeFileSync(file, text);
  console.log(`${path}: ${changed ? 'written' : 'up to date'}`);
};
write('shared/config/KEYS.md', renderKeysMd());
write('README.md', renderReadmeTables(readFileSync(new URL('README.md', root), 'utf8')));
