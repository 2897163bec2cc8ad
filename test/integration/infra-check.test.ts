// `npm run infra:check` must be able to fail: two copies of infra/, each with one mistake only the real provider
// schema knows about (a misspelled argument, a reference to an attribute Google's resource does not have), must each
// fail `tofu validate` with a diagnostic naming the file and line. checkov passes both, so the failure is the
// schema check's.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const temp = mkdtempSync(join(tmpdir(), 'dsc-infra-check-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A copy of infra/ with `from` replaced by `to` in `file` (exactly once); returns the directory and the line. */
function brokenCopy(name: string, file: string, from: string, to: string): { dir: string; line: number } {
  const dir = join(temp, name);
  cpSync(join(repo, 'infra'), dir, { recursive: true, filter: (src) => !/[/\\]\.(terraform|build)\b/.test(src) });
  const text = readFileSync(join(dir, file), 'utf8');
  const at = text.indexOf(from);
  expect(at, `${from} in infra/${file}`).toBeGreaterThanOrEqual(0);
  expect(text.indexOf(from, at + 1), `${from} occurs once in infra/${file}`).toBe(-1);
  writeFileSync(join(dir, file), text.slice(0, at) + to + text.slice(at + from.length));
  return { dir, line: text.slice(0, at).split('\n').length };
}

function infraCheck(dir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'infra:check'],
      { cwd: repo, env: { ...process.env, DSC_INFRA_DIR: dir }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

// First run on a fresh machine builds OpenTofu (~6 min); .ci/run runs infra:check before the tests, so it is cached.
const TIMEOUT = 15 * 60_000;

describe('npm run infra:check on broken copies of infra/', () => {
  it(
    'fails on a misspelled argument, naming the file and line',
    async () => {
      const { dir, line } = brokenCopy(
        'misspelled',
        'service-accounts.tf',
        'display_name = "dsc planner"',
        'display_nme = "dsc planner"',
      );
      const { code, output } = await infraCheck(dir);
      expect(code).not.toBe(0);
      expect(output).toContain('Failed checks: 0'); // checkov cannot see it
      expect(output).toContain('Unsupported argument');
      expect(output).toContain(`on service-accounts.tf line ${line}`);
      expect(output).toContain('"display_nme" is not expected here');
    },
    TIMEOUT,
  );

  it(
    'fails on a reference to an attribute google_service_account does not have, naming the file and line',
    async () => {
      const { dir, line } = brokenCopy(
        'no-such-attribute',
        'notify.tf',
        'member  = google_service_account.events.member',
        'member  = google_service_account.events.iam_member',
      );
      const { code, output } = await infraCheck(dir);
      expect(code).not.toBe(0);
      expect(output).toContain('Failed checks: 0');
      expect(output).toContain('Unsupported attribute');
      expect(output).toContain(`on notify.tf line ${line}`);
      expect(output).toContain('"iam_member"');
    },
    TIMEOUT,
  );
});
