// What infra/ declares about the running shape, read from the Terraform files themselves (HashiCorp's HCL parser via
// @cdktn/hcl2json), so the local shape cannot drift from the deployment: each function's entry point and environment,
// each push subscription's topic, endpoint, retry and dead-letter policy, and the mirror container's environment.
// Expressions are evaluated only as far as infra/ uses them (references, interpolation, merge, one `for` filter);
// anything else throws naming the expression, so a new construct in infra/ fails loudly here rather than silently.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktn/hcl2json';

type Json = any;

export interface FunctionWiring {
  /** Terraform resource name (`manage`, `plan`, `work`, `notify`). */
  resource: string;
  entryPoint: string;
  env: Record<string, string>;
  timeoutSeconds: number;
}

export interface PushSubscriptionWiring {
  name: string;
  topic: string;
  /** Terraform resource name of the function the push endpoint points at. */
  function: string;
  /** Path part of the push endpoint (`/projects/P/topics/T`), which functions-framework reads the topic from. */
  path: string;
  ackDeadlineSeconds: number;
  minimumBackoffMs: number;
  maximumBackoffMs: number;
  deadLetterTopic: string;
  maxDeliveryAttempts: number;
}

export interface InfraWiring {
  projectId: string;
  functions: Record<string, FunctionWiring>;
  pushSubscriptions: PushSubscriptionWiring[];
  /** Pull subscriptions without a push config (the dead-letter one): name -> topic. */
  pullSubscriptions: { name: string; topic: string }[];
  topics: string[];
  /** Worker-pool environment of the mirror container (always on; the job form adds DSC_MIRROR_RUN_SECONDS). */
  mirrorEnv: Record<string, string>;
  /** Storage triggers: the event type each notify trigger matches. */
  notifyEventType: string;
  maxDeliveryAttempts: number;
}

interface Module {
  resources: Record<string, Record<string, Json>>;
  locals: Record<string, Json>;
  variables: Record<string, Json>;
}

async function readModule(dir: string): Promise<Module> {
  const m: Module = { resources: {}, locals: {}, variables: {} };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const json = await parse(file, readFileSync(join(dir, file), 'utf8'));
    for (const [type, byName] of Object.entries<Record<string, Json[]>>(json.resource ?? {}))
      for (const [name, bodies] of Object.entries(byName)) (m.resources[type] ??= {})[name] = bodies[0];
    for (const locals of (json.locals ?? []) as Json[]) Object.assign(m.locals, locals);
    for (const [name, bodies] of Object.entries<Json[]>(json.variable ?? {})) m.variables[name] = bodies[0];
  }
  return m;
}

const first = (v: Json): Json => (Array.isArray(v) ? v[0] : undefined);

/** Go-style durations as Terraform writes them for Pub/Sub ("10s", "600s"). */
function durationMs(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(String(text));
  if (!m) throw new Error(`${what}: duration ${JSON.stringify(text)} is not "<seconds>s"`);
  return Number(m[1]) * 1000;
}

class Evaluator {
  constructor(
    private readonly m: Module,
    private readonly vars: Record<string, Json>,
    private readonly functionUrls: Record<string, string>,
  ) {}

  /** A value from hcl2json: strings may hold `${...}` interpolations; maps and lists are evaluated member-wise. */
  value(v: Json, where: string): Json {
    if (typeof v === 'string') {
      const whole = /^\$\{(.*)\}$/s.exec(v);
      if (whole && !whole[1].includes('${')) return this.expr(whole[1].trim(), where);
      return v.replace(/\$\{([^}]*)\}/g, (_, e: string) => String(this.expr(e.trim(), where)));
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x, where));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x, `${where}.${k}`)]));
    return v;
  }

  private expr(e: string, where: string): Json {
    let m: RegExpExecArray | null;
    if ((m = /^merge\((.*)\)$/s.exec(e)))
      return Object.assign({}, ...m[1].split(',').map((a) => this.expr(a.trim(), where)));
    // `{ for k, v in local.X : k => v if v != "" }`: the optional settings left out when empty.
    if ((m = /^\{\s*for k, v in (local\.\w+) : k => v if v != ""\s*\}$/.exec(e)))
      return Object.fromEntries(Object.entries<Json>(this.expr(m[1], where)).filter(([, v]) => v !== ''));
    if ((m = /^local\.(\w+)$/.exec(e))) {
      if (!(m[1] in this.m.locals)) throw new Error(`${where}: local.${m[1]} is not declared`);
      return this.value(this.m.locals[m[1]], `local.${m[1]}`);
    }
    if ((m = /^var\.(\w+)$/.exec(e))) {
      if (m[1] in this.vars) return this.vars[m[1]];
      const d = this.m.variables[m[1]];
      if (!d || !('default' in d)) throw new Error(`${where}: var.${m[1]} has no default and was not given`);
      return d.default;
    }
    if ((m = /^google_cloudfunctions2_function\.(\w+)\.service_config\[0\]\.uri$/.exec(e))) {
      const url = this.functionUrls[m[1]];
      if (!url) throw new Error(`${where}: no local URL for function ${m[1]}`);
      return url;
    }
    if ((m = /^(google_\w+)\.(\w+)\.(name|id)$/.exec(e))) {
      const body = this.m.resources[m[1]]?.[m[2]];
      if (!body) throw new Error(`${where}: ${m[1]}.${m[2]} is not declared`);
      const name = this.value(body.name, `${m[1]}.${m[2]}.name`);
      if (m[3] === 'name') return name;
      if (m[1] === 'google_pubsub_topic') return `projects/${this.vars.project_id}/topics/${name}`;
    }
    throw new Error(`${where}: the local shape cannot evaluate \${${e}}`);
  }
}

const topicName = (id: string) => id.replace(/^projects\/[^/]+\/topics\//, '');

/**
 * Reads infra/ for the given variables (project_id, kafka_brokers, ... as a tfvars file would give them) and the
 * local URL each function listens on.
 */
export async function readInfraWiring(
  infraDir: string,
  vars: Record<string, Json>,
  functionUrls: Record<string, string>,
): Promise<InfraWiring> {
  const m = await readModule(infraDir);
  const ev = new Evaluator(m, vars, functionUrls);
  const functions: Record<string, FunctionWiring> = {};
  for (const [name, body] of Object.entries<Json>(m.resources.google_cloudfunctions2_function ?? {})) {
    const service = first(body.service_config);
    const where = `google_cloudfunctions2_function.${name}`;
    functions[name] = {
      resource: name,
      entryPoint: first(body.build_config).entry_point,
      env: ev.value(service.environment_variables, `${where}.environment_variables`),
      timeoutSeconds: Number(ev.value(service.timeout_seconds, `${where}.timeout_seconds`)),
    };
  }
  const pushSubscriptions: PushSubscriptionWiring[] = [];
  const pullSubscriptions: { name: string; topic: string }[] = [];
  for (const [name, body] of Object.entries<Json>(m.resources.google_pubsub_subscription ?? {})) {
    const where = `google_pubsub_subscription.${name}`;
    const topic = topicName(ev.value(body.topic, where));
    const push = first(body.push_config);
    if (!push) {
      pullSubscriptions.push({ name: ev.value(body.name, where), topic });
      continue;
    }
    const fn = /google_cloudfunctions2_function\.(\w+)\.service_config/.exec(push.push_endpoint)?.[1];
    if (!fn) throw new Error(`${where}: push_endpoint does not name a function: ${push.push_endpoint}`);
    const url = new URL(ev.value(push.push_endpoint, `${where}.push_endpoint`));
    const retry = first(body.retry_policy) ?? {};
    const dead = first(body.dead_letter_policy);
    if (!dead) throw new Error(`${where}: no dead_letter_policy`);
    pushSubscriptions.push({
      name: ev.value(body.name, where),
      topic,
      function: fn,
      path: url.pathname,
      ackDeadlineSeconds: Number(ev.value(body.ack_deadline_seconds ?? 10, where)),
      minimumBackoffMs: durationMs(ev.value(retry.minimum_backoff ?? '10s', where), `${where}.retry_policy`),
      maximumBackoffMs: durationMs(ev.value(retry.maximum_backoff ?? '600s', where), `${where}.retry_policy`),
      deadLetterTopic: topicName(ev.value(dead.dead_letter_topic, where)),
      maxDeliveryAttempts: Number(ev.value(dead.max_delivery_attempts, `${where}.dead_letter_policy`)),
    });
  }
  const topics = Object.keys(m.resources.google_pubsub_topic ?? {}).map((n) =>
    ev.value(m.resources.google_pubsub_topic[n].name, `google_pubsub_topic.${n}`),
  );
  const trigger = Object.values<Json>(m.resources.google_eventarc_trigger ?? {})[0];
  const criteria = ([] as Json[]).concat(trigger?.matching_criteria ?? []);
  const notifyEventType = criteria.find((c) => c.attribute === 'type')?.value;
  if (!notifyEventType) throw new Error('google_eventarc_trigger: no matching_criteria on type');
  return {
    projectId: vars.project_id,
    functions,
    pushSubscriptions,
    pullSubscriptions,
    topics,
    mirrorEnv: ev.value('${local.mirror_pool_env}', 'local.mirror_pool_env'),
    notifyEventType,
    maxDeliveryAttempts: Number(ev.value('${var.max_delivery_attempts}', 'var.max_delivery_attempts')),
  };
}
