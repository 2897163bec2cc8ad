#!/usr/bin/env node
// `npm run docs:config`: writes the config key tables of docs/configuration.md (between their
// `<!-- config-table:... -->` markers) from the key declarations in shared/config/config-def.ts. Runs the build's dist/.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../docs/configuration.md', import.meta.url);
const { renderConfigTables } = await import('../dist/shared/config/config-docs.js');
const before = readFileSync(file, 'utf8');
const after = renderConfigTables(before);
if (after !== before) writeFileSync(file, after);
console.log(`docs/configuration.md: ${after !== before ? 'written' : 'up to date'}`);
