// GSSAPI for the wire adapter: @platformatic/kafka's `sasl.authenticate` hook runs the engine-neutral exchange of
// gssapi.ts, one SaslAuthenticate request per token.
import type { Connection, SASLCustomAuthenticator } from '@platformatic/kafka';
import type { KafkaSecurity } from '../../config/spec.js';
import { authenticateGssapi } from '../security/gssapi.js';
import { gssapiLogin } from '../security/kerberos-login.js';

type SaslResponse = NonNullable<Parameters<Parameters<SASLCustomAuthenticator>[6]>[1]>;
type SaslApi = Parameters<SASLCustomAuthenticator>[2];

function exchange(api: SaslApi, connection: Connection, token: Buffer): Promise<SaslResponse> {
  return new Promise((resolve, reject) => {
    api(connection, token, (err: Error | null | undefined, response?: SaslResponse) =>
      err ? reject(err) : resolve(response!),
    );
  });
}

/** The `sasl.authenticate` function for a GSSAPI security block (principal and keytab from its JAAS config). */
export function wireGssapiAuthenticator(security: KafkaSecurity): SASLCustomAuthenticator {
  const login = gssapiLogin(security);
  return (_mechanism, connection, api, _user, _password, _token, callback) => {
    let last: SaslResponse | undefined;
    const send = async (token: Buffer) => {
      const response = await exchange(api, connection, token);
      last = response;
      return response.authBytes ?? Buffer.alloc(0);
    };
    authenticateGssapi(login, connection.host ?? '', send).then(
      () => callback(null, last!),
      (err: Error) => callback(err, undefined as unknown as SaslResponse),
    );
  };
}
