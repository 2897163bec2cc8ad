// `sasl.jaas.config` values: `<LoginModule> <flag> key=value key="value" ...;`. kafkajs takes a username and a
// password instead, so the Kafka client factory reads them from here.

export interface JaasConfig {
  loginModule: string;
  controlFlag: 'required' | 'requisite' | 'sufficient' | 'optional';
  /** Option values with their quotes removed. Contains secrets (`password`): never log it. */
  options: Record<string, string>;
}

export type JaasParse = { ok: true; config: JaasConfig } | { ok: false; reason: string };

const HEAD = /^\s*([A-Za-z_$][\w$.]*)\s+(required|requisite|sufficient|optional)\b([\s\S]*)$/;
const OPTION = /\s*([A-Za-z_][\w.-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/y;

/** Parses one login module entry. Reasons never contain option values. */
export function parseJaasConfig(text: string): JaasParse {
  const head = HEAD.exec(text);
  if (!head) return { ok: false, reason: 'expected "<LoginModule class> required key=value ...;"' };
  const options: Record<string, string> = {};
  const body = head[3];
  let pos = 0;
  for (;;) {
    OPTION.lastIndex = pos;
    const m = OPTION.exec(body);
    if (!m) break;
    options[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    pos = OPTION.lastIndex;
  }
  const rest = body.slice(pos).trim();
  if (rest !== '' && rest !== ';') {
    return { ok: false, reason: `cannot read the options after ${head[1]} (expected key=value or key="value" pairs)` };
  }
  return {
    ok: true,
    config: { loginModule: head[1], controlFlag: head[2] as JaasConfig['controlFlag'], options },
  };
}

/** A JAAS entry for username/password modules, quoting values so they survive parseJaasConfig. */
export function jaasConfigFor(loginModule: string, options: Record<string, string>): string {
  const quote = (v: string) => '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  const parts = Object.entries(options).map(([k, v]) => `${k}=${quote(v)}`);
  return `${loginModule} required ${parts.join(' ')};`;
}
