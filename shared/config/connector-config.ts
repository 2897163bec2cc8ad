// The connector config language (seed §2.1.4, §3.1.4): text → one typed spec per `[section]` plus every problem at
// once, each naming its key, section and line.
import {
  FILE_CONNECTOR_CLASSES,
  MIRROR_CONNECTOR_CLASS,
  type ConfigIssue,
  type ConnectorSpec,
  type KeyOrigin,
  type ParsedConfig,
} from './spec.js';
import { parseConfigSyntax, type ConfigEntry, type ConfigDocument, type ConfigSection } from './config-syntax.js';
import { readFileConnectorSpec } from './file-connector-config.js';
import { reportUnknownKeys } from './known-keys.js';
import { readMirrorConnectorSpec } from './mirror-connector-config.js';
import { isSecretKey, redactText, REDACTED } from './secrets.js';
import { SettingReader } from './setting-reader.js';

export const SUPPORTED_CONNECTOR_CLASSES: readonly string[] = [...FILE_CONNECTOR_CLASSES, MIRROR_CONNECTOR_CLASS];

const isFileConnectorClass = (cls: string) =>
  /(?:^|\.)(?:FsSourceConnector|GCPSourceConnector)$/.test(cls) ||
  (FILE_CONNECTOR_CLASSES as readonly string[]).includes(cls);

/** Adds a scope's entries to `settings`/`origins`; a key set twice in the same scope warns and the last wins. */
function applyScope(
  entries: ConfigEntry[],
  section: string | null,
  settings: Record<string, string>,
  origins: Record<string, KeyOrigin>,
  issues: ConfigIssue[],
): void {
  const seen = new Map<string, number>();
  for (const e of entries) {
    const first = seen.get(e.key);
    if (first !== undefined)
      issues.push({
        severity: 'warning',
        key: e.key,
        section,
        line: e.line,
        message: `set again (first on line ${first}); the last value wins`,
      });
    else seen.set(e.key, e.line);
    settings[e.key] = e.value;
    origins[e.key] = { section, line: e.line };
  }
}

function readSection(
  doc: ConfigDocument,
  section: ConfigSection,
  issues: ConfigIssue[],
  lines: readonly string[],
): ConnectorSpec | undefined {
  const settings: Record<string, string> = {};
  const origins: Record<string, KeyOrigin> = {};
  // Global duplicates are reported once, not once per section (issues are de-duplicated at the end).
  applyScope(doc.globals, null, settings, origins, issues);
  applyScope(section.entries, section.title, settings, origins, issues);
  const r = new SettingReader(settings, origins, section.title, section.line, issues, lines);
  const cls = r.required('connector.class', 'is required: it says what kind of connector the section creates');
  if (isFileConnectorClass(cls)) {
    const spec = readFileConnectorSpec(r, cls);
    reportUnknownKeys(r, 'file', issues);
    return spec;
  }
  if (cls === MIRROR_CONNECTOR_CLASS) {
    const spec = readMirrorConnectorSpec(r, cls);
    reportUnknownKeys(r, 'mirror', issues, [spec.sourceAlias, spec.targetAlias]);
    return spec;
  }
  if (cls !== '')
    r.error(
      'connector.class',
      `unknown connector class ${JSON.stringify(cls)}; supported: ${SUPPORTED_CONNECTOR_CLASSES.join(', ')}`,
    );
  r.required('name');
  return undefined;
}

/** Replaces any secret value that found its way into a message, whatever the path. */
function scrubIssues(issues: ConfigIssue[], secrets: string[]): ConfigIssue[] {
  const seen = new Set<string>();
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    let message = redactText(issue.message);
    for (const s of secrets) if (s.length >= 4) message = message.split(s).join(REDACTED);
    const clean = { ...issue, message };
    const id = JSON.stringify([clean.severity, clean.key, clean.section, clean.line, clean.message]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(clean);
  }
  return out.sort((a, b) => a.line - b.line);
}

/**
 * Parses a config file. Every problem is reported at once in `issues`; `specs` are built best-effort for every
 * section whose connector.class is known, so callers must check `hasErrors(issues)` before using them.
 * `fileName` is copied onto each issue (`ConfigIssue.file`) for `formatIssue`.
 */
export function parseConnectorConfig(text: string, options: { fileName?: string } = {}): ParsedConfig {
  const issues: ConfigIssue[] = [];
  const doc = parseConfigSyntax(text, issues);
  if (doc.sections.length === 0)
    issues.push({
      severity: 'error',
      section: null,
      line: 1,
      message: 'no [section]: each connector needs a [section] with a name',
    });
  const specs: ConnectorSpec[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const titles = new Map<string, number>();
  const names = new Map<string, ConnectorSpec>();
  for (const section of doc.sections) {
    const firstLine = titles.get(section.title);
    if (firstLine !== undefined)
      issues.push({
        severity: 'error',
        section: section.title,
        line: section.line,
        message: `duplicate section [${section.title}] (first on line ${firstLine}): section titles must be unique`,
      });
    else titles.set(section.title, section.line);
    const spec = readSection(doc, section, issues, lines);
    if (!spec) continue;
    const other = names.get(spec.name);
    if (spec.name !== '' && other) {
      const origin = spec.origins.name;
      issues.push({
        severity: 'error',
        key: 'name',
        section: origin.section,
        line: origin.line,
        message: `connector name ${JSON.stringify(spec.name)} is already used by [${other.section}]: names must be unique`,
      });
    } else names.set(spec.name, spec);
    specs.push(spec);
  }
  const secrets = [...doc.globals, ...doc.sections.flatMap((s) => s.entries)]
    .filter((e) => isSecretKey(e.key))
    .flatMap((e) => [e.value, ...e.value.split('\n').filter((l) => l.length >= 16)]);
  const clean = scrubIssues(issues, secrets);
  return {
    specs,
    issues: options.fileName === undefined ? clean : clean.map((i) => ({ ...i, file: options.fileName })),
  };
}

/**
 * One line for humans: `people.conf:14 [connector_person] tasks.max: must be a positive integer, got "ten"`.
 * Global keys show `(global)`; warnings carry `warning:` before the message.
 */
export function formatIssue(issue: ConfigIssue, fileName?: string): string {
  const file = fileName ?? issue.file;
  const where = file === undefined ? `line ${issue.line}` : `${file}:${issue.line}`;
  const scope = issue.section === null ? '(global)' : `[${issue.section}]`;
  const key = issue.key === undefined ? '' : `${issue.key}: `;
  const severity = issue.severity === 'warning' ? 'warning: ' : '';
  return `${where} ${scope} ${severity}${key}${issue.message}`;
}
