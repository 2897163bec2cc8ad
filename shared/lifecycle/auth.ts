// Who may call the management API. Chosen explicitly through DSC_AUTH: an unset value refuses to start rather
// than silently serving an open API.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../runtime/log.js';

export type AuthMode = 'token' | 'iam' | 'none';

export type AuthResult = { ok: true } | { ok: false; message: string };

export interface AuthPolicy {
  mode: AuthMode;
  check(headers: Record<string, string | string[] | undefined>): AuthResult;
}

export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthConfigError';
  }
}

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

// Hashing first gives equal-length inputs, so timingSafeEqual neither throws nor leaks the token's length.
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function tokenAuth(token: string): AuthPolicy {
  if (!token) throw new AuthConfigError('DSC_AUTH=token needs DSC_API_TOKEN set to a non-empty token');
  const expected = digest(token);
  return {
    mode: 'token',
    check(headers) {
      const value = header(headers, 'authorization');
      if (!value) return { ok: false, message: 'missing Authorization: Bearer <token>' };
      const m = /^Bearer\s+(.+)$/i.exec(value.trim());
      if (!m) return { ok: false, message: 'Authorization must be "Bearer <token>"' };
      return timingSafeEqual(digest(m[1]), expected) ? { ok: true } : { ok: false, message: 'invalid token' };
    },
  };
}

/** Cloud Functions / Cloud Run IAM verified the identity token before the request got here. */
export function iamAuth(): AuthPolicy {
  return {
    mode: 'iam',
    check: (headers) =>
      header(headers, 'authorization')
        ? { ok: true }
        : { ok: false, message: 'missing Authorization header (an IAM identity token)' },
  };
}

/** Explicit local mode: anyone who can reach the port may manage connectors. */
export function noAuth(): AuthPolicy {
  return { mode: 'none', check: () => ({ ok: true }) };
}

export function authFromEnv(env: NodeJS.ProcessEnv = process.env, log?: Logger): AuthPolicy {
  switch (env.DSC_AUTH) {
    case 'token':
      return tokenAuth(env.DSC_API_TOKEN ?? '');
    case 'iam':
      return iamAuth();
    case 'none':
      log?.warn('DSC_AUTH=none: the management API accepts every request (local mode only)');
      return noAuth();
    case undefined:
    case '':
      throw new AuthConfigError(
        'DSC_AUTH is not set: set DSC_AUTH=token with DSC_API_TOKEN, iam, or none for local mode',
      );
    default:
      throw new AuthConfigError(
        `DSC_AUTH=${env.DSC_AUTH} is not known: set DSC_AUTH=token with DSC_API_TOKEN, iam, or none for local mode`,
      );
  }
}
