// `file.regexp` and MirrorMaker's `topics` are Java regular expressions matched with `matches` (the whole string).
// They are matched with RE2 (re2js), whose time is linear in the name: a pattern such as `(a|aa)+$` cannot block the
// process, whatever the name. Java-only spellings RE2 lacks are translated (POSIX classes such as \p{Alpha}, \Z); what
// cannot be matched the way Java would (backreferences, lookaround, possessive quantifiers) is refused with a reason,
// never matched differently.
import { RE2JS } from 're2js';

/** A compiled pattern: `test` is Java's `matches` when compiled `whole`, else `find`. */
export interface JavaPattern {
  test(input: string): boolean;
}

export type JavaRegExpResult = { ok: true; regexp: JavaPattern } | { ok: false; reason: string };

// Java's POSIX classes (US-ASCII, as Java's default) and RE2's bracket names for the same sets.
const POSIX: Record<string, string> = {
  Lower: 'lower',
  Upper: 'upper',
  ASCII: 'ascii',
  Alpha: 'alpha',
  Digit: 'digit',
  Alnum: 'alnum',
  Punct: 'punct',
  Graph: 'graph',
  Print: 'print',
  Blank: 'blank',
  Cntrl: 'cntrl',
  XDigit: 'xdigit',
  Space: 'space',
};

// Java embedded flags RE2 reads the same way; `u` (Unicode case) changes nothing for RE2, which folds Unicode case.
const SAME_FLAGS = new Set(['i', 'm', 's', '-']);

class Refused extends Error {}

/** `\p{Name}` / `\P{Name}` at `i`: the RE2 spelling, inside or outside a bracket class. */
function propertyClass(pattern: string, i: number, inClass: boolean): { text: string; end: number } {
  const negated = pattern[i + 1] === 'P';
  if (pattern[i + 2] !== '{') return { text: pattern.slice(i, i + 3), end: i + 2 }; // \pL: RE2 reads it as Java
  const close = pattern.indexOf('}', i + 3);
  if (close < 0) throw new Refused(`\\${pattern[i + 1]}{ at offset ${i} has no closing }`);
  const name = pattern.slice(i + 3, close);
  const posix = POSIX[name];
  if (posix) {
    const set = `[:${negated ? '^' : ''}${posix}:]`;
    return { text: inClass ? set : `[${set}]`, end: close };
  }
  // Java's \p{IsLatin} / \p{IsL} are RE2's \p{Latin} / \p{L}; a name RE2 does not know is refused below.
  const bare = name.startsWith('Is') ? name.slice(2) : name;
  if (/^(In|java)/.test(name) || bare === 'Alphabetic' || bare === 'Letter') {
    throw new Refused(
      `\\p{${name}} is a Java class with no RE2 equivalent; use a POSIX class such as \\p{Alpha} or a Unicode ` +
        'category such as \\p{L}',
    );
  }
  return { text: `\\${pattern[i + 1]}{${bare}}`, end: close };
}

/** Java's text rewritten for RE2: POSIX classes, `\Z`, and refused flags; everything else is left as written. */
function translate(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[i + 1];
      if (n === 'Q') {
        // RE2 reads \Q...\E too; copy it whole so nothing inside is translated.
        const end = pattern.indexOf('\\E', i + 2);
        out += pattern.slice(i, end < 0 ? undefined : end + 2);
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (n === 'p' || n === 'P') {
        const t = propertyClass(pattern, i, inClass);
        out += t.text;
        i = t.end;
        continue;
      }
      out += !inClass && n === 'Z' ? '\\z' : c + n; // a file or topic name has no final line terminator
      i++;
      continue;
    }
    if (!inClass && c === '(' && pattern[i + 1] === '?') {
      const flags = /^\(\?([a-zA-Z-]+)[:)]/.exec(pattern.slice(i));
      if (flags) {
        const bad = [...flags[1]].filter((f) => !SAME_FLAGS.has(f) && f !== 'u');
        if (bad.length > 0) {
          throw new Refused(`the embedded flag (?${bad.join('')}) is not supported; supported: (?i), (?m), (?s)`);
        }
        const kept = flags[1].replaceAll('u', '');
        const end = i + 2 + flags[1].length; // the ':' or ')' after the flags
        if (kept !== '' && kept !== '-') out += `(?${kept}${pattern[end]}`;
        else if (pattern[end] === ':') out += '(?:'; // `(?u)` alone leaves nothing to write
        i = end;
        continue;
      }
    }
    if (inClass && c === '[') {
      // Java reads a nested class as a union ([a[bc]]) and [[:alpha:]] as the characters ":alph"; RE2 reads both
      // differently. Refused rather than matched differently.
      throw new Refused(
        pattern[i + 1] === ':'
          ? `[: at offset ${i} is a POSIX class in RE2 but plain characters in Java; write \\p{Alpha} and the like`
          : `a class inside a class at offset ${i} (Java's union [a[bc]]) is not supported; list the characters in one class`,
      );
    }
    if (inClass && c === '&' && pattern[i + 1] === '&') {
      throw new Refused(`class intersection (&&) at offset ${i} is not supported; list the characters in one class`);
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return out;
}

/** RE2's parse error as a user-facing reason, with what to do for the Java features RE2 leaves out. */
function reasonOf(message: string): string {
  const m = message.replace(/^error parsing regexp: /, '');
  if (m.startsWith('trailing backslash')) return 'a dangling \\ at the end: escape it as \\\\ to match a backslash';
  if (/invalid escape sequence: `\\\d/.test(m) || /invalid named capture: `\(\?<[=!]/.test(m) || /`\(\?[=!>]/.test(m))
    return `${m}: backreferences, lookaround and atomic groups are not supported (matching is linear-time RE2)`;
  if (/nested repetition operator: `[+*?]\+`/.test(m))
    return `${m}: possessive quantifiers are not supported (matching is linear-time RE2); drop the extra +`;
  if (/invalid character class range: `\\[pP]/.test(m))
    return `${m}: not a class RE2 knows; use a POSIX class such as \\p{Alpha} or a Unicode category such as \\p{L}`;
  return m;
}

/** Compiles a Java regular expression. `whole` matches the whole string, as Java's `String.matches`. */
export function compileJavaRegExp(pattern: string, options: { whole?: boolean } = {}): JavaRegExpResult {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(translate(pattern));
  } catch (e) {
    const reason = e instanceof Refused ? e.message : reasonOf((e as Error).message);
    return { ok: false, reason: `not a valid regular expression: ${reason}` };
  }
  return {
    ok: true,
    regexp: options.whole ? { test: (s) => compiled.matches(s) } : { test: (s) => compiled.test(s) },
  };
}
