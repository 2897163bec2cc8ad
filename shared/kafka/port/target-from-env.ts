// The deployment's target Kafka from its environment (the Cloud Function entries and `dsc tigergraph`), in the
// port's neutral endpoint type: whichever adapter then connects to it.
import type { KafkaEndpoint, KafkaSecurity, SecurityProtocol } from '../../config/spec.js';
import { jaasConfigFor } from '../../config/jaas-config.js';
import { KafkaSecurityError } from '../security/security-error.js';

const PROTOCOLS: SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

const LOGIN_MODULES: Record<string, string> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};

/**
 * The deployment's target Kafka from the environment: KAFKA_BROKERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM,
 * KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_CA_PEM (a PEM file path or the PEM text itself).
 */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaEndpoint {
  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const protocol = (env.KAFKA_SECURITY_PROTOCOL || 'PLAINTEXT').toUpperCase() as SecurityProtocol;
  if (!PROTOCOLS.includes(protocol)) {
    throw new KafkaSecurityError('KAFKA_SECURITY_PROTOCOL', `${protocol} is not one of ${PROTOCOLS.join(', ')}`);
  }
  const security: KafkaSecurity = { protocol };
  if (protocol.startsWith('SASL_')) {
    const mechanism = (env.KAFKA_SASL_MECHANISM || 'PLAIN').toUpperCase();
    security.saslMechanism = mechanism;
    const module = LOGIN_MODULES[mechanism];
    if (!module)
      throw new KafkaSecurityError(
        'KAFKA_SASL_MECHANISM',
        `${mechanism} is not one of ${Object.keys(LOGIN_MODULES).join(', ')}`,
      );
    security.saslJaasConfig = jaasConfigFor(module, {
      username: env.KAFKA_SASL_USERNAME ?? '',
      password: env.KAFKA_SASL_PASSWORD ?? '',
    });
  }
  if (protocol.endsWith('SSL') && env.KAFKA_SSL_CA_PEM) security.sslTruststoreLocation = env.KAFKA_SSL_CA_PEM;
  return { brokers, security };
}
