// Relative links and #anchors in Markdown, resolved the way GitHub renders them: markdown-it finds the links (so
// code spans and fenced blocks are not mistaken for links) and github-slugger makes the anchors GitHub gives headings.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';
/** markdown-it's own token type (the parse result's), not @types' older copy. */
type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];

const md = new MarkdownIt({ html: true });

/** The anchors GitHub gives a file's headings (repeated titles get -1, -2, ...). */
export function anchorsOf(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const tokens = md.parse(text, {});
  const anchors = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.type !== 'heading_open') return;
    const inline = tokens[i + 1];
    const title = (inline.children ?? [])
      .map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : ''))
      .join('');
    anchors.add(slugger.slug(title));
  });
  return anchors;
}

function hrefsOf(tokens: Token[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.type === 'link_open') out.push(String(t.attrGet('href') ?? ''));
    if (t.type === 'image') out.push(String(t.attrGet('src') ?? ''));
    if (t.children) out.push(...hrefsOf(t.children));
  }
  return out;
}

/** Every link of `file` that does not resolve, as `file: href (reason)`. External links (with a scheme) are skipped. */
export function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const href of hrefsOf(md.parse(text, {}))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
    const [pathPart, anchor] = href.split('#', 2) as [string, string | undefined];
    const target = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    if (!existsSync(target)) {
      broken.push(`${file}: ${href} (no such file)`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(target).isDirectory() || !target.endsWith('.md')) {
      broken.push(`${file}: ${href} (an anchor into a file that is not Markdown)`);
      continue;
    }
    if (!anchorsOf(readFileSync(target, 'utf8')).has(decodeURIComponent(anchor)))
      broken.push(`${file}: ${href} (no heading with that anchor)`);
  }
  return broken;
}
