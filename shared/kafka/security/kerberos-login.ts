// Kerberos logins for GSSAPI clients, from a Krb5LoginModule JAAS entry (`useKeyTab=true keyTab=… principal=…`).
// Each principal+keytab gets its own ticket cache file in a per-process folder, filled by MIT `kinit -k -t <keytab>
// -c FILE:…`; a client's GSS-API credentials are acquired from that file alone (gssapi.ts names it for that one call),
// so two connectors with different principals never share or overwrite credentials, the user's default cache is
// never used, and the process environment keeps its KRB5CCNAME. Tickets are renewed from the keytab at 80% of their lifetime (Kafka's sasl.kerberos.ticket.renew.window
// .factor), or at once when a ticket turns out to have expired.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseJaasConfig } from '../../config/jaas-config.js';
import type { KafkaSecurity } from '../../config/spec.js';
import { KafkaSecurityError } from './security-error.js';

export const KRB5_LOGIN_MODULE = 'com.sun.security.auth.module.Krb5LoginModule';
const RENEW_WINDOW_FACTOR = 0.8;
const KINIT_TIMEOUT_MS = 30_000;
const RENEW_RETRY_MS = 5_000;

/** Who a GSSAPI client logs in as. `key` is the config key that holds the JAAS entry, for errors. */
export interface KerberosLogin {
  principal: string;
  keyTab: string;
  serviceName: string;
  key: string;
}

/** The Kerberos login of a GSSAPI client: principal and keytab from the JAAS entry, the broker's service name. */
export function gssapiLogin(security: KafkaSecurity): KerberosLogin {
  const prefix = security.keyPrefix ?? '';
  return kerberosLoginFrom(
    security.saslJaasConfig,
    security.saslKerberosServiceName?.trim() || 'kafka',
    `${prefix}sasl.jaas.config`,
  );
}

/** Reads principal and keytab from a Krb5LoginModule entry; throws KafkaSecurityError naming `key`. */
export function kerberosLoginFrom(jaasText: string | undefined, serviceName: string, key: string): KerberosLogin {
  if (!jaasText) throw new KafkaSecurityError(key, `is required for GSSAPI (${KRB5_LOGIN_MODULE} with a keyTab)`);
  const parsed = parseJaasConfig(jaasText);
  if (!parsed.ok) throw new KafkaSecurityError(key, parsed.reason);
  const { loginModule, options } = parsed.config;
  if (loginModule !== KRB5_LOGIN_MODULE)
    throw new KafkaSecurityError(key, `GSSAPI needs ${KRB5_LOGIN_MODULE}, not ${loginModule}`);
  if (options.useKeyTab?.toLowerCase() !== 'true' || !options.keyTab || !options.principal) {
    throw new KafkaSecurityError(
      key,
      'GSSAPI needs useKeyTab=true with keyTab="<file>" and principal="<name@REALM>" (ticket caches of other ' +
        'processes are not used)',
    );
  }
  return { principal: options.principal, keyTab: options.keyTab, serviceName, key };
}

interface Ticket {
  endsAt: number;
  renewAt: number;
}

/** Ticket end time of the TGT in a FILE-format credential cache (v3/v4), or undefined when unreadable. */
export function tgtLifetime(cache: Buffer): { start: number; end: number } | undefined {
  let pos = 0;
  const u16 = () => ((pos += 2), cache.readUInt16BE(pos - 2));
  const u32 = () => ((pos += 4), cache.readUInt32BE(pos - 4));
  const data = () => {
    const n = u32();
    pos += n;
    return cache.subarray(pos - n, pos);
  };
  const principal = () => {
    u32(); // name type
    const count = u32();
    const realm = data().toString('latin1');
    const parts = Array.from({ length: count }, () => data().toString('latin1'));
    return { realm, parts };
  };
  try {
    const version = u16();
    if (version !== 0x0504 && version !== 0x0503) return undefined;
    if (version === 0x0504) {
      const headerLength = u16();
      pos += headerLength;
    }
    principal();
    let best: { start: number; end: number } | undefined;
    while (pos < cache.length) {
      principal();
      const server = principal();
      u16(); // enctype
      if (version === 0x0503) u16();
      data(); // key
      const auth = u32();
      const start = u32() || auth;
      const end = u32();
      u32(); // renew till
      pos += 1 + 4; // is_skey, flags
      const skipTagged = () => {
        for (let n = u32(); n > 0; n--) {
          u16();
          data();
        }
      };
      skipTagged(); // addresses
      skipTagged(); // authdata
      data(); // ticket
      data(); // second ticket
      if (server.parts[0] === 'krbtgt' && (!best || end > best.end)) best = { start: start * 1000, end: end * 1000 };
    }
    return best;
  } catch {
    return undefined;
  }
}

const run = (cmd: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    execFile(cmd, args, { timeout: KINIT_TIMEOUT_MS, env: { ...process.env, LC_ALL: 'C' } }, (err, _out, stderr) => {
      if (!err) return resolve();
      const code = (err as NodeJS.ErrnoException).code;
      const text = String(stderr)
        .replace(/^kinit:\s*/gm, '')
        .replace(/\s+/g, ' ')
        .trim();
      reject(Object.assign(new Error(text || err.message), { code }));
    });
  });

/** Explains a kinit failure in terms of the config. */
function loginFailure(login: KerberosLogin, err: Error & { code?: unknown }): KafkaSecurityError {
  const who = `cannot log in as ${login.principal} with keyTab ${login.keyTab}`;
  if (err.code === 'ENOENT')
    return new KafkaSecurityError(login.key, `${who}: kinit not found (GSSAPI needs MIT Kerberos: Debian krb5-user)`);
  let hint = '';
  if (/Cannot contact any KDC|Cannot find KDC/i.test(err.message)) {
    hint = ` (the KDC is unreachable: check the realm's kdc in ${process.env.KRB5_CONFIG ?? '/etc/krb5.conf'})`;
  } else if (/no suitable keys|not found in Kerberos database/i.test(err.message)) {
    hint = ' (the principal does not match the keytab or the KDC: check principal=)';
  }
  return new KafkaSecurityError(login.key, `${who}: ${err.message}${hint}`);
}

/** The process's ticket caches, one file per principal+keytab. */
export class KerberosTicketCaches {
  private readonly tickets = new Map<string, Ticket>();
  private readonly pending = new Map<string, Promise<void>>();
  private folderReady = false;

  constructor(private readonly dir = process.env.DSC_KRB5_CCACHE_DIR ?? join(tmpdir(), `dsc-krb5cc-${process.pid}`)) {}

  /** The cache file of a login. */
  cacheFile(login: KerberosLogin): string {
    const id = createHash('sha256').update(`${login.principal}\0${login.keyTab}`).digest('hex').slice(0, 16);
    return join(this.dir, `tkt-${id}`);
  }

  /** Makes sure a valid ticket for the login is in its cache, logging in from the keytab if needed. */
  async ensure(login: KerberosLogin, force = false): Promise<void> {
    const id = this.cacheFile(login);
    const ticket = this.tickets.get(id);
    if (!force && ticket && Date.now() < ticket.renewAt) return;
    let p = this.pending.get(id);
    if (!p) {
      p = this.login(login).finally(() => this.pending.delete(id));
      this.pending.set(id, p);
    }
    try {
      await p;
    } catch (err) {
      // A renewal that fails (KDC briefly down) while the ticket still has life left: keep using it, as Kafka's Java
      // client does, and try again later; once it has expired the failure is the caller's.
      if (force || !ticket || Date.now() >= ticket.endsAt - RENEW_RETRY_MS) throw err;
      ticket.renewAt = Date.now() + RENEW_RETRY_MS;
    }
  }

  private async login(login: KerberosLogin): Promise<void> {
    try {
      accessSync(login.keyTab, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new KafkaSecurityError(login.key, `cannot read keyTab ${login.keyTab}: ${code}`);
    }
    this.useFolder();
    const file = this.cacheFile(login);
    // A fresh cache is written beside the cache and renamed over it: a connection authenticating meanwhile
    // reads the old cache or the new one, never a half-written one.
    const fresh = join(this.dir, `.new-${basename(file)}-${process.hrtime.bigint()}`);
    try {
      await run('kinit', ['-k', '-t', login.keyTab, '-c', `FILE:${fresh}`, login.principal]);
    } catch (err) {
      rmSync(fresh, { force: true });
      throw loginFailure(login, err as Error);
    }
    try {
      renameSync(fresh, file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new KafkaSecurityError(login.key, `kinit left no ticket cache for ${login.principal} (${code})`);
    }
    const life = tgtLifetime(readFileSync(file));
    const now = Date.now();
    const start = life?.start ?? now;
    const end = life?.end ?? now + 60_000;
    this.tickets.set(file, { endsAt: end, renewAt: start + (end - start) * RENEW_WINDOW_FACTOR });
  }

  /** When the ticket of a login ends (ms since epoch), if logged in. */
  endsAt(login: KerberosLogin): number | undefined {
    return this.tickets.get(this.cacheFile(login))?.endsAt;
  }

  private useFolder(): void {
    if (this.folderReady) return;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Tickets are credentials: they leave with the process (a killed one leaves them to the tmp cleaner, mode 0700).
    process.once('exit', () => rmSync(this.dir, { recursive: true, force: true }));
    this.folderReady = true;
  }
}

/** The process's caches: a login is made once however many clients use it. */
export const ticketCaches = new KerberosTicketCaches();
