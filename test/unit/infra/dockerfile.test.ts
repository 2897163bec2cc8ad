import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDockerfile } from './dockerfile-check.js';
import { DOCKERFILE, FIXTURES, ROOT } from './paths.js';

// The real build (tsconfig.json) into a scratch folder: what `npm run build` puts in dist/.
let outDir = '';
beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'dsc-build-'));
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--outDir', outDir],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
  } catch {
    // Type errors elsewhere still emit JavaScript (noEmitOnError is off); the checks below look at what was emitted.
  }
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the mirror Dockerfile runs the build output of functions/mirror.ts', () => {
  it('Dockerfile at the repository root runs dist/functions/mirror.js with package.json beside it', () => {
    expect(checkDockerfile(DOCKERFILE, outDir)).toEqual([]);
  });

  it('accepts a correct Dockerfile (ENTRYPOINT + CMD form)', () => {
    expect(checkDockerfile(join(FIXTURES, 'Dockerfile.good'), outDir)).toEqual([]);
  });

  it('reports a CMD that runs a file the build does not produce', () => {
    const reasons = checkDockerfile(join(FIXTURES, 'Dockerfile.wrong-entry'), outDir).map((p) => p.reason);
    expect(reasons).toContain(
      'runs dist/functions/mirrror.js, but functions/mirror.ts compiles to dist/functions/mirror.js',
    );
    expect(reasons.some((r) => r.startsWith('dist/functions/mirrror.js is not produced by the build'))).toBe(true);
  });

  it('reports an image without package.json, where Node would load the ES modules as CommonJS', () => {
    const reasons = checkDockerfile(join(FIXTURES, 'Dockerfile.no-package-json'), outDir).map((p) => p.reason);
    expect(reasons).toEqual(['no COPY puts package.json into /app: Node would load dist/*.js as CommonJS']);
  });
});
