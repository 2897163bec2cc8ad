// The wire format of dispatch messages on Pub/Sub: JSON in the message data. The push side (a Cloud Function with
// a Pub/Sub trigger) receives it as a CloudEvent whose `data.message.data` is that JSON, base64-encoded.
import type { PlanMessage, TaskMessage } from './dispatcher.js';

export class PubSubMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PubSubMessageError';
  }
}

export function encodeMessage(message: PlanMessage | TaskMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

/** The part of a functions-framework CloudEvent we read (`google.cloud.pubsub.topic.v1.messagePublished`). */
export interface PubSubCloudEventLike {
  id?: string;
  type?: string;
  data?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The message a Pub/Sub CloudEvent carries. Throws PubSubMessageError naming what is missing or malformed,
 * so the function can log it and ack (a malformed message never becomes valid by redelivery).
 */
export function decodePubSubCloudEvent<T>(event: PubSubCloudEventLike, guard?: (value: unknown) => value is T): T {
  const where = `CloudEvent ${event?.id ?? '(no id)'}`;
  if (!isObject(event?.data)) throw new PubSubMessageError(`${where} has no data`);
  const message = event.data.message;
  if (!isObject(message)) throw new PubSubMessageError(`${where} has no data.message (not a Pub/Sub event?)`);
  const data = message.data;
  if (typeof data !== 'string' || data === '')
    throw new PubSubMessageError(`${where} has no data.message.data (an empty Pub/Sub message)`);
  const text = Buffer.from(data, 'base64').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PubSubMessageError(
      `${where}: data.message.data is not base64 JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
  if (guard && !guard(value)) throw new PubSubMessageError(`${where}: unexpected message ${text.slice(0, 200)}`);
  return value as T;
}

const isEpoch = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

export function isPlanMessage(v: unknown): v is PlanMessage {
  return (
    isObject(v) &&
    typeof v.connector === 'string' &&
    v.connector !== '' &&
    isEpoch(v.epoch) &&
    (v.restart === undefined || v.restart === 'all' || v.restart === 'failed') &&
    (v.objects === undefined ||
      (Array.isArray(v.objects) && v.objects.every((o) => isObject(o) && typeof o.uri === 'string')))
  );
}

export function isTaskMessage(v: unknown): v is TaskMessage {
  return isObject(v) && typeof v.connector === 'string' && v.connector !== '' && isEpoch(v.epoch) && isEpoch(v.taskId);
}
