// Kafka error codes and @platformatic/kafka errors → KafkaError (neutral: a name, whether it is retriable).
import { protocolErrors, protocolErrorsCodesById } from './platformatic.js';
import { KafkaError } from '../port/kafka-port.js';
import { KafkaSecurityError } from '../security/security-error.js';

export function errorName(code: number): string {
  return (protocolErrorsCodesById as Record<number, string>)[code] ?? `KAFKA_ERROR_${code}`;
}

const RETRIABLE_EXTRA = new Set(['NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);

export function retriable(code: number): boolean {
  const name = errorName(code);
  const known = (protocolErrors as Record<string, { canRetry: boolean } | undefined>)[name];
  return RETRIABLE_EXTRA.has(name) || known?.canRetry === true;
}

/** Errors after which the partition's leader may have moved: refresh metadata before retrying. */
export function staleMetadata(code: number): boolean {
  return [3, 5, 6, 74, 75].includes(code); // UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER, FENCED/UNKNOWN_LEADER_EPOCH
}

export function kafkaErrorFor(code: number, what: string, serverMessage?: string | null): KafkaError {
  const name = errorName(code);
  return new KafkaError(`${what}: ${name}${serverMessage ? ` (${serverMessage})` : ''}`, name, retriable(code));
}

/** Any error from the library (network, timeout, protocol) as a KafkaError saying what was being done. */
export function kafkaErrorOf(err: unknown, what: string): KafkaError {
  if (err instanceof KafkaError) return err;
  // A security setting that cannot be honoured (a keytab, a principal, a store) is the reason, whatever the library
  // wrapped it in: it names the setting, so it leads the message.
  const security = securityErrorIn(err);
  if (security) return new KafkaError(security.message, undefined, false, { cause: err });
  const e = err as { message?: string; apiId?: string; canRetry?: boolean; errors?: { apiId?: string }[] };
  const inner = e.errors?.find((x) => x.apiId)?.apiId ?? e.apiId;
  const detail = inner ?? e.message ?? String(err);
  // Network errors and timeouts are worth a retry; protocol errors say for themselves.
  const retry = inner ? retriableName(inner) : true;
  return new KafkaError(`${what}: ${detail}`, inner, retry, { cause: err });
}

function retriableName(name: string): boolean {
  return (
    RETRIABLE_EXTRA.has(name) || (protocolErrors as Record<string, { canRetry: boolean }>)[name]?.canRetry === true
  );
}

/** A KafkaSecurityError among an error's causes (the library nests them: MultipleErrors → NetworkError → ...). */
function securityErrorIn(err: unknown, depth = 0): KafkaSecurityError | undefined {
  if (err instanceof KafkaSecurityError) return err;
  if (depth > 8 || typeof err !== 'object' || err === null) return undefined;
  const e = err as { cause?: unknown; errors?: unknown[] };
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = securityErrorIn(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}
