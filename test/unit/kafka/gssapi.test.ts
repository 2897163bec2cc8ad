// The Kafka SASL GSSAPI exchange against a scripted GSS-API (the real one runs against the MIT KDC in
// test/integration/mirror-gssapi.test.ts): which tokens go to the broker, in which order, and the failure paths.
import { describe, expect, it } from 'vitest';
import type { KerberosClient } from 'kerberos';
import { authenticateGssapi, type GssapiDeps } from '../../../shared/kafka/security/gssapi.js';
import type { KerberosLogin } from '../../../shared/kafka/security/kerberos-login.js';

const login: KerberosLogin = { principal: 'c@R', keyTab: '/k', serviceName: 'kafka', key: 'consumer.sasl.jaas.config' };
const b64 = (bytes: number[] | string) => Buffer.from(bytes as never).toString('base64');

/** A GSS-API whose context completes on the second step (mutual authentication), then unwraps `offer`. */
function scripted(offer: number[], firstStep?: () => never) {
  const calls: string[] = [];
  const logins: boolean[] = [];
  /** KRB5CCNAME as each initializeClient saw it. */
  const caches: (string | undefined)[] = [];
  /** initializeClient calls under way: now, and at most. */
  const acquiring = { now: 0, most: 0 };
  let failFirst = firstStep;
  const client = {
    contextComplete: false,
    async step(challenge: string) {
      calls.push(`step(${challenge})`);
      if (challenge === '' && failFirst) {
        const fail = failFirst;
        failFirst = undefined;
        fail();
      }
      if (challenge === '') return b64('AP-REQ');
      client.contextComplete = true;
      return null as unknown as string;
    },
    async unwrap(challenge: string) {
      calls.push(`unwrap(${Buffer.from(challenge, 'base64')})`);
      return b64(offer);
    },
    async wrap(challenge: string, options?: { user?: string }) {
      calls.push(`wrap(${Buffer.from(challenge, 'base64').toString('hex')}, ${options?.user})`);
      return b64('WRAPPED-REPLY');
    },
  };
  const deps: GssapiDeps = {
    caches: {
      ensure: async (_l, force = false) => void logins.push(force),
      cacheFile: (l) => `/caches/${l.principal}`,
    },
    gss: {
      initializeClient: async (service: string, options?: { principal?: string }) => {
        calls.push(`init(${service}, ${options?.principal})`);
        caches.push(process.env.KRB5CCNAME);
        acquiring.now++;
        acquiring.most = Math.max(acquiring.most, acquiring.now);
        await new Promise((r) => setTimeout(r, 5)); // the native call runs on another thread meanwhile
        expect(process.env.KRB5CCNAME).toBe(caches.at(-1)); // nobody changed it under the call
        acquiring.now--;
        return client as unknown as KerberosClient;
      },
    },
  };
  return { calls, logins, caches, acquiring, deps };
}

describe('authenticateGssapi', () => {
  it('context steps, an empty token once established, then the wrapped security-layer reply', async () => {
    const { calls, logins, deps } = scripted([0x07, 0x00, 0x10, 0x00]);
    const brokerReplies = [Buffer.from('AP-REP'), Buffer.from('SECURITY-OFFER'), Buffer.alloc(0)];
    const sent: string[] = [];
    await authenticateGssapi(
      login,
      'broker-1.example',
      async (token) => {
        sent.push(token.toString());
        return brokerReplies.shift()!;
      },
      deps,
    );
    expect(sent).toEqual(['AP-REQ', '', 'WRAPPED-REPLY']);
    expect(calls).toEqual([
      'init(kafka@broker-1.example, c@R)',
      'step()',
      `step(${b64('AP-REP')})`,
      'unwrap(SECURITY-OFFER)',
      'wrap(07001000, c@R)', // the kerberos addon answers "no security layer" + the offered size + this authzid
    ]);
    expect(logins).toEqual([false]);
  });

  it('a broker that insists on a security layer is refused, naming the key', async () => {
    const { deps } = scripted([0x06, 0x00, 0x10, 0x00]);
    const replies = [Buffer.from('AP-REP'), Buffer.from('OFFER')];
    await expect(authenticateGssapi(login, 'b', async () => replies.shift()!, deps)).rejects.toThrow(
      'consumer.sasl.jaas.config: the broker b does not offer GSSAPI without a security layer',
    );
  });

  it('an expired ticket at the first step: one fresh login from the keytab, then the exchange goes on', async () => {
    const { calls, logins, deps } = scripted([0x01, 0, 0, 0], () => {
      throw new Error('The referenced credential has expired: Ticket expired');
    });
    const replies = [Buffer.from('AP-REP'), Buffer.from('OFFER'), Buffer.alloc(0)];
    await authenticateGssapi(login, 'b', async () => replies.shift()!, deps);
    expect(logins).toEqual([false, true]);
    expect(calls.filter((c) => c.startsWith('init'))).toHaveLength(2);
  });

  it('other GSS-API failures name the key, the principal and the service', async () => {
    const { deps } = scripted([1, 0, 0, 0], () => {
      throw new Error('Server kafka/b@R not found in Kerberos database');
    });
    await expect(authenticateGssapi(login, 'b', async () => Buffer.alloc(0), deps)).rejects.toThrow(
      /^consumer\.sasl\.jaas\.config: GSSAPI as c@R for kafka@b: Server kafka\/b@R not found .*sasl\.kerberos\.service\.name/,
    );
  });
});

describe('credential caches per client', () => {
  it("each client's credentials are acquired from its own cache, one at a time; KRB5CCNAME is put back", async () => {
    const before = process.env.KRB5CCNAME;
    process.env.KRB5CCNAME = 'FILE:/the/user/default';
    try {
      const { caches, acquiring, deps } = scripted([0x07, 0x00, 0x10, 0x00]);
      const other: KerberosLogin = { ...login, principal: 'other@R' };
      const broker = () => {
        const replies = [Buffer.from('AP-REP'), Buffer.from('SECURITY-OFFER'), Buffer.alloc(0)];
        return async () => replies.shift()!;
      };
      // Two clients authenticating at the same time, as two connectors' clients do in one worker.
      const both = Promise.all([
        authenticateGssapi(login, 'b1', broker(), deps),
        authenticateGssapi(other, 'b2', broker(), deps),
      ]);
      await both;
      expect(caches).toEqual(['FILE:/caches/c@R', 'FILE:/caches/other@R']);
      expect(acquiring.most).toBe(1);
      expect(process.env.KRB5CCNAME).toBe('FILE:/the/user/default');
    } finally {
      if (before === undefined) delete process.env.KRB5CCNAME;
      else process.env.KRB5CCNAME = before;
    }
  });
});
