// Every relative link and #anchor in README.md and docs/*.md resolves, so moving a section cannot strand a link.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anchorsOf, brokenLinks } from './markdown-links.js';

const documents = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe('documentation links', () => {
  it.each(documents)('%s: every relative link and anchor resolves', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('reports a missing file, a missing anchor and a missing anchor in another file', () => {
    expect(brokenLinks('test/fixtures/docs/broken.md')).toEqual([
      'test/fixtures/docs/broken.md: no-such-file.md (no such file)',
      'test/fixtures/docs/broken.md: #no-such-heading (no heading with that anchor)',
      'test/fixtures/docs/broken.md: ../../../docs/configuration.md#no-such-heading (no heading with that anchor)',
    ]);
  });

  it('accepts what GitHub accepts: its heading anchors, code in titles, repeated titles, links in code ignored', () => {
    expect(brokenLinks('test/fixtures/docs/good.md')).toEqual([]);
    expect(anchorsOf('# A `b` c\n\n## A `b` c\n')).toEqual(new Set(['a-b-c', 'a-b-c-1']));
  });
});
