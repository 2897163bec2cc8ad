// What a file name says about its content: the record format (delimited or JSON lines) and whether `file.regexp`
// selects it.
//
// API (stable):
//   formatForName(name: string): RecordFormat
//     `.json`, `.jsonl`, `.ndjson` (case-insensitive, after stripping archive extensions such as `.gz`, `.zip`,
//     `.tar`, `.tgz`) → 'jsonl'; `.parquet` → 'parquet'; everything else → 'delimited'.
//   matchesFileRegexp(name: string, regexp: string): boolean
//     Java `String.matches` semantics (the whole string) against the BASE name (the part after the last `/`), for
//     objects and archive entries alike, as kafka-connect-fs matches file names. Throws an Error naming
//     `file.regexp` when the expression does not compile (the config validator should have refused it already).
import { compileJavaRegExp, type JavaPattern } from '../config/java-regexp.js';

export type RecordFormat = 'delimited' | 'jsonl' | 'parquet';

// Compressed-container suffixes peeled off before looking at the data extension (`x.json.gz` is JSON lines).
const ARCHIVE_SUFFIXES = ['.gz', '.gzip', '.tgz', '.tar', '.zip', '.bz2', '.zst'];
const JSONL_EXTENSIONS = new Set(['.json', '.jsonl', '.ndjson']);

export function baseName(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? name : name.slice(slash + 1);
}

export function formatForName(name: string): RecordFormat {
  let lower = baseName(name).toLowerCase();
  for (let peeled = true; peeled;) {
    peeled = false;
    for (const suffix of ARCHIVE_SUFFIXES) {
      if (lower.length > suffix.length && lower.endsWith(suffix)) {
        lower = lower.slice(0, -suffix.length);
        peeled = true;
      }
    }
  }
  const dot = lower.lastIndexOf('.');
  if (dot >= 0 && lower.slice(dot) === '.parquet') return 'parquet';
  return dot >= 0 && JSONL_EXTENSIONS.has(lower.slice(dot)) ? 'jsonl' : 'delimited';
}

// One compiled expression per pattern: the filter runs once per listed object or archive entry.
const compiled = new Map<string, JavaPattern>();

export function matchesFileRegexp(name: string, regexp: string): boolean {
  let re = compiled.get(regexp);
  if (!re) {
    const result = compileJavaRegExp(regexp, { whole: true });
    if (!result.ok) throw new Error(`file.regexp ${JSON.stringify(regexp)} is not usable: ${result.reason}`);
    re = result.regexp;
    compiled.set(regexp, re);
  }
  return re.test(baseName(name));
}
