// One Kafka cluster at the wire level, through @platformatic/kafka's connection layer: a connection per broker
// (TLS/SASL from the same Kafka-style security block as every other client), and partition leaders from Metadata.
// The mirror's fetcher and batch sender use it; they see brokers by node id and topics by name, nothing more.
import { Connection, metadataV12, type ConnectionOptions, type SASLOptions } from '@platformatic/kafka';
import type { KafkaEndpoint } from '../config/spec.js';
import { kafkaJsSecurity } from './security.js';

export interface PartitionLeaders {
  /** topic → leader node id per partition index (-1: no leader right now). */
  leaders: Map<string, number[]>;
}

/** Error codes worth a metadata refresh and a retry (leader moved, topic not yet known, broker not ready). */
export const RETRIABLE_CODES = new Set([3, 5, 6, 7, 9, 13, 14, 15, 19, 20, 56, 74, 75, 76, 79]);

export class KafkaCodeError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'KafkaCodeError';
  }
  get retriable(): boolean {
    return RETRIABLE_CODES.has(this.code);
  }
}

/** Connection options (TLS, SASL) for an endpoint; security errors name the setting, never a secret. */
export function connectionOptions(endpoint: KafkaEndpoint): ConnectionOptions {
  const { ssl, sasl } = kafkaJsSecurity(endpoint.security);
  const options: ConnectionOptions = { connectTimeout: 10_000, requestTimeout: 30_000, maxInflights: 16 };
  if (ssl) options.tls = ssl === true ? {} : ssl;
  if (sasl) {
    const s = sasl as {
      mechanism: string;
      username?: string;
      password?: string;
      oauthBearerProvider?: () => Promise<{ value: string }>;
    };
    const mechanism = s.mechanism.toUpperCase() as SASLOptions['mechanism'];
    options.sasl =
      s.oauthBearerProvider !== undefined
        ? { mechanism, token: async () => (await s.oauthBearerProvider!()).value }
        : { mechanism, username: s.username, password: s.password };
  }
  return options;
}

const hostPort = (address: string): [string, number] => {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i).replace(/^\[|\]$/g, ''), Number(address.slice(i + 1))];
};

export class BrokerConnections {
  private readonly options: ConnectionOptions;
  private readonly byAddress = new Map<string, Promise<Connection>>();
  private brokers = new Map<number, string>();
  private closed = false;

  constructor(
    private readonly endpoint: KafkaEndpoint,
    private readonly clientId: string,
  ) {
    this.options = connectionOptions(endpoint);
  }

  /** A connection to `address` (host:port), opened once and reused; a failed one is forgotten so a retry reconnects. */
  connectionTo(address: string): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('the Kafka connection is closed'));
    let hit = this.byAddress.get(address);
    if (!hit) {
      const conn = new Connection(this.clientId, this.options);
      const [host, port] = hostPort(address);
      hit = (conn.connect(host, port) as Promise<void>).then(() => conn);
      this.byAddress.set(address, hit);
      const forget = () => {
        if (this.byAddress.get(address) === hit) this.byAddress.delete(address);
      };
      hit.catch(forget);
      conn.on('close', forget);
      conn.on('error', forget);
    }
    return hit;
  }

  /** The connection to a broker by node id (known from the last metadata). */
  async node(nodeId: number): Promise<Connection> {
    const address = this.brokers.get(nodeId);
    if (!address) throw new KafkaCodeError(6, `broker ${nodeId} is not in the cluster's metadata`);
    return this.connectionTo(address);
  }

  /** Any reachable broker: the known ones first, then the bootstrap list. */
  async any(): Promise<Connection> {
    let last: unknown;
    for (const address of [...this.brokers.values(), ...this.endpoint.brokers]) {
      try {
        return await this.connectionTo(address);
      } catch (err) {
        last = err;
      }
    }
    throw new Error(`no broker of ${this.endpoint.brokers.join(',')} answered: ${(last as Error)?.message ?? last}`);
  }

  /** Leaders of `topics` (all partitions); refreshes the broker list too. */
  async leaders(topics: string[]): Promise<PartitionLeaders> {
    const conn = await this.any();
    const meta = await metadataV12.api.async(conn, topics, false, false);
    this.brokers = new Map(meta.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]));
    const leaders = new Map<string, number[]>();
    for (const t of meta.topics) {
      if (t.errorCode !== 0 || !t.name) continue;
      const byIndex: number[] = [];
      for (const p of t.partitions) byIndex[p.partitionIndex] = p.errorCode === 0 ? p.leaderId : -1;
      leaders.set(t.name, byIndex);
    }
    return { leaders };
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.byAddress.values()];
    this.byAddress.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => {})));
  }
}
