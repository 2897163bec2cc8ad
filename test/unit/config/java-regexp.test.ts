import { describe, expect, it } from 'vitest';
import { compileJavaRegExp, parseJaasConfig } from '../../../shared/config/index.js';

const matcher = (pattern: string) => {
  const r = compileJavaRegExp(pattern, { whole: true });
  if (!r.ok) throw new Error(r.reason);
  return (s: string) => r.regexp.test(s);
};

describe('compileJavaRegExp', () => {
  it('matches the whole name, as Java matches()', () => {
    const m = matcher('.*\\.csv');
    expect([m('a.csv'), m('a.csv.gz'), m('dir/a.csv')]).toEqual([true, false, true]);
    const partial = compileJavaRegExp('csv');
    expect(partial.ok && partial.regexp.test('a.csv')).toBe(true);
  });

  it('translates (?i), \\A/\\z and \\Q...\\E', () => {
    expect(matcher('(?i)person_.*\\.CSV')('Person_1.csv')).toBe(true);
    expect(matcher('\\Aa.b\\z')('a-b')).toBe(true);
    expect(matcher('\\Qa.b\\E')('a-b')).toBe(false);
    expect(matcher('\\Qa.b\\E')('a.b')).toBe(true);
  });

  it('refuses invalid and catastrophic patterns with a reason', () => {
    expect(compileJavaRegExp('a++', { whole: true })).toEqual({
      ok: false,
      reason: 'not a valid regular expression: Nothing to repeat',
    });
    const slow = compileJavaRegExp('(\\w+\\s?)+$');
    expect(slow.ok).toBe(false);
  });
});

describe('parseJaasConfig', () => {
  it('reads the login module, flag and quoted or bare options', () => {
    expect(
      parseJaasConfig(
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="a b" password="p\\"q" debug=true;',
      ),
    ).toEqual({
      ok: true,
      config: {
        loginModule: 'org.apache.kafka.common.security.plain.PlainLoginModule',
        controlFlag: 'required',
        options: { username: 'a b', password: 'p"q', debug: 'true' },
      },
    });
  });

  it('refuses text it cannot read without quoting it', () => {
    const r = parseJaasConfig('Module required user name=secret-xyz');
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('secret-xyz');
    expect(parseJaasConfig('just-a-password').ok).toBe(false);
  });
});
