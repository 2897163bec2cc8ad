// The config-file syntax: `key=value` lines, `[section]` headers, `#`/`!` comments, double-quoted values that may
// span lines. Produces entries with line numbers; meaning (merging, typing, validation) lives in connector-config.ts.
import type { ConfigIssue } from './spec.js';
import { isSecretKey, redactText } from './secrets.js';

export interface ConfigEntry {
  /** Trimmed, with `→` spelled `->` (the seed prints `source→target.enabled`). */
  key: string;
  /** Quotes removed and escapes resolved (see `unquote`/`unescapeUnquoted`). */
  value: string;
  /** 1-based line of the key (a quoted value may continue on later lines). */
  line: number;
}

export interface ConfigSection {
  title: string;
  line: number;
  entries: ConfigEntry[];
}

export interface ConfigDocument {
  globals: ConfigEntry[];
  sections: ConfigSection[];
}

// Keys are dotted words (`file.reader.text.eol`, `source->target.enabled`, `client_email`). Anything else on the
// left of `=` is more likely a stray line (for instance the base64 body of an unquoted private key).
const KEY_SHAPE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:->[A-Za-z0-9_.-]+)?$/;
const DOTLESS_KEYS = new Set(['name', 'topic', 'topics', 'mode', 'groups', 'clusters']);

const QUOTED_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"' };

/** An unquoted value: `\"` → `"` and `\\` → `\`; other backslashes stay (the seed's `keyTab=\"/path\"`). */
export function unescapeUnquoted(raw: string): string {
  return raw.replace(/\\(["\\])/g, '$1');
}

/**
 * Resolves `\n`, `\r`, `\t` and `\\` in a value that names characters (`file.reader.text.eol="\\n"` reads as the two
 * characters `\n` and means a newline).
 */
export function interpretControlEscapes(value: string): string {
  return value.replace(/\\([nrt\\])/g, (_m, c: string) => QUOTED_ESCAPES[c]);
}

/** A short, secret-free rendering of a line of the file for an error message. */
function quoteLine(text: string): string {
  const t = redactText(text.trim());
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t);
}

export function parseConfigSyntax(text: string, issues: ConfigIssue[]): ConfigDocument {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const doc: ConfigDocument = { globals: [], sections: [] };
  let current: ConfigSection | null = null;
  // Set after an unquoted secret value: lines that follow and are not keys are probably the rest of the secret,
  // so they are reported without echoing their text.
  let secretContinuation: ConfigEntry | null = null;

  const add = (issue: Omit<ConfigIssue, 'section'>) => issues.push({ ...issue, section: current?.title ?? null });
  const continuationError = (line: number, of: ConfigEntry) =>
    add({
      severity: 'error',
      key: of.key,
      line,
      message:
        `line ${line} looks like the rest of the value of ${of.key} (line ${of.line}); ` +
        'a value that spans several lines must be in double quotes',
    });

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) {
      secretContinuation = null;
      continue;
    }
    if (trimmed.startsWith('[')) {
      secretContinuation = null;
      const m = /^\[(.*)\]$/.exec(trimmed);
      const title = m?.[1].trim() ?? '';
      if (!m || title === '') {
        add({ severity: 'error', line: lineNo, message: `bad section header ${quoteLine(trimmed)}: expected [title]` });
        continue;
      }
      current = { title, line: lineNo, entries: [] };
      doc.sections.push(current);
      continue;
    }
    const eq = line.indexOf('=');
    const key = eq < 0 ? '' : line.slice(0, eq).trim().replace(/→/g, '->');
    const plausible = KEY_SHAPE.test(key) && (key.includes('.') || DOTLESS_KEYS.has(key) || !secretContinuation);
    if (!plausible) {
      if (secretContinuation) continuationError(lineNo, secretContinuation);
      else if (eq < 0)
        add({
          severity: 'error',
          line: lineNo,
          message: `line ${lineNo} is not key=value, a [section] or a # comment: ${quoteLine(trimmed)}`,
        });
      else add({ severity: 'error', line: lineNo, message: `${quoteLine(key)} is not a valid key name` });
      continue;
    }
    secretContinuation = null;
    const rest = line.slice(eq + 1).replace(/^\s+/, '');
    if (!rest.startsWith('"')) {
      const entry = { key, value: unescapeUnquoted(rest.trimEnd()), line: lineNo };
      (current?.entries ?? doc.globals).push(entry);
      if (isSecretKey(key)) secretContinuation = entry;
      continue;
    }
    // A quoted value: read until the closing quote, across physical lines (kept as newlines).
    let value = '';
    let physical = rest;
    let pos = 1;
    let endLine = i;
    let closed = false;
    let trailing = '';
    for (;;) {
      if (pos >= physical.length) {
        if (endLine + 1 >= lines.length) break;
        endLine++;
        physical = lines[endLine];
        pos = 0;
        value += '\n';
        continue;
      }
      const c = physical[pos];
      if (c === '\\' && pos + 1 < physical.length) {
        const next = physical[pos + 1];
        value += QUOTED_ESCAPES[next] ?? `\\${next}`;
        pos += 2;
      } else if (c === '"') {
        closed = true;
        trailing = physical.slice(pos + 1).trim();
        break;
      } else {
        value += c;
        pos++;
      }
    }
    if (!closed) {
      add({
        severity: 'error',
        key,
        line: lineNo,
        message: 'the quoted value has no closing double quote before the end of the file',
      });
      break;
    }
    i = endLine;
    if (trailing !== '') {
      add({
        severity: 'error',
        key,
        line: endLine + 1,
        message: isSecretKey(key)
          ? 'unexpected text after the closing quote'
          : `unexpected text after the closing quote: ${quoteLine(trailing)}`,
      });
      continue;
    }
    (current?.entries ?? doc.globals).push({ key, value, line: lineNo });
  }
  return doc;
}
