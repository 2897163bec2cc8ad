// Dead-letter records in Kafka Connect's shape: the failed record's bytes, and (context headers enabled) the
// `__connect.errors.*` headers that say where it came from and why it failed.

/** Kafka Connect's `ErrorReporter` stages. */
export type ErrorStage =
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'TRANSFORMATION'
  | 'TASK_PUT'
  | 'TASK_POLL'
  | 'KAFKA_PRODUCE'
  | 'KAFKA_CONSUME';

export interface DeadLetterContext {
  /** The topic the record was headed for (a file connector) or came from (a mirror). */
  topic: string;
  connector: string;
  taskId: number;
  stage: ErrorStage;
  reason: string;
  /** For a record consumed from Kafka (mirror). */
  partition?: number;
  offset?: string;
  exceptionClass?: string;
}

const PREFIX = '__connect.errors.';

/** The `__connect.errors.*` headers as DeadLetterQueueReporter writes them. */
export function deadLetterHeaders(ctx: DeadLetterContext): Record<string, string> {
  return {
    [`${PREFIX}topic`]: ctx.topic,
    ...(ctx.partition !== undefined && { [`${PREFIX}partition`]: String(ctx.partition) }),
    ...(ctx.offset !== undefined && { [`${PREFIX}offset`]: ctx.offset }),
    [`${PREFIX}connector.name`]: ctx.connector,
    [`${PREFIX}task.id`]: String(ctx.taskId),
    [`${PREFIX}stage`]: ctx.stage,
    [`${PREFIX}exception.class.name`]: ctx.exceptionClass ?? 'org.apache.kafka.connect.errors.DataException',
    [`${PREFIX}exception.message`]: ctx.reason,
  };
}

/** A dead-letter record before it is encoded into a batch. */
export interface DeadLetterRecord {
  key?: Buffer | string | null;
  value: Buffer | string;
  headers: Record<string, string>;
}

/**
 * A record for the dead-letter topic: `value` as read, `headers` of the original (e.g. dsc.source, dsc.line)
 * plus, when `contextHeaders` (errors.deadletterqueue.context.headers.enable), the error context.
 */
export function deadLetterMessage(
  value: Buffer | string,
  ctx: DeadLetterContext,
  options: { contextHeaders: boolean; headers?: Record<string, string>; key?: Buffer | string | null },
): DeadLetterRecord {
  return {
    ...(options.key !== undefined && { key: options.key }),
    value,
    headers: { ...options.headers, ...(options.contextHeaders ? deadLetterHeaders(ctx) : {}) },
  };
}
