import { describe, expect, it } from 'vitest';
import { AuthConfigError, authFromEnv, iamAuth, tokenAuth } from '../../../shared/lifecycle/auth.js';
import { createLogger } from '../../../shared/runtime/log.js';

describe('tokenAuth', () => {
  const auth = tokenAuth('s3cret-token');

  it('accepts the exact bearer token, case-insensitive scheme', () => {
    expect(auth.check({ authorization: 'Bearer s3cret-token' })).toEqual({ ok: true });
    expect(auth.check({ authorization: 'bearer s3cret-token' })).toEqual({ ok: true });
  });

  it('refuses a missing, malformed, shorter or longer token', () => {
    expect(auth.check({}).ok).toBe(false);
    expect(auth.check({ authorization: 'Basic abc' }).ok).toBe(false);
    expect(auth.check({ authorization: 'Bearer s3cret' }).ok).toBe(false);
    expect(auth.check({ authorization: 'Bearer s3cret-token-and-more' }).ok).toBe(false);
  });

  it('refuses to exist without a token', () => {
    expect(() => tokenAuth('')).toThrow(AuthConfigError);
  });
});

describe('iamAuth', () => {
  it('needs an Authorization header only (IAM verified it upstream)', () => {
    expect(iamAuth().check({ authorization: 'Bearer any.id.token' }).ok).toBe(true);
    expect(iamAuth().check({}).ok).toBe(false);
  });
});

describe('authFromEnv', () => {
  it('refuses to start when DSC_AUTH is unset, naming the three choices', () => {
    expect(() => authFromEnv({})).toThrow('set DSC_AUTH=token with DSC_API_TOKEN, iam, or none for local mode');
    expect(() => authFromEnv({ DSC_AUTH: 'open' })).toThrow(/DSC_AUTH=open is not known/);
    expect(() => authFromEnv({ DSC_AUTH: 'token' })).toThrow(/DSC_API_TOKEN/);
  });

  it('builds each mode and warns once for local mode', () => {
    const lines: string[] = [];
    const log = createLogger({}, (l) => lines.push(l));
    expect(authFromEnv({ DSC_AUTH: 'token', DSC_API_TOKEN: 't' }, log).mode).toBe('token');
    expect(authFromEnv({ DSC_AUTH: 'iam' }, log).mode).toBe('iam');
    expect(lines).toHaveLength(0);
    const none = authFromEnv({ DSC_AUTH: 'none' }, log);
    expect(none.mode).toBe('none');
    expect(none.check({}).ok).toBe(true);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ severity: 'WARNING' });
  });
});
