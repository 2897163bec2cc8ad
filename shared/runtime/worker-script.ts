// Worker threads run compiled JavaScript: a worker script is the `.js` file beside the module that starts it. Under a
// test runner the sources are TypeScript and there is none: the caller then does the work on its own thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The path of worker script `name` (e.g. './conversion-worker.js') beside module `base` (its import.meta.url), if it exists. */
export function workerScript(name: string, base: string): string | undefined {
  const script = fileURLToPath(new URL(name, base));
  return existsSync(script) ? script : undefined;
}
