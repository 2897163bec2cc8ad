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

  it('refuses what RE2 cannot match as Java would, with a reason', () => {
    expect(compileJavaRegExp('a++', { whole: true })).toEqual({
      ok: false,
      reason:
        'not a valid regular expression: invalid nested repetition operator: `++`: possessive quantifiers are not ' +
        'supported (matching is linear-time RE2); drop the extra +',
    });
    for (const p of ['(a)\\1', '(?<=a)b', '(?=a)b', '(?>a)b']) {
      const r = compileJavaRegExp(p, { whole: true });
      expect(r.ok ? 'compiled' : r.reason).toMatch(/backreferences, lookaround and atomic groups are not supported/);
    }
    for (const p of ['(?x)a b', '(?U)\\w']) expect(compileJavaRegExp(p).ok).toBe(false);
  });

  it('matches in linear time: (a|aa)+$ against a long name returns at once', () => {
    const m = matcher('(a|aa)+$');
    // Backtracking took 47 s on 47 characters (x1.6 per character); RE2 is linear in the name.
    const started = performance.now();
    expect(m('a'.repeat(5000) + 'b')).toBe(false);
    expect(m('a'.repeat(5000))).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(matcher('(\\w+\\s?)+$')('word '.repeat(200) + '!')).toBe(false);
  });

  it("translates Java's POSIX classes, in and out of brackets, and their negations", () => {
    expect(matcher('\\p{Alpha}+\\.csv')('abc.csv')).toBe(true);
    expect(matcher('\\p{Alpha}+\\.csv')('ab1.csv')).toBe(false);
    expect(matcher('[\\p{Alnum}_]+\\.csv')('a_1.csv')).toBe(true);
    expect(matcher('\\P{Digit}+')('abc')).toBe(true);
    expect(matcher('\\P{Digit}+')('a1c')).toBe(false);
    for (const [cls, yes, no] of [
      ['Digit', '7', 'a'],
      ['Upper', 'A', 'a'],
      ['Lower', 'a', 'A'],
      ['Punct', '!', 'a'],
      ['Space', ' ', 'a'],
      ['XDigit', 'f', 'g'],
    ]) {
      expect([matcher(`\\p{${cls}}`)(yes), matcher(`\\p{${cls}}`)(no)]).toEqual([true, false]);
    }
    expect(matcher('\\p{L}+\\.csv')('été.csv')).toBe(true);
    expect(matcher('\\p{IsLatin}+')('abc')).toBe(true);
  });

  it('refuses a Java class it cannot translate instead of matching nothing', () => {
    for (const p of ['\\p{javaLowerCase}', '\\p{InGreek}', '\\p{Nonsense}']) {
      const r = compileJavaRegExp(p);
      expect(r.ok ? 'compiled' : r.reason).toMatch(/use a POSIX class such as \\p\{Alpha\}/);
    }
  });

  it('refuses Java class syntax RE2 reads differently: unions, intersections, [[:alpha:]]', () => {
    const reason = (p: string) => {
      const r = compileJavaRegExp(p);
      return r.ok ? 'compiled' : r.reason;
    };
    expect(reason('[a[bc]]')).toMatch(/a class inside a class at offset 2/);
    expect(reason('[a-z&&[^e]]')).toMatch(/class intersection \(&&\) at offset 4/);
    expect(reason('[[:alpha:]]+')).toMatch(/plain characters in Java; write \\p\{Alpha\}/);
    expect(matcher('[\\[]a')('[a')).toBe(true); // an escaped bracket is a character
    expect(matcher('a&&b')('a&&b')).toBe(true); // && outside a class is literal in both
  });

  it('calls a trailing backslash a dangling escape', () => {
    expect(compileJavaRegExp('abc\\', { whole: true })).toEqual({
      ok: false,
      reason: 'not a valid regular expression: a dangling \\ at the end: escape it as \\\\ to match a backslash',
    });
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
