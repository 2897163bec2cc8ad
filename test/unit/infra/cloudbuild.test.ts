import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCloudBuild } from './cloudbuild-check.js';
import { CLOUDBUILD, FIXTURES } from './paths.js';

describe('cloudbuild.yaml', () => {
  it('is valid YAML matching the build config schema, with the whole pipeline and no secret', () => {
    expect(checkCloudBuild(readFileSync(CLOUDBUILD, 'utf8'))).toEqual([]);
  });

  it('reports duplicate ids, dangling waitFor, a step without builder, bad substitutions and a plaintext password', () => {
    const text = readFileSync(join(FIXTURES, 'cloudbuild-broken.yaml'), 'utf8');
    const reasons = checkCloudBuild(text, 'cloudbuild-broken.yaml').map((p) => `${p.where}: ${p.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'steps[1] (install): duplicate id install',
        'steps[2] (deploy): step has no builder name',
        'steps[2] (deploy): waitFor tests names no earlier step id',
        'substitutions.REGION: user substitutions must start with _',
        '$_REGION: substitution _REGION is neither declared nor built in',
        'line 13: looks like a plaintext credential',
        'steps: no docker push step',
      ]),
    );
  });

  it('reports YAML syntax errors with their line', () => {
    const reasons = checkCloudBuild('steps:\n  - name: node:22\n   args: [oops\n');
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons[0].where).toMatch(/^line \d+$/);
  });
});
