#!/usr/bin/env node
// The CLI is compiled TypeScript; `npm run build` makes dist/.
import('../dist/shared/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => process.exit(code ?? 0),
  (err) => {
    console.error(`dsc: ${err && err.message ? err.message : err}`);
    process.exit(2);
  },
);
