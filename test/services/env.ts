// Reads the addresses written by test/services/up.sh (~/.cache/dsc/run/services.env) into process.env.
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const SERVICES_ENV_FILE = join(process.env.DSC_CACHE ?? join(homedir(), '.cache', 'dsc'), 'run', 'services.env');

/** Service name -> env var holding its address. */
export const SERVICE_ENV_KEYS = {
  kafka: 'KAFKA_BROKERS',
  'source-kafka': 'SOURCE_KAFKA_BROKERS',
  'source-kafka-sasl-ssl': 'SOURCE_KAFKA_SASL_SSL_BROKERS',
  gcs: 'STORAGE_EMULATOR_HOST',
  firestore: 'FIRESTORE_EMULATOR_HOST',
  'schema-registry': 'SCHEMA_REGISTRY_URL',
  'schema-registry-auth': 'SCHEMA_REGISTRY_AUTH_URL',
  s3: 'DSC_TEST_S3_ENDPOINT',
  azure: 'DSC_TEST_AZURE_ENDPOINT',
} as const;
export type ServiceName = keyof typeof SERVICE_ENV_KEYS;

/**
 * Loads KEY=VALUE lines from the services env file into process.env, without overriding variables
 * that are already set. Returns the parsed values (empty if the file does not exist).
 */
export function loadServicesEnv(file: string = SERVICES_ENV_FILE): Record<string, string> {
  const values: Record<string, string> = {};
  if (!existsSync(file)) return values;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    values[key] = value;
    if (process.env[key] === undefined) process.env[key] = value;
  }
  return values;
}

function notRunning(name: string, detail: string): Error {
  return new Error(`service ${name} not running: run npm run services:up (${detail})`);
}

/**
 * Returns the address of a service (e.g. requireService('kafka') -> '127.0.0.1:9092'), loading the
 * env file if needed. Accepts a service name from SERVICE_ENV_KEYS or an env var name.
 * Throws "service X not running: run npm run services:up" when it is not configured.
 */
export function requireService(name: ServiceName | (string & {})): string {
  const key = (SERVICE_ENV_KEYS as Record<string, string>)[name] ?? name;
  if (!process.env[key]) loadServicesEnv();
  const value = process.env[key];
  if (!value) throw notRunning(name, `${key} is not set and not in ${SERVICES_ENV_FILE}`);
  return value;
}

/** Like requireService, and also checks that the service accepts TCP connections. */
export async function requireReachableService(name: ServiceName | (string & {}), timeoutMs = 2000): Promise<string> {
  const value = requireService(name);
  const first = value
    .split(',')[0]
    .replace(/^[a-z]+:\/\//, '')
    .split('/')[0];
  const idx = first.lastIndexOf(':');
  const host = first.slice(0, idx);
  const port = Number(first.slice(idx + 1));
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (why: string) => {
      socket.destroy();
      reject(notRunning(name, `${host}:${port} ${why}`));
    };
    socket.setTimeout(timeoutMs, () => fail('timed out'));
    socket.once('error', (err) => fail(err.message));
    socket.once('connect', () => {
      socket.end();
      resolve();
    });
  });
  return value;
}
