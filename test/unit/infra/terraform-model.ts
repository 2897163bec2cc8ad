// Reads a Terraform folder with a real HCL parser (@cdktn/hcl2json, the WASM build of HashiCorp's hcl) and answers the
// few questions the offline checks ask: which resources exist, and what literal keys/values an expression resolves to.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktn/hcl2json';

/** A finding of a check: the file, the place in it (resource address, step id, line), and why it is wrong. */
export interface Problem {
  file: string;
  where: string;
  reason: string;
}

export type Json = any;

export interface TfBlock {
  /** `resource` or `data`. */
  mode: 'resource' | 'data';
  type: string;
  name: string;
  file: string;
  body: Record<string, Json>;
}

export interface TfModule {
  dir: string;
  blocks: TfBlock[];
  variables: Record<string, Json>;
  locals: Record<string, Json>;
  outputs: Record<string, Json>;
}

export interface ParsedModule {
  module: TfModule;
  problems: Problem[];
}

export async function parseTerraformDir(dir: string): Promise<ParsedModule> {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
  const module: TfModule = { dir, blocks: [], variables: {}, locals: {}, outputs: {} };
  const problems: Problem[] = [];
  if (files.length === 0) problems.push({ file: dir, where: '-', reason: 'no .tf files' });
  for (const file of files) {
    let json: Record<string, Json>;
    try {
      json = await parse(file, readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      problems.push({ file, where: 'parse', reason: String((err as Error).message ?? err) });
      continue;
    }
    for (const mode of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries<Record<string, Json[]>>(json[mode] ?? {})) {
        for (const [name, bodies] of Object.entries(byName)) {
          for (const body of bodies) module.blocks.push({ mode, type, name, file, body });
        }
      }
    }
    for (const [name, bodies] of Object.entries<Json[]>(json.variable ?? {})) module.variables[name] = bodies[0];
    for (const locals of (json.locals ?? []) as Record<string, Json>[]) Object.assign(module.locals, locals);
    for (const [name, bodies] of Object.entries<Json[]>(json.output ?? {})) module.outputs[name] = bodies[0];
  }
  return { module, problems };
}

export function address(b: TfBlock): string {
  return `${b.mode === 'data' ? 'data.' : ''}${b.type}.${b.name}`;
}

export function blocksOfType(m: TfModule, type: string): TfBlock[] {
  return m.blocks.filter((b) => b.mode === 'resource' && b.type === type);
}

/** First instance of a nested block (`build_config`, `service_config`, ...); hcl2json keeps blocks as arrays. */
export function block(body: Json, name: string): Json | undefined {
  const v = body?.[name];
  return Array.isArray(v) ? v[0] : undefined;
}

const whole = (expr: string): string | undefined => /^\$\{([^{}]*)\}$/.exec(expr)?.[1]?.trim();

/** A literal value behind an expression: literals, `var.x` (its default) and `local.x`, recursively. */
export function resolve(m: TfModule, expr: Json, depth = 0): Json {
  if (depth > 10 || typeof expr !== 'string') return expr;
  const inner = whole(expr);
  if (inner === undefined) {
    // A template such as "${var.timeout}s": substitute each simple reference.
    let unresolved = false;
    const text = expr.replace(/\$\{([^{}]*)\}/g, (_, ref: string) => {
      const v = resolve(m, `\${${ref}}`, depth + 1);
      if (v === undefined || typeof v === 'object') unresolved = true;
      return String(v);
    });
    return unresolved ? undefined : text;
  }
  const v = /^var\.([A-Za-z0-9_]+)$/.exec(inner);
  if (v) return resolve(m, m.variables[v[1]]?.default, depth + 1);
  const l = /^local\.([A-Za-z0-9_]+)$/.exec(inner);
  if (l) return resolve(m, m.locals[l[1]], depth + 1);
  return undefined;
}

/**
 * The keys a map expression can have: an object literal's keys, the keys of object literals written inside the
 * expression (`cond ? {} : { NAME = var.x }`), and the keys of every `local.x` it refers to (covers
 * `merge(local.a, local.b)` and `{ for k, v in local.a : k => v if ... }`). A superset when a filter drops keys.
 * `undefined` when the keys are not knowable offline (e.g. a `for` over a variable).
 */
export function mapKeys(m: TfModule, expr: Json, depth = 0): Set<string> | undefined {
  if (depth > 10 || expr === undefined || expr === null) return undefined;
  if (typeof expr === 'object' && !Array.isArray(expr)) return new Set(Object.keys(expr));
  if (typeof expr !== 'string') return undefined;
  const keys = new Set<string>();
  for (const r of expr.matchAll(/[{,]\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?![=>])/g)) keys.add(r[1]);
  const refs = [...expr.matchAll(/\blocal\.([A-Za-z0-9_]+)/g)].map((r) => r[1]);
  if (/\bfor\s+\w+\s*,?\s*\w*\s+in\s+var\./.test(expr)) return undefined;
  if (refs.length === 0 && keys.size === 0) return /^\$\{\s*\{\s*\}\s*\}$/.test(expr) ? keys : undefined;
  for (const ref of refs) {
    const sub = mapKeys(m, m.locals[ref], depth + 1);
    if (!sub) return undefined;
    for (const k of sub) keys.add(k);
  }
  return keys;
}

/** The value a map expression gives a key: found in the object literal or in the first referenced local holding it. */
export function mapValue(m: TfModule, expr: Json, key: string, depth = 0): Json {
  if (depth > 10 || expr === undefined || expr === null) return undefined;
  if (typeof expr === 'object' && !Array.isArray(expr)) return key in expr ? resolve(m, expr[key]) : undefined;
  if (typeof expr !== 'string') return undefined;
  for (const r of expr.matchAll(/\blocal\.([A-Za-z0-9_]+)/g)) {
    const v = mapValue(m, m.locals[r[1]], key, depth + 1);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Text of an expression with the locals it names expanded (for reference scans such as "which accounts"). */
export function expandLocals(m: TfModule, expr: Json, depth = 0): string {
  const text = typeof expr === 'string' ? expr : JSON.stringify(expr ?? '');
  if (depth > 10) return text;
  let out = text;
  for (const r of text.matchAll(/\blocal\.([A-Za-z0-9_]+)/g)) out += ' ' + expandLocals(m, m.locals[r[1]], depth + 1);
  return out;
}
