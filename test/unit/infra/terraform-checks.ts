// Offline checks of infra/: provider arguments, wiring to the code, IAM, and event delivery (retry + dead letter).
// Each returns the problems it finds; an empty list means the check passed.
import type { RegisteredFunction } from './code-scan.js';
import { LIBRARY_ENV, MIN_SHUTDOWN_MARGIN_SECONDS, MIRROR_JOB_ENV, REQUIRED_ENV } from './component-contract.js';
import { META_ARGUMENTS, type BlockArgs } from './provider-schema.js';
import { CUSTOM_ROLE_PERMISSIONS, FORBIDDEN_MEMBERS, FORBIDDEN_ROLES, ROLE_ALLOW_LIST } from './roles.js';
import {
  address,
  block,
  blocksOfType,
  expandLocals,
  mapKeys,
  mapValue,
  resolve,
  type Json,
  type Problem,
  type TfBlock,
  type TfModule,
} from './terraform-model.js';

// ---------- provider schema ----------

function checkBody(
  schema: BlockArgs,
  path: string[],
  body: Record<string, Json>,
  b: TfBlock,
  problems: Problem[],
): void {
  // Hand-written provider pages name nested sections by the block name alone (`nested_condition`), generated ones
  // by the whole path (`nested_template_template_containers`).
  const key = path.join('_');
  const allowed = schema[key] ?? schema[path[path.length - 1] ?? ''];
  const where = [address(b), ...path].join('.');
  if (!allowed) {
    problems.push({ file: b.file, where, reason: `block ${path.join('.')} is not in the provider documentation` });
    return;
  }
  for (const [arg, value] of Object.entries(body)) {
    if (path.length === 0 && META_ARGUMENTS.includes(arg)) {
      if (arg === 'dynamic') {
        for (const [name, dyns] of Object.entries<Json[]>(value)) {
          if (!allowed.includes(name)) {
            problems.push({ file: b.file, where, reason: `dynamic "${name}": not an argument of ${b.type}` });
            continue;
          }
          for (const d of dyns) for (const c of d.content ?? []) checkBody(schema, [...path, name], c, b, problems);
        }
      }
      continue;
    }
    if (arg === 'dynamic') {
      for (const [name, dyns] of Object.entries<Json[]>(value)) {
        if (!allowed.includes(name)) {
          problems.push({ file: b.file, where, reason: `dynamic "${name}": not an argument of ${key || b.type}` });
          continue;
        }
        for (const d of dyns) for (const c of d.content ?? []) checkBody(schema, [...path, name], c, b, problems);
      }
      continue;
    }
    if (!allowed.includes(arg)) {
      problems.push({
        file: b.file,
        where,
        reason: `"${arg}" is not an argument of ${b.type}${path.length ? ` block ${path.join('.')}` : ''}`,
      });
      continue;
    }
    const nested = [...path, arg];
    const isBlock = Array.isArray(value) && value.every((v) => v && typeof v === 'object' && !Array.isArray(v));
    if (isBlock && (schema[nested.join('_')] || schema[arg])) {
      for (const v of value) checkBody(schema, nested, v, b, problems);
    }
  }
}

export function checkProviderSchema(m: TfModule, schema: Record<string, BlockArgs>): Problem[] {
  const problems: Problem[] = [];
  for (const b of m.blocks) {
    const type = b.mode === 'data' ? `data.${b.type}` : b.type;
    const s = schema[type];
    if (!s) {
      problems.push({ file: b.file, where: address(b), reason: `${b.mode} type ${b.type} is not on the allow-list` });
      continue;
    }
    checkBody(s, [], b.body, b, problems);
  }
  return problems;
}

// ---------- function and container wiring ----------

function secretEnvKeys(m: TfModule, serviceConfig: Json): Set<string> | undefined {
  const keys = new Set<string>();
  for (const s of serviceConfig?.secret_environment_variables ?? []) keys.add(s.key);
  for (const d of serviceConfig?.dynamic?.secret_environment_variables ?? []) {
    const content = d.content?.[0] ?? {};
    if (typeof content.key === 'string' && !content.key.includes('${')) {
      keys.add(content.key);
      continue;
    }
    const fromForEach = mapKeys(m, d.for_each);
    if (!fromForEach) return undefined;
    for (const k of fromForEach) keys.add(k);
  }
  return keys;
}

function containerEnvKeys(m: TfModule, container: Json): { keys: Set<string>; values: Json[] } | undefined {
  const keys = new Set<string>();
  const sources: Json[] = [];
  for (const e of container?.env ?? []) {
    keys.add(e.name);
    sources.push({ [e.name]: e.value });
  }
  for (const d of container?.dynamic?.env ?? []) {
    const fromForEach = mapKeys(m, d.for_each);
    if (!fromForEach) return undefined;
    for (const k of fromForEach) keys.add(k);
    sources.push(d.for_each);
  }
  return { keys, values: sources };
}

function compareEnv(
  component: string,
  keys: Set<string>,
  reads: Set<string>,
  required: string[],
  b: TfBlock,
  problems: Problem[],
): void {
  for (const k of keys) {
    if (!reads.has(k) && !LIBRARY_ENV.has(k))
      problems.push({ file: b.file, where: address(b), reason: `sets ${k}, which the code never reads` });
  }
  for (const k of required) {
    if (!keys.has(k))
      problems.push({ file: b.file, where: address(b), reason: `${component} needs ${k}, which is not set` });
  }
}

const seconds = (v: Json): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+s?$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
};

export function checkFunctionWiring(m: TfModule, registered: RegisteredFunction[], reads: Set<string>): Problem[] {
  const problems: Problem[] = [];
  const functions = blocksOfType(m, 'google_cloudfunctions2_function');
  const byEntry = new Map<string, TfBlock>();
  for (const f of functions) {
    const build = block(f.body, 'build_config');
    const entry = build?.entry_point;
    if (typeof entry !== 'string') {
      problems.push({
        file: f.file,
        where: address(f),
        reason: 'build_config.entry_point is missing or not a literal',
      });
      continue;
    }
    byEntry.set(entry, f);
    if (build.runtime !== 'nodejs22')
      problems.push({
        file: f.file,
        where: address(f),
        reason: `runtime is ${build.runtime}, expected nodejs22 (package.json engines)`,
      });
    if (!registered.some((r) => r.name === entry))
      problems.push({
        file: f.file,
        where: address(f),
        reason: `entry_point ${entry} is not registered by any functions/*.ts (http/cloudEvent)`,
      });

    const service = block(f.body, 'service_config');
    const plain = mapKeys(m, service?.environment_variables ?? {});
    const secret = secretEnvKeys(m, service);
    if (!plain || !secret) {
      problems.push({
        file: f.file,
        where: address(f),
        reason: 'environment keys are not statically known (use literal maps or locals)',
      });
      continue;
    }
    const keys = new Set([...plain, ...secret]);
    compareEnv(entry, keys, reads, REQUIRED_ENV[entry] ?? [], f, problems);

    if (keys.has('DSC_TASK_BUDGET_SECONDS')) {
      const budget = seconds(mapValue(m, service.environment_variables, 'DSC_TASK_BUDGET_SECONDS'));
      const timeout = seconds(resolve(m, service.timeout_seconds));
      if (budget === undefined || timeout === undefined)
        problems.push({
          file: f.file,
          where: address(f),
          reason: 'timeout_seconds or DSC_TASK_BUDGET_SECONDS is not a known number',
        });
      else if (timeout - budget < MIN_SHUTDOWN_MARGIN_SECONDS)
        problems.push({
          file: f.file,
          where: address(f),
          reason: `timeout_seconds ${timeout} leaves less than ${MIN_SHUTDOWN_MARGIN_SECONDS} s after DSC_TASK_BUDGET_SECONDS ${budget}`,
        });
    }
  }
  for (const r of registered) {
    if (!byEntry.has(r.name))
      problems.push({
        file: r.file,
        where: r.name,
        reason: `registered function ${r.name} has no google_cloudfunctions2_function`,
      });
  }

  for (const job of blocksOfType(m, 'google_cloud_run_v2_job')) {
    const task = block(block(job.body, 'template'), 'template');
    const env = containerEnvKeys(m, task?.containers?.[0]);
    if (!env) {
      problems.push({ file: job.file, where: address(job), reason: 'container env keys are not statically known' });
      continue;
    }
    compareEnv('mirror job', env.keys, reads, [...REQUIRED_ENV.mirror, ...MIRROR_JOB_ENV], job, problems);
    const run = env.values.map((v) => seconds(mapValue(m, v, 'DSC_MIRROR_RUN_SECONDS'))).find((v) => v !== undefined);
    const timeout = seconds(resolve(m, task?.timeout));
    if (run === undefined || timeout === undefined)
      problems.push({
        file: job.file,
        where: address(job),
        reason: 'task timeout or DSC_MIRROR_RUN_SECONDS is not a known number',
      });
    else if (timeout - run < MIN_SHUTDOWN_MARGIN_SECONDS)
      problems.push({
        file: job.file,
        where: address(job),
        reason: `task timeout ${timeout} s leaves less than ${MIN_SHUTDOWN_MARGIN_SECONDS} s after DSC_MIRROR_RUN_SECONDS ${run}`,
      });
    if (task?.max_retries === undefined)
      problems.push({ file: job.file, where: address(job), reason: 'max_retries is not set' });
  }
  for (const pool of blocksOfType(m, 'google_cloud_run_v2_worker_pool')) {
    const env = containerEnvKeys(m, block(pool.body, 'template')?.containers?.[0]);
    if (!env) {
      problems.push({ file: pool.file, where: address(pool), reason: 'container env keys are not statically known' });
      continue;
    }
    compareEnv('mirror worker pool', env.keys, reads, REQUIRED_ENV.mirror, pool, problems);
  }
  return problems;
}

// ---------- IAM ----------

const IAM_MEMBER_TYPES = [
  'google_project_iam_member',
  'google_pubsub_topic_iam_member',
  'google_pubsub_subscription_iam_member',
  'google_storage_bucket_iam_member',
  'google_cloud_run_v2_service_iam_member',
  'google_cloud_run_v2_job_iam_member',
  'google_secret_manager_secret_iam_member',
  'google_service_account_iam_member',
];
const AUTHORITATIVE = /_iam_(policy|binding)$/;

/** Which principals a binding's member expression can stand for. */
function principals(m: TfModule, b: TfBlock): string[] {
  const member = b.body.member;
  const text = expandLocals(m, member) + (/each\./.test(String(member)) ? ' ' + expandLocals(m, b.body.for_each) : '');
  const found = new Set<string>();
  for (const r of text.matchAll(/google_service_account\.([A-Za-z0-9_]+)\./g)) found.add(r[1]);
  if (text.includes('data.google_storage_project_service_account')) found.add('gcs-service-agent');
  if (text.includes('@gcp-sa-pubsub.iam.gserviceaccount.com')) found.add('pubsub-service-agent');
  if (text.includes('var.manage_invokers')) found.add('manage_invokers');
  for (const f of FORBIDDEN_MEMBERS) if (text.includes(f)) found.add(f);
  return [...found];
}

function roleOf(b: TfBlock): string | undefined {
  const role = b.body.role;
  if (typeof role !== 'string') return undefined;
  if (!role.includes('${')) return role;
  const custom = /^\$\{google_project_iam_custom_role\.([A-Za-z0-9_]+)\.(id|name)\}$/.exec(role);
  return custom ? `custom:${custom[1]}` : undefined;
}

export function checkIam(m: TfModule): Problem[] {
  const problems: Problem[] = [];
  for (const b of m.blocks.filter((x) => x.mode === 'resource' && AUTHORITATIVE.test(x.type)))
    problems.push({
      file: b.file,
      where: address(b),
      reason: 'authoritative IAM resources replace bindings others own; use *_iam_member',
    });

  const accounts = blocksOfType(m, 'google_service_account').map((b) => b.name);
  for (const a of accounts) {
    if (!ROLE_ALLOW_LIST[a])
      problems.push({
        file: 'service-accounts.tf',
        where: `google_service_account.${a}`,
        reason: 'no role allow-list entry',
      });
  }

  for (const b of m.blocks.filter((x) => x.mode === 'resource' && IAM_MEMBER_TYPES.includes(x.type))) {
    const role = roleOf(b);
    if (!role) {
      problems.push({
        file: b.file,
        where: address(b),
        reason: `role ${b.body.role} is not a literal role or a custom role of this module`,
      });
      continue;
    }
    if (FORBIDDEN_ROLES.includes(role))
      problems.push({ file: b.file, where: address(b), reason: `${role} is never granted` });
    const who = principals(m, b);
    if (who.length === 0)
      problems.push({ file: b.file, where: address(b), reason: `member ${b.body.member} is not a known principal` });
    for (const p of who) {
      const allowed = ROLE_ALLOW_LIST[p];
      if (!allowed) problems.push({ file: b.file, where: address(b), reason: `${p} may not hold any role` });
      else if (!allowed.includes(role))
        problems.push({ file: b.file, where: address(b), reason: `${p} may not hold ${role}` });
    }
    // Project-wide grants on secrets must be narrowed to the connector secrets.
    const needsCondition =
      b.type === 'google_project_iam_member' &&
      (role === 'custom:secret_writer' || role === 'roles/secretmanager.secretAccessor');
    if (needsCondition && !expandLocals(m, block(b.body, 'condition')?.expression ?? '').includes('/secrets/dsc-'))
      problems.push({
        file: b.file,
        where: address(b),
        reason: `${role} on the project needs a condition on secrets/dsc-*`,
      });
  }

  for (const r of blocksOfType(m, 'google_project_iam_custom_role')) {
    const allowed = CUSTOM_ROLE_PERMISSIONS[r.name];
    const permissions: Json = r.body.permissions;
    if (!allowed) problems.push({ file: r.file, where: address(r), reason: 'custom role without an allow-list entry' });
    else if (!Array.isArray(permissions) || permissions.some((p: string) => !allowed.includes(p)))
      problems.push({
        file: r.file,
        where: address(r),
        reason: `permissions ${JSON.stringify(permissions)} exceed ${JSON.stringify(allowed)}`,
      });
  }

  // One identity per component.
  const runtime: [string, Json][] = [
    ...blocksOfType(m, 'google_cloudfunctions2_function').map((f): [string, Json] => [
      address(f),
      block(f.body, 'service_config')?.service_account_email,
    ]),
    ...blocksOfType(m, 'google_cloud_run_v2_job').map((j): [string, Json] => [
      address(j),
      block(block(j.body, 'template'), 'template')?.service_account,
    ]),
  ];
  const owner = new Map<string, string>();
  for (const [addr, sa] of runtime) {
    const account = /^\$\{google_service_account\.([A-Za-z0-9_]+)\.email\}$/.exec(String(sa))?.[1];
    if (!account) {
      problems.push({
        file: '-',
        where: addr,
        reason: 'runs as no service account of this module (the default compute account has Editor)',
      });
      continue;
    }
    const previous = owner.get(account);
    if (previous)
      problems.push({ file: '-', where: addr, reason: `shares service account ${account} with ${previous}` });
    owner.set(account, addr);
  }
  return problems;
}

// ---------- event delivery: retry and dead letter ----------

export function checkDelivery(m: TfModule, registered: RegisteredFunction[], cloudbuildText: string): Problem[] {
  const problems: Problem[] = [];
  const subscriptions = blocksOfType(m, 'google_pubsub_subscription');
  const triggers = blocksOfType(m, 'google_eventarc_trigger');
  const subscriberGrants = blocksOfType(m, 'google_pubsub_subscription_iam_member').filter(
    (g) => g.body.role === 'roles/pubsub.subscriber',
  );

  for (const f of blocksOfType(m, 'google_cloudfunctions2_function')) {
    const entry = block(f.body, 'build_config')?.entry_point;
    const kind = registered.find((r) => r.name === entry)?.kind ?? (entry === 'manage' ? 'http' : 'cloudEvent');
    const et = block(f.body, 'event_trigger');
    if (et) {
      if (et.retry_policy !== 'RETRY_POLICY_RETRY')
        problems.push({
          file: f.file,
          where: address(f),
          reason: 'event_trigger without retry_policy = "RETRY_POLICY_RETRY"',
        });
      problems.push({
        file: f.file,
        where: address(f),
        reason:
          'event_trigger subscriptions belong to Eventarc and cannot take a dead_letter_policy; deliver with a push subscription',
      });
    }
    if (kind !== 'cloudEvent' || et) continue;

    const ref = `google_cloudfunctions2_function.${f.name}.`;
    const subs = subscriptions.filter((s) => JSON.stringify(block(s.body, 'push_config') ?? {}).includes(ref));
    const trigs = triggers.filter((t) =>
      JSON.stringify(block(t.body, 'destination') ?? {}).includes(`\${google_cloudfunctions2_function.${f.name}.name}`),
    );
    if (subs.length + trigs.length === 0)
      problems.push({ file: f.file, where: address(f), reason: `nothing delivers events to ${entry}` });

    const timeout = seconds(resolve(m, block(f.body, 'service_config')?.timeout_seconds)) ?? 60;
    for (const s of subs) {
      const dl = block(s.body, 'dead_letter_policy');
      const attempts = seconds(resolve(m, dl?.max_delivery_attempts));
      if (!dl?.dead_letter_topic)
        problems.push({ file: s.file, where: address(s), reason: 'no dead_letter_policy.dead_letter_topic' });
      if (attempts === undefined || attempts < 5 || attempts > 100)
        problems.push({
          file: s.file,
          where: address(s),
          reason: 'dead_letter_policy.max_delivery_attempts must be 5..100',
        });
      if (!block(s.body, 'retry_policy'))
        problems.push({ file: s.file, where: address(s), reason: 'no retry_policy (backoff) block' });
      if (!block(block(s.body, 'push_config'), 'oidc_token')?.service_account_email)
        problems.push({
          file: s.file,
          where: address(s),
          reason: 'push without oidc_token: the function rejects unauthenticated calls',
        });
      const ack = seconds(resolve(m, s.body.ack_deadline_seconds)) ?? 10;
      if (ack < timeout)
        problems.push({
          file: s.file,
          where: address(s),
          reason: `ack_deadline_seconds ${ack} < function timeout ${timeout}: Pub/Sub would redeliver running work`,
        });
      if (!subscriberGrants.some((g) => String(g.body.subscription).includes(`google_pubsub_subscription.${s.name}.`)))
        problems.push({
          file: s.file,
          where: address(s),
          reason: 'Pub/Sub service agent lacks roles/pubsub.subscriber here: dead lettering fails',
        });
    }
    for (const t of trigs) {
      if (
        block(t.body, 'retry_policy')?.max_attempts !== undefined &&
        Number(resolve(m, block(t.body, 'retry_policy').max_attempts)) <= 1
      )
        problems.push({ file: t.file, where: address(t), reason: 'retry_policy.max_attempts = 1 turns retries off' });
      const output = Object.values(m.outputs).some((o) =>
        String(o.value).includes(`google_eventarc_trigger.${t.name}`),
      );
      if (!output || !/subscriptions update[\s\S]*--dead-letter-topic/.test(cloudbuildText))
        problems.push({
          file: t.file,
          where: address(t),
          reason:
            'the Eventarc-owned subscription gets no dead-letter topic (needs an output listing it and a cloudbuild step updating it)',
        });
      if (!subscriberGrants.some((g) => String(g.body.for_each).includes(`google_eventarc_trigger.${t.name}`)))
        problems.push({
          file: t.file,
          where: address(t),
          reason: 'Pub/Sub service agent lacks roles/pubsub.subscriber on the trigger subscriptions',
        });
    }
  }

  // Whatever is dead-lettered must be publishable by the Pub/Sub service agent.
  const dlTopics = new Set(
    subscriptions.map((s) => block(s.body, 'dead_letter_policy')?.dead_letter_topic).filter(Boolean),
  );
  for (const topic of dlTopics) {
    const name = /google_pubsub_topic\.([A-Za-z0-9_]+)\./.exec(String(topic))?.[1];
    const granted = blocksOfType(m, 'google_pubsub_topic_iam_member').some(
      (g) =>
        String(g.body.topic).includes(`google_pubsub_topic.${name}.`) &&
        g.body.role === 'roles/pubsub.publisher' &&
        principals(m, g).includes('pubsub-service-agent'),
    );
    if (!granted)
      problems.push({
        file: 'pubsub.tf',
        where: String(topic),
        reason: 'Pub/Sub service agent cannot publish to this dead-letter topic',
      });
  }
  return problems;
}
