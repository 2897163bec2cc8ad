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

/** The parser's position: the document so far, the open section, and a secret value that may run on. */
interface SyntaxState {
  lines: string[];
  doc: ConfigDocument;
  issues: ConfigIssue[];
  current: ConfigSection | null;
  // Set after an unquoted secret value: lines that follow and are not keys are probably the rest of the secret,
  // so they are reported without echoing their text.
  secretContinuation: ConfigEntry | null;
}

const report = (st: SyntaxState, issue: Omit<ConfigIssue, 'section'>) =>
  st.issues.push({ ...issue, section: st.current?.title ?? null });

const addEntry = (st: SyntaxState, entry: ConfigEntry) => (st.current?.entries ?? st.doc.globals).push(entry);

function parseSectionHeader(st: SyntaxState, trimmed: string, lineNo: number): void {
  st.secretContinuation = null;
  const m = /^\[(.*)\]$/.exec(trimmed);
  const title = m?.[1].trim() ?? '';
  if (!m || title === '') {
    report(st, {
      severity: 'error',
      line: lineNo,
      message: `bad section header ${quoteLine(trimmed)}: expected [title]`,
    });
    return;
  }
  st.current = { title, line: lineNo, entries: [] };
  st.doc.sections.push(st.current);
}

/** A line that is neither a key=value nor a continuation of a quoted value. */
function reportImplausibleLine(st: SyntaxState, lineNo: number, key: string, eq: number, trimmed: string): void {
  const of = st.secretContinuation;
  if (of)
    report(st, {
      severity: 'error',
      key: of.key,
      line: lineNo,
      message:
        `line ${lineNo} looks like the rest of the value of ${of.key} (line ${of.line}); ` +
        'a value that spans several lines must be in double quotes',
    });
  else if (eq < 0)
    report(st, {
      severity: 'error',
      line: lineNo,
      message: `line ${lineNo} is not key=value, a [section] or a # comment: ${quoteLine(trimmed)}`,
    });
  else report(st, { severity: 'error', line: lineNo, message: `${quoteLine(key)} is not a valid key name` });
}

interface QuotedValue {
  value: string;
  /** Index of the line holding the closing quote. */
  endLine: number;
  closed: boolean;
  /** Text after the closing quote, trimmed. */
  trailing: string;
}

/** Reads a double-quoted value starting at `rest` (line `i`) until its closing quote, across lines (kept as newlines). */
function readQuotedValue(lines: readonly string[], i: number, rest: string): QuotedValue {
  let value = '';
  let physical = rest;
  let pos = 1;
  let endLine = i;
  for (;;) {
    if (pos >= physical.length) {
      if (endLine + 1 >= lines.length) return { value, endLine, closed: false, trailing: '' };
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
      return { value, endLine, closed: true, trailing: physical.slice(pos + 1).trim() };
    } else {
      value += c;
      pos++;
    }
  }
}

/** Parses the `key=value` at line index `i`; returns the index of its last line, or -1 when the file ends inside it. */
function parseEntry(st: SyntaxState, i: number): number {
  const lineNo = i + 1;
  const line = st.lines[i];
  const eq = line.indexOf('=');
  const key = eq < 0 ? '' : line.slice(0, eq).trim().replace(/→/g, '->');
  const plausible = KEY_SHAPE.test(key) && (key.includes('.') || DOTLESS_KEYS.has(key) || !st.secretContinuation);
  if (!plausible) {
    reportImplausibleLine(st, lineNo, key, eq, line.trim());
    return i;
  }
  st.secretContinuation = null;
  const rest = line.slice(eq + 1).replace(/^\s+/, '');
  if (!rest.startsWith('"')) {
    const entry = { key, value: unescapeUnquoted(rest.trimEnd()), line: lineNo };
    addEntry(st, entry);
    if (isSecretKey(key)) st.secretContinuation = entry;
    return i;
  }
  const quoted = readQuotedValue(st.lines, i, rest);
  if (!quoted.closed) {
    const message = 'the quoted value has no closing double quote before the end of the file';
    report(st, { severity: 'error', key, line: lineNo, message });
    return -1;
  }
  if (quoted.trailing !== '')
    report(st, {
      severity: 'error',
      key,
      line: quoted.endLine + 1,
      message: isSecretKey(key)
        ? 'unexpected text after the closing quote'
        : `unexpected text after the closing quote: ${quoteLine(quoted.trailing)}`,
    });
  else addEntry(st, { key, value: quoted.value, line: lineNo });
  return quoted.endLine;
}

export function parseConfigSyntax(text: string, issues: ConfigIssue[]): ConfigDocument {
  const st: SyntaxState = {
    lines: text.replace(/^\uFEFF/, '').split(/\r?\n/),
    doc: { globals: [], sections: [] },
    issues,
    current: null,
    secretContinuation: null,
  };
  for (let i = 0; i < st.lines.length; i++) {
    const trimmed = st.lines[i].trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) st.secretContinuation = null;
    else if (trimmed.startsWith('[')) parseSectionHeader(st, trimmed, i + 1);
    else {
      const last = parseEntry(st, i);
      if (last < 0) break;
      i = last;
    }
  }
  return st.doc;
}
