import { describe, expect, it } from 'vitest';
import { formatForName, matchesFileRegexp } from '../../../shared/file/file-format.js';

describe('formatForName', () => {
  it('finds JSON lines by extension, case-insensitive, under archive extensions', () => {
    expect(formatForName('a/b/x.json')).toBe('jsonl');
    expect(formatForName('x.JSONL')).toBe('jsonl');
    expect(formatForName('x.ndjson.gz')).toBe('jsonl');
    expect(formatForName('x.json.tar.gz')).toBe('jsonl');
    expect(formatForName('x.csv.gz')).toBe('delimited');
    expect(formatForName('x.json.csv')).toBe('delimited');
    expect(formatForName('json')).toBe('delimited');
  });
});

describe('matchesFileRegexp', () => {
  it('matches the whole base name, as Java String.matches', () => {
    expect(matchesFileRegexp('dir/sub/data.csv', '.*\\.csv')).toBe(true);
    expect(matchesFileRegexp('dir/sub/data.csv', 'data')).toBe(false);
    expect(matchesFileRegexp('dir/data.csv', 'dir/.*')).toBe(false);
    expect(matchesFileRegexp('p.csv', 'p\\.csv|f\\.csv')).toBe(true);
    expect(matchesFileRegexp('xp.csv', 'p\\.csv|f\\.csv')).toBe(false);
  });
  it('names file.regexp when the expression is not usable', () => {
    expect(() => matchesFileRegexp('a', '(')).toThrow(/file\.regexp/);
  });
});
