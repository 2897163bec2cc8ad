// Typed reads of one connector's merged settings. Every read records the key as known (for the unknown-key check)
// and every bad value becomes a ConfigIssue naming the key and where it was set; reads never throw. A read without a
// fallback gets the key's declared default (config-def.ts).
import type { ConfigIssue, KeyOrigin } from './spec.js';
import { isSecretKey, redactText } from './secrets.js';
import { declaredBool, declaredDefault, declaredInt, declaredList, splitList } from './config-def.js';

/** How a value appears in a message: quoted and shortened, and never a secret. */
export function shown(key: string, value: string): string {
  if (isSecretKey(key)) return 'a secret value';
  const t = redactText(value);
  return JSON.stringify(t.length > 80 ? `${t.slice(0, 77)}...` : t);
}

/** The allowed spelling of `value`, compared case-insensitively. */
function pick<T extends string>(allowed: readonly T[], value: string): T | undefined {
  return allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
}

export class SettingReader {
  /** Every key a read asked for, present or not: the keys this connector kind understands. */
  readonly known = new Set<string>();

  constructor(
    readonly settings: Record<string, string>,
    readonly origins: Record<string, KeyOrigin>,
    /** The section being read; a missing key is reported at its header. */
    readonly section: string,
    readonly sectionLine: number,
    private readonly issues: ConfigIssue[],
    /** The config file's lines, to point into a value that spans several of them. */
    private readonly sourceLines: readonly string[] = [],
  ) {}

  /** How many lines below where `key` was set the first line holding `part` is (0 when not found). */
  lineOffsetOf(key: string, part: string, maxLines = 200): number {
    const from = this.at(key).line - 1;
    for (let i = from; i < Math.min(this.sourceLines.length, from + maxLines); i++)
      if (this.sourceLines[i].includes(part)) return i - from;
    return 0;
  }

  has(key: string): boolean {
    this.known.add(key);
    return Object.hasOwn(this.settings, key);
  }

  raw(key: string): string | undefined {
    return this.has(key) ? this.settings[key] : undefined;
  }

  /** Where a key was set, or the section header when it was not set at all. */
  at(key: string): KeyOrigin {
    return this.origins[key] ?? { section: this.section, line: this.sectionLine };
  }

  /** `lineOffset`: the problem is that many lines below where the key was set (in a multi-line value). */
  error(key: string, message: string, lineOffset = 0): void {
    const at = this.at(key);
    this.issues.push({ severity: 'error', key, ...at, line: at.line + lineOffset, message });
  }

  warn(key: string, message: string): void {
    this.issues.push({ severity: 'warning', key, ...this.at(key), message });
  }

  string(key: string, fallback = declaredDefault(key)): string {
    return this.raw(key) ?? fallback;
  }

  optional(key: string): string | undefined {
    return this.raw(key);
  }

  /** A value that must be set and non-blank. Returns '' (after reporting) when it is not. */
  required(key: string, why = 'is required'): string {
    const v = this.raw(key);
    if (v === undefined || v.trim() === '') {
      this.error(key, v === undefined ? `missing: ${key} ${why}` : `must not be empty (${key} ${why})`);
      return '';
    }
    return v.trim();
  }

  bool(key: string, fallback = declaredBool(key)): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    const t = v.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
    this.error(key, `must be true or false, got ${shown(key, v)}`);
    return fallback;
  }

  /** An integer of at least `min`; `-1` is also allowed when `allowMinusOne` (Kafka's "broker default"). */
  integer(key: string, min: number, allowMinusOne = false, fallback = declaredInt(key)): number {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    const t = v.trim();
    const n = /^-?\d+$/.test(t) ? Number(t) : NaN;
    if (Number.isSafeInteger(n) && (n >= min || (allowMinusOne && n === -1))) return n;
    const what =
      min === 1 && !allowMinusOne
        ? 'a positive integer'
        : allowMinusOne
          ? `-1 or an integer of at least ${min}`
          : `an integer of at least ${min}`;
    this.error(key, `must be ${what}, got ${shown(key, v)}`);
    return fallback;
  }

  positiveInt(key: string, fallback = declaredInt(key)): number {
    return this.integer(key, 1, false, fallback);
  }

  /** A comma-separated list, items trimmed, empty items dropped. */
  list(key: string, fallback = declaredList(key)): string[] {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    return splitList(v);
  }

  /** One of `allowed`, compared case-insensitively; returns the allowed spelling. */
  choice<T extends string>(key: string, allowed: readonly T[], fallback = pick(allowed, declaredDefault(key)) as T): T {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    const hit = pick(allowed, v);
    if (hit !== undefined) return hit;
    this.error(key, `must be one of ${allowed.map((a) => a || "''").join(', ')}, got ${shown(key, v)}`);
    return fallback;
  }
}
