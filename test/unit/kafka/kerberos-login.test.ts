// Ticket caches without a KDC: a stand-in `kinit` on PATH writes a credential cache (MIT FILE format, built here)
// or fails like MIT's does. Covers reading the ticket's lifetime, renewing at 80% of it, keeping a still-valid
// ticket when a renewal fails, and the errors that name the key.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KerberosTicketCaches,
  tgtLifetime,
  type KerberosLogin,
} from '../../../shared/kafka/security/kerberos-login.js';

const dir = mkdtempSync(join(tmpdir(), 'dsc-kinit-'));
const at = (name: string) => join(dir, name);
const savedPath = process.env.PATH;
const savedCcname = process.env.KRB5CCNAME;

/** An MIT FILE credential cache (v4) holding one TGT, valid from `start` to `end` (seconds). */
function ccache(start: number, end: number): Buffer {
  const parts: Buffer[] = [];
  const u16 = (n: number) => parts.push(Buffer.from([n >> 8, n & 0xff]));
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    parts.push(b);
  };
  const data = (s: string | Buffer) => {
    const b = Buffer.from(s);
    u32(b.length);
    parts.push(b);
  };
  const principal = (realm: string, ...names: string[]) => {
    u32(1);
    u32(names.length);
    data(realm);
    names.forEach((n) => data(n));
  };
  u16(0x0504);
  u16(0); // no header tags
  principal('R', 'c');
  principal('R', 'c'); // the credential: client, server, key, times, flags, addresses, authdata, tickets
  principal('R', 'krbtgt', 'R');
  u16(18);
  data(Buffer.alloc(32));
  [start, start, end, 0].forEach(u32);
  parts.push(Buffer.from([0]));
  u32(0);
  u32(0);
  u32(0);
  data('ticket');
  data('');
  return Buffer.concat(parts);
}

const login: KerberosLogin = {
  principal: 'c@R',
  keyTab: at('c.keytab'),
  serviceName: 'kafka',
  key: 'consumer.sasl.jaas.config',
};
const now = () => Math.floor(Date.now() / 1000);
const kinitCalls = () => (existsSync(at('calls')) ? readFileSync(at('calls'), 'utf8').trim().split('\n').length : 0);
const kinitWrites = (cache: Buffer) => {
  rmSync(at('fail'), { force: true });
  writeFileSync(at('cache'), cache);
};
const kinitFails = () => writeFileSync(at('fail'), '');

beforeAll(() => {
  writeFileSync(login.keyTab, 'not a real keytab');
  // kinit -k -t <keytab> -c FILE:<path> <principal>
  writeFileSync(
    at('kinit'),
    `#!/bin/sh\necho "$*" >> "${at('calls')}"\n` +
      `if [ -e "${at('fail')}" ]; then echo "kinit: Cannot contact any KDC for realm 'R' while getting initial credentials" >&2; exit 1; fi\n` +
      `cp "${at('cache')}" "\${5#FILE:}"\n`,
  );
  chmodSync(at('kinit'), 0o755);
  process.env.PATH = `${dir}:${savedPath}`;
});
afterAll(() => {
  process.env.PATH = savedPath;
  if (savedCcname === undefined) delete process.env.KRB5CCNAME;
  else process.env.KRB5CCNAME = savedCcname;
  rmSync(dir, { recursive: true, force: true });
});

describe('KerberosTicketCaches', () => {
  it('reads the TGT lifetime from a FILE credential cache', () => {
    expect(tgtLifetime(ccache(1000, 1600))).toEqual({ start: 1_000_000, end: 1_600_000 });
    expect(tgtLifetime(Buffer.from('garbage'))).toBeUndefined();
  });

  it('logs in once, renews at 80% of the lifetime, keeps a valid ticket when a renewal fails', async () => {
    const caches = new KerberosTicketCaches(at('cc'));
    // One clock reading per ticket: reading it again at the assertion may fall in the next second.
    const t0 = now();
    kinitWrites(ccache(t0 - 40, t0 + 10)); // 80% of 50 s is already past: the next use renews
    const environment = process.env.KRB5CCNAME;
    await caches.ensure(login);
    expect(kinitCalls()).toBe(1);
    expect(process.env.KRB5CCNAME, 'a login leaves the process environment alone').toBe(environment);
    expect(existsSync(caches.cacheFile(login))).toBe(true);
    expect(caches.endsAt(login)).toBe((t0 + 10) * 1000);

    kinitFails(); // the KDC is down now, but the ticket has 10 s left: keep it, try again in a few seconds
    await caches.ensure(login);
    expect(kinitCalls()).toBe(2);
    await caches.ensure(login);
    expect(kinitCalls()).toBe(2);
    await expect(caches.ensure(login, true)).rejects.toThrow(
      `consumer.sasl.jaas.config: cannot log in as c@R with keyTab ${login.keyTab}: Cannot contact any KDC for realm 'R'`,
    );

    const t1 = now();
    kinitWrites(ccache(t1, t1 + 3600));
    await caches.ensure(login, true);
    expect(caches.endsAt(login)).toBe((t1 + 3600) * 1000);
    await caches.ensure(login);
    expect(kinitCalls()).toBe(4); // fresh for an hour: no more logins
  });

  it('an expired ticket and a failing KDC: the error names the key and says where the KDC is configured', async () => {
    const caches = new KerberosTicketCaches(at('cc2'));
    const other = { ...login, principal: 'd@R' };
    kinitWrites(ccache(now() - 100, now() - 1));
    await caches.ensure(other);
    kinitFails();
    await expect(caches.ensure(other)).rejects.toThrow(
      /^consumer\.sasl\.jaas\.config: .*\(the KDC is unreachable: check/,
    );
  });

  it('a keytab that cannot be read is named with its path', async () => {
    const caches = new KerberosTicketCaches(at('cc3'));
    await expect(caches.ensure({ ...login, keyTab: at('missing.keytab') })).rejects.toThrow(
      `consumer.sasl.jaas.config: cannot read keyTab ${at('missing.keytab')}: ENOENT`,
    );
  });
});
