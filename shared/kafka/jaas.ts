// Parses Kafka's `sasl.jaas.config` value: `<LoginModule class> <flag> key="value" key2=value2;`.
// Only the options matter to kafkajs (username/password, OAuth unsecured claims); the module class names the family.

export interface JaasConfig {
  loginModule: string;
  flag: string;
  options: Record<string, string>;
}

/** A parse failure that names what is wrong without echoing the (secret) text. */
export class JaasConfigError extends Error {
  constructor(reason: string) {
    super(`sasl.jaas.config: ${reason}`);
    this.name = 'JaasConfigError';
  }
}

/** `a.b.PlainLoginModule required username="u" password="p";` → module, flag and options (quotes and escapes removed). */
export function parseJaasConfig(text: string): JaasConfig {
  let i = 0;
  const s = text.trim();
  const skipSpace = () => {
    while (i < s.length && /\s/.test(s[i])) i++;
  };
  const word = (): string => {
    const start = i;
    while (i < s.length && !/[\s=;]/.test(s[i])) i++;
    return s.slice(start, i);
  };
  skipSpace();
  const loginModule = word();
  if (!loginModule) throw new JaasConfigError('expected a login module class name');
  skipSpace();
  const flag = word();
  if (!/^(required|requisite|sufficient|optional)$/.test(flag)) {
    throw new JaasConfigError(
      `expected a control flag (required, requisite, sufficient, optional) after ${loginModule}`,
    );
  }
  const options: Record<string, string> = {};
  for (;;) {
    skipSpace();
    if (i >= s.length || s[i] === ';') break;
    const key = word();
    if (!key) throw new JaasConfigError(`unexpected character at position ${i}`);
    skipSpace();
    if (s[i] !== '=') throw new JaasConfigError(`option ${key} has no '=' value`);
    i++;
    skipSpace();
    let value = '';
    if (s[i] === '"' || s[i] === "'") {
      const quote = s[i++];
      let closed = false;
      while (i < s.length) {
        const c = s[i++];
        if (c === '\\' && i < s.length) value += s[i++];
        else if (c === quote) {
          closed = true;
          break;
        } else value += c;
      }
      if (!closed) throw new JaasConfigError(`option ${key} has an unterminated quoted value`);
    } else {
      value = word();
    }
    options[key] = value;
  }
  if (s[i] !== ';') throw new JaasConfigError('must end with ";"');
  return { loginModule, flag, options };
}

/** A JAAS string for username/password modules, quoting values so they survive parseJaasConfig. */
export function jaasConfigFor(loginModule: string, options: Record<string, string>): string {
  const quote = (v: string) => '"' + v.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  const parts = Object.entries(options).map(([k, v]) => `${k}=${quote(v)}`);
  return `${loginModule} required ${parts.join(' ')};`;
}
