// What the TypeScript code declares: the functions it registers with functions-framework and the environment
// variables it reads. Scanned from source text so the infra checks need no build.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RegisteredFunction {
  name: string;
  kind: 'http' | 'cloudEvent';
  file: string;
}

export function registeredFunctions(functionsDir: string): RegisteredFunction[] {
  if (!existsSync(functionsDir)) return [];
  const out: RegisteredFunction[] = [];
  for (const file of readdirSync(functionsDir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(functionsDir, file), 'utf8');
    for (const m of text.matchAll(/\b(http|cloudEvent)\(\s*['"]([A-Za-z0-9_-]+)['"]/g)) {
      out.push({ kind: m[1] as RegisteredFunction['kind'], name: m[2], file: `${functionsDir}/${file}` });
    }
  }
  return out;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

// `process.env.NAME`, `env.NAME`, `env['NAME']`, and names listed as literals (e.g. `['DSC_PLAN_TOPIC'].filter((k) => !env[k])`).
const ENV_ACCESS = /\benv(?:\.([A-Z][A-Z0-9_]*)|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g;
const ENV_LITERAL = /['"]((?:DSC|KAFKA|GOOGLE)_[A-Z0-9_]+)['"]/g;

/** Every environment variable name the code under `dirs` reads. */
export function envReads(dirs: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of dirs.flatMap(tsFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(ENV_ACCESS)) names.add(m[1] ?? m[2]);
    for (const m of text.matchAll(ENV_LITERAL)) names.add(m[1]);
  }
  return names;
}
