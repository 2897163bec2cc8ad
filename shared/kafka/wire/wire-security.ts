// Security for the wire adapter: the same `security.protocol` / `ssl.*` / `sasl.*` mapping as the kafkajs adapter
// (security.ts reads the stores and the JAAS config once), turned into @platformatic/kafka connection options.
// GSSAPI plugs in here: a `sasl.authenticate` function (the Kerberos module's) runs Kafka's GSSAPI exchange.
import type { ConnectionOptions } from './platformatic.js';
import type { KafkaSecurity } from '../../config/spec.js';
import { kafkaJsSecurity, KafkaSecurityError } from '../kafkajs/kafkajs-security.js';
import { wireGssapiAuthenticator } from './wire-gssapi.js';

/** TLS and SASL options for @platformatic/kafka connections. Throws KafkaSecurityError naming the setting. */
export function wireSecurity(security: KafkaSecurity): Pick<ConnectionOptions, 'tls' | 'sasl'> {
  const mechanism = (security.saslMechanism ?? 'GSSAPI').toUpperCase();
  if (security.protocol.startsWith('SASL_') && mechanism === 'GSSAPI') {
    const tls = security.protocol === 'SASL_SSL' ? kafkaJsSecurity({ ...security, protocol: 'SSL' }).ssl : undefined;
    return {
      ...(tls && typeof tls === 'object' && { tls }),
      sasl: { mechanism: 'GSSAPI', authenticate: wireGssapiAuthenticator(security) },
    };
  }
  const { ssl, sasl } = kafkaJsSecurity(security);
  const out: Pick<ConnectionOptions, 'tls' | 'sasl'> = {};
  if (ssl) out.tls = ssl === true ? {} : ssl;
  if (!sasl) return out;
  // kafkajs' SASL union includes custom mechanisms; security.ts only ever returns these four shapes.
  const s = sasl as { mechanism: string; username: string; password: string };
  switch (s.mechanism) {
    case 'plain':
      out.sasl = { mechanism: 'PLAIN', username: s.username, password: s.password };
      break;
    case 'scram-sha-256':
      out.sasl = { mechanism: 'SCRAM-SHA-256', username: s.username, password: s.password };
      break;
    case 'scram-sha-512':
      out.sasl = { mechanism: 'SCRAM-SHA-512', username: s.username, password: s.password };
      break;
    case 'oauthbearer': {
      const provider = (sasl as unknown as { oauthBearerProvider: () => Promise<{ value: string }> })
        .oauthBearerProvider;
      out.sasl = { mechanism: 'OAUTHBEARER', token: async () => (await provider()).value };
      break;
    }
    default:
      throw new KafkaSecurityError('sasl.mechanism', `${s.mechanism} is not supported by the wire adapter`);
  }
  return out;
}
