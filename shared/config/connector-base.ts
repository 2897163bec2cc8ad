// What every connector section has, whatever its class: name, class, tasks.max and the errors.* policy.
import type { DeliveryPolicy, ErrorPolicy, SpecBase } from './spec.js';
import { readTopicName } from './kafka-names.js';
import type { SettingReader } from './setting-reader.js';

/** A spec's common fields as read now: delivery is always set (only specs stored before it lack one). */
export type SpecBaseFields = SpecBase & { delivery: DeliveryPolicy };

export function readConnectorName(r: SettingReader): string {
  const name = r.required('name', 'is required: it names the connector in every dsc command');
  // The name becomes a document id and a URL path segment.
  if (name !== '' && (name.includes('/') || /\p{Cc}/u.test(name) || name.length > 200 || /^\.\.?$/.test(name)))
    r.error(
      'name',
      `${JSON.stringify(name)} cannot be a connector name: no '/', control characters, '.' or '..', at most 200 characters`,
    );
  return name;
}

export function readErrorPolicy(r: SettingReader): ErrorPolicy {
  const policy: ErrorPolicy = {
    tolerance: r.choice('errors.tolerance', ['none', 'all'] as const),
    deadLetterContextHeaders: r.bool('errors.deadletterqueue.context.headers.enable'),
  };
  // Known, and read where the topic is created (deadLetterReplicationFactor), so stored specs keep their value.
  r.has('errors.deadletterqueue.topic.replication.factor');
  const dlq = readTopicName(r, 'errors.deadletterqueue.topic.name', false);
  if (dlq !== undefined) policy.deadLetterTopic = dlq;
  if (dlq !== undefined && policy.tolerance === 'none')
    r.warn(
      'errors.deadletterqueue.topic.name',
      'has no effect with errors.tolerance=none (the first bad record fails the task)',
    );
  return policy;
}

/**
 * The most tasks a connector plans. A file task needs a file or a 64 MiB range of one, a mirror task a partition; a
 * bigger tasks.max cannot be honoured and only costs memory in the planner.
 */
export const TASKS_MAX_CEILING = 1024;

function readTasksMax(r: SettingReader): number {
  const n = r.positiveInt('tasks.max');
  if (n <= TASKS_MAX_CEILING) return n;
  r.warn(
    'tasks.max',
    `${n} cannot be honoured: at most ${TASKS_MAX_CEILING} tasks are planned (one per file, 64 MiB byte range or partition)`,
  );
  return TASKS_MAX_CEILING;
}

export function readSpecBase(r: SettingReader, connectorClass: string): SpecBaseFields {
  return {
    name: readConnectorName(r),
    connectorClass,
    tasksMax: readTasksMax(r),
    section: r.section,
    settings: r.settings,
    origins: r.origins,
    errors: readErrorPolicy(r),
    delivery: readDeliveryPolicy(r),
  };
}

/** Kafka Connect's exactly-once source keys (KIP-618), per connector here since dsc has no worker config. */
export function readDeliveryPolicy(r: SettingReader): DeliveryPolicy {
  const support = r.choice('exactly.once.source.support', ['enabled', 'disabled'] as const);
  return {
    exactlyOnce: support === 'enabled',
    transactionIntervalMs: r.integer('transaction.boundary.interval.ms', 1),
  };
}
