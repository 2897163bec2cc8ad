// The Kafka SASL GSSAPI (Kerberos) exchange, independent of the Kafka client: each engine adapter supplies `send`,
// which carries one SASL token to the broker (SaslAuthenticate) and returns the broker's reply.
//
// RFC 4752 as Kafka's Java client does it: GSS-API context steps until the context is established (then one empty
// token), the broker's wrapped 4-byte security-layer offer is unwrapped, and the reply "no security layer" + the
// authorization id (our principal) goes back wrapped. The GSS-API calls are the npm `kerberos` package (MIT libgssapi).
import { createRequire } from 'node:module';
import type * as KerberosModule from 'kerberos';
import { KafkaSecurityError } from './security-error.js';
import { ticketCaches, type KerberosLogin, type KerberosTicketCaches } from './kerberos-login.js';

export type SaslSend = (token: Buffer) => Promise<Buffer>;

const SECURITY_LAYER_NONE = 0x01;
const MAX_STEPS = 10;

let kerberosModule: typeof KerberosModule | undefined;
/** Loaded on first use: the native addon is only needed by GSSAPI clients. */
function kerberos(key: string): typeof KerberosModule {
  if (!kerberosModule) {
    try {
      kerberosModule = createRequire(import.meta.url)('kerberos') as typeof KerberosModule;
    } catch (err) {
      throw new KafkaSecurityError(
        key,
        `GSSAPI needs the kerberos native addon (npm kerberos, built against libkrb5): ${(err as Error).message}`,
      );
    }
  }
  return kerberosModule;
}

/** What the exchange uses; tests pass fakes. */
export interface GssapiDeps {
  caches?: Pick<KerberosTicketCaches, 'ensure' | 'cacheFile'>;
  gss?: Pick<typeof KerberosModule, 'initializeClient'>;
}

/**
 * Runs `acquire` with KRB5CCNAME naming one client's cache, one call at a time, and puts the previous value back.
 * The kerberos package (7.x) has no per-client cache option: its initializeClient calls gss_acquire_cred for the
 * principal, which reads KRB5CCNAME then (MIT's gss_krb5_ccache_name and gss_acquire_cred_from, the per-thread and
 * per-call ways, are not exposed) and binds the cache it found to the credentials; later steps use those
 * credentials, whatever KRB5CCNAME says by then. So the variable is process state only around that call, under
 * this lock, for the clients of both adapters.
 */
let acquiring: Promise<unknown> = Promise.resolve();
export function withCredentialCache<T>(cache: string, acquire: () => Promise<T>): Promise<T> {
  const run = acquiring.then(async () => {
    const previous = process.env.KRB5CCNAME;
    process.env.KRB5CCNAME = cache;
    try {
      return await acquire();
    } finally {
      if (previous === undefined) delete process.env.KRB5CCNAME;
      else process.env.KRB5CCNAME = previous;
    }
  });
  acquiring = run.catch(() => {});
  return run;
}

const b64 = (buf: Buffer) => buf.toString('base64');
const unb64 = (text: string | null | undefined) => Buffer.from(text ?? '', 'base64');
const expired = (err: unknown) => /expired/i.test(String((err as Error)?.message ?? err));

/**
 * Authenticates one connection to `host` as `login.principal`. Logs in from the keytab first if the principal has no
 * valid ticket; a ticket that expired anyway (clock, revoked) triggers one fresh login and a retry of the first step.
 */
export async function authenticateGssapi(
  login: KerberosLogin,
  host: string,
  send: SaslSend,
  deps: GssapiDeps = {},
): Promise<void> {
  const caches = deps.caches ?? ticketCaches;
  await caches.ensure(login);
  const krb = deps.gss ?? kerberos(login.key);
  const service = `${login.serviceName}@${host}`;
  const start = async () => {
    const cache = `FILE:${caches.cacheFile(login)}`;
    const client = await withCredentialCache(cache, () =>
      krb.initializeClient(service, { principal: login.principal }),
    );
    return { client, token: await client.step('') };
  };
  let first: { client: KerberosModule.KerberosClient; token: string };
  try {
    first = await start().catch(async (err: unknown) => {
      if (!expired(err)) throw err;
      await caches.ensure(login, true);
      return start();
    });
  } catch (err) {
    throw gssFailure(login, service, err);
  }
  const { client } = first;
  let reply = await send(unb64(first.token));
  for (let steps = 0; !client.contextComplete; steps++) {
    if (steps >= MAX_STEPS) throw new KafkaSecurityError(login.key, `GSSAPI context with ${service} did not complete`);
    let token: string;
    try {
      token = await client.step(b64(reply));
    } catch (err) {
      throw gssFailure(login, service, err);
    }
    reply = await send(unb64(token));
  }
  // `reply` is now the broker's wrapped security-layer offer: 1 byte of layers, 3 bytes of maximum message size.
  const offer = unb64(await client.unwrap(b64(reply)));
  if (offer.length !== 4 || (offer[0] & SECURITY_LAYER_NONE) === 0) {
    throw new KafkaSecurityError(login.key, `the broker ${host} does not offer GSSAPI without a security layer`);
  }
  // kerberos' wrap with `user` answers "no security layer" + the size it was offered + the authorization id.
  await send(unb64(await client.wrap(b64(offer), { user: login.principal })));
}

function gssFailure(login: KerberosLogin, service: string, err: unknown): KafkaSecurityError {
  const text = String((err as Error)?.message ?? err).replace(/\s+/g, ' ');
  let hint = '';
  if (/Server .* not found in Kerberos database/i.test(text))
    hint = ` (check sasl.kerberos.service.name and that the broker's principal is ${login.serviceName}/<host>)`;
  return new KafkaSecurityError(login.key, `GSSAPI as ${login.principal} for ${service}: ${text}${hint}`);
}
