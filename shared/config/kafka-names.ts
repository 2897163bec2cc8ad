// Kafka names in settings: bootstrap server lists and topic names, checked where they are written rather than at the
// first produce.
import type { SettingReader } from './setting-reader.js';

// Kafka's own rule (Topic.validate): ASCII letters, digits, '.', '_', '-', at most 249 characters.
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const BROKER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/;

export function isValidTopicName(name: string): boolean {
  return TOPIC_NAME.test(name) && name !== '.' && name !== '..';
}

/** A topic name that must be set (`required`) or may be absent. Reports a bad name; returns it anyway. */
export function readTopicName(r: SettingReader, key: string, required: true): string;
export function readTopicName(r: SettingReader, key: string, required: false): string | undefined;
export function readTopicName(r: SettingReader, key: string, required: boolean): string | undefined {
  const v = required ? r.required(key) : r.optional(key)?.trim();
  if (v === undefined || v === '') return required ? '' : undefined;
  if (!isValidTopicName(v))
    r.error(key, `${JSON.stringify(v)} is not a valid Kafka topic name (letters, digits, '.', '_', '-', at most 249)`);
  return v;
}

/** `host:port,host:port`: required; each entry must have a port. */
export function readBrokers(r: SettingReader, key: string): string[] {
  if (r.required(key) === '') return [];
  const brokers = r.list(key, []);
  const bad = brokers.filter((b) => !BROKER.test(b));
  if (bad.length > 0)
    r.error(key, `expected host:port[,host:port...], got ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  return brokers;
}
