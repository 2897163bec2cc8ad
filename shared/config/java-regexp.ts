// `file.regexp` and MirrorMaker's `topics` are Java regular expressions matched with `matches` (the whole string).
// This compiles them for JavaScript: the common Java-only spellings are translated, and a pattern that could
// backtrack catastrophically is refused, since it runs against every object name of a bucket.
import safeRegex from 'safe-regex2';

export type JavaRegExpResult = { ok: true; regexp: RegExp } | { ok: false; reason: string };

// Java embedded flags at the start, `(?i)` and friends; the JS equivalents are RegExp flags.
const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;
const FLAG_MAP: Record<string, string> = { i: 'i', m: 'm', s: 's', u: '' };

/** Java's `\A`, `\z`, `\Z` and `\Q...\E` rewritten for JS; other text is left as written. */
function translateBody(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[i + 1];
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const literal = pattern.slice(i + 2, end < 0 ? undefined : end);
        out += literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (!inClass && n === 'A') out += '^';
      else if (!inClass && (n === 'z' || n === 'Z')) out += '$';
      else out += c + n;
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return out;
}

/**
 * Compiles a Java regular expression for JavaScript. `whole` anchors it at both ends, as Java's `String.matches`.
 * Safety is checked with safe-regex2 (star height > 1, i.e. nested quantifiers such as `(a+)+`); that check is a
 * heuristic: it misses some slow alternations (`(a|a)*`) and refuses lookbehind, which it cannot analyse.
 */
export function compileJavaRegExp(pattern: string, options: { whole?: boolean } = {}): JavaRegExpResult {
  let body = pattern;
  let flags = '';
  const lead = LEADING_FLAGS.exec(body);
  if (lead) {
    for (const f of lead[1]) {
      if (!(f in FLAG_MAP)) {
        return {
          ok: false,
          reason: `the embedded flag (?${f}) has no JavaScript equivalent; supported: (?i), (?m), (?s)`,
        };
      }
      if (!flags.includes(FLAG_MAP[f])) flags += FLAG_MAP[f];
    }
    body = body.slice(lead[0].length);
  }
  const source = options.whole ? `^(?:${translateBody(body)})$` : translateBody(body);
  let regexp: RegExp;
  try {
    regexp = new RegExp(source, flags);
  } catch (e) {
    // V8's message repeats the pattern; keep only the reason after it.
    const reason = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return { ok: false, reason: `not a valid regular expression: ${reason}` };
  }
  if (!safeRegex(source)) {
    return {
      ok: false,
      reason:
        'could backtrack catastrophically (a quantifier inside a quantified group, such as (a+)+, or syntax the ' +
        'safety check cannot analyse, such as lookbehind); rewrite it without nested repetition',
    };
  }
  return { ok: true, regexp };
}
