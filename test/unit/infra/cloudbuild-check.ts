// cloudbuild.yaml against Cloud Build's build config schema (https://cloud.google.com/build/docs/build-config-file-schema):
// steps with a builder `name`, unique ids, waitFor naming earlier ids or '-', user substitutions starting with `_`,
// every substitution used is declared or built in, no secret values, and the pipeline stages dsc needs.
import { parseDocument } from 'yaml';
import type { Problem } from './terraform-model.js';

const TOP_LEVEL = [
  'steps',
  'timeout',
  'queueTtl',
  'logsBucket',
  'options',
  'substitutions',
  'tags',
  'serviceAccount',
  'secrets',
  'availableSecrets',
  'artifacts',
  'images',
  'dependencies',
  'defaultLogsBucketBehavior',
];
const STEP_KEYS = [
  'name',
  'args',
  'env',
  'dir',
  'id',
  'waitFor',
  'entrypoint',
  'secretEnv',
  'volumes',
  'timeout',
  'script',
  'automapSubstitutions',
  'allowFailure',
  'allowExitCodes',
];
// https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values#using_default_substitutions
const BUILT_IN = [
  'PROJECT_ID',
  'PROJECT_NUMBER',
  'BUILD_ID',
  'LOCATION',
  'TRIGGER_NAME',
  'COMMIT_SHA',
  'REVISION_ID',
  'SHORT_SHA',
  'REPO_NAME',
  'REPO_FULL_NAME',
  'BRANCH_NAME',
  'TAG_NAME',
  'REF_NAME',
  'TRIGGER_BUILD_CONFIG_PATH',
  'SERVICE_ACCOUNT_EMAIL',
  'SERVICE_ACCOUNT',
  '_HEAD_BRANCH',
  '_BASE_BRANCH',
  '_HEAD_REPO_URL',
  '_PR_NUMBER',
];
const SECRET_PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/"private_key"\s*:/, 'a service-account key'],
  [/(password|passwd|secret|token)\s*[=:]\s*(?!\$)["']?[^\s"'$]{4,}/i, 'a plaintext credential'],
  [/AIza[0-9A-Za-z_-]{35}/, 'a Google API key'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}/, 'a GitHub token'],
];
const PIPELINE: [RegExp, string][] = [
  [/^npm ci\b/m, 'npm ci'],
  [/^npm run lint\b/m, 'lint'],
  [/^npx vitest run test\/unit\b/m, 'unit tests (vitest run test/unit)'],
  [/^npm run build\b/m, 'npm run build'],
  [/^\S*docker build -t /m, 'docker build'],
  [/^\S*docker push /m, 'docker push'],
  [/^\S*terraform\S* -chdir=infra init\b.* -backend-config=bucket=/m, 'terraform init with the GCS backend'],
  [/terraform\S*( -chdir=infra)? apply\b/m, 'terraform apply'],
];

export function checkCloudBuild(text: string, file = 'cloudbuild.yaml'): Problem[] {
  const problems: Problem[] = [];
  const doc = parseDocument(text);
  for (const e of doc.errors) problems.push({ file, where: `line ${e.linePos?.[0]?.line ?? '?'}`, reason: e.message });
  if (doc.errors.length) return problems;
  const config = doc.toJS() as Record<string, any>;
  if (!config || typeof config !== 'object') return [{ file, where: '-', reason: 'not a mapping' }];

  for (const k of Object.keys(config))
    if (!TOP_LEVEL.includes(k)) problems.push({ file, where: k, reason: `unknown top-level field ${k}` });
  const steps = config.steps;
  if (!Array.isArray(steps) || steps.length === 0) return [...problems, { file, where: 'steps', reason: 'no steps' }];

  const seen = new Set<string>();
  steps.forEach((step: Record<string, any>, i: number) => {
    const where = `steps[${i}]${step?.id ? ` (${step.id})` : ''}`;
    if (typeof step?.name !== 'string' || !step.name)
      problems.push({ file, where, reason: 'step has no builder name' });
    for (const k of Object.keys(step ?? {}))
      if (!STEP_KEYS.includes(k)) problems.push({ file, where, reason: `unknown step field ${k}` });
    if (
      step?.args !== undefined &&
      (!Array.isArray(step.args) || step.args.some((a: unknown) => typeof a !== 'string'))
    )
      problems.push({ file, where, reason: 'args must be a list of strings' });
    for (const w of step?.waitFor ?? []) {
      if (w !== '-' && !seen.has(w)) problems.push({ file, where, reason: `waitFor ${w} names no earlier step id` });
    }
    if (step?.id !== undefined) {
      if (seen.has(step.id)) problems.push({ file, where, reason: `duplicate id ${step.id}` });
      seen.add(step.id);
    }
  });

  const declared = Object.keys(config.substitutions ?? {});
  for (const k of declared)
    if (!k.startsWith('_'))
      problems.push({ file, where: `substitutions.${k}`, reason: 'user substitutions must start with _' });
  // $$ escapes a literal $ for the shell; everything else is a substitution.
  const unescaped = text.replace(/\$\$/g, '');
  for (const m of unescaped.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)) {
    if (!declared.includes(m[1]) && !BUILT_IN.includes(m[1]))
      problems.push({ file, where: `$${m[1]}`, reason: `substitution ${m[1]} is neither declared nor built in` });
  }
  text.split('\n').forEach((line, i) => {
    for (const [re, what] of SECRET_PATTERNS)
      if (re.test(line)) problems.push({ file, where: `line ${i + 1}`, reason: `looks like ${what}` });
  });
  // Each step as the command line it runs: entrypoint (or the builder's) and its args.
  const commands = steps
    .map((s: Record<string, any>) => [s?.entrypoint ?? s?.name, ...(Array.isArray(s?.args) ? s.args : [])].join(' '))
    .join('\n');
  for (const [re, what] of PIPELINE)
    if (!re.test(commands)) problems.push({ file, where: 'steps', reason: `no ${what} step` });
  return problems;
}
