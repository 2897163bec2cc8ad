// One Kafka cluster over @platformatic/kafka's connection layer: a pool of broker connections (TLS/SASL done by
// the library), and a metadata cache (brokers, partition leaders) refreshed when a request says it is stale.
import { ConnectionPool, metadataV12, type Broker, type Connection, type ConnectionOptions } from './platformatic.js';
import type { KafkaEndpoint } from '../../config/spec.js';
import { KafkaError, type TopicDescription } from '../port/kafka-port.js';
import { errorName, kafkaErrorOf } from './wire-errors.js';
import { wireSecurity } from './wire-security.js';

function parseBroker(address: string): Broker {
  const i = address.lastIndexOf(':');
  if (i <= 0) return { host: address, port: 9092 };
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

export interface TopicMetadata {
  topic: string;
  /** Partition index → leader node id (-1 while no leader). */
  leaders: number[];
  description: TopicDescription;
}

export class WireCluster {
  readonly pool: ConnectionPool;
  private readonly bootstrap: Broker[];
  private brokers = new Map<number, Broker>();
  private readonly topics = new Map<string, TopicMetadata>();

  constructor(
    endpoint: KafkaEndpoint,
    clientId: string,
    options: { maxInflights?: number; requestTimeoutMs?: number } = {},
  ) {
    this.bootstrap = endpoint.brokers.map(parseBroker);
    const connectionOptions: ConnectionOptions = {
      ...wireSecurity(endpoint.security),
      connectTimeout: 10_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      maxInflights: options.maxInflights ?? 5,
    };
    this.pool = new ConnectionPool(clientId, connectionOptions);
  }

  /** A connection to any broker (bootstrap list first, then known brokers). */
  async any(): Promise<Connection> {
    try {
      return await this.pool.getFirstAvailable([...this.bootstrap, ...this.brokers.values()]);
    } catch (err) {
      throw kafkaErrorOf(
        err,
        `cannot connect to Kafka at ${this.bootstrap.map((b) => `${b.host}:${b.port}`).join(',')}`,
      );
    }
  }

  async node(nodeId: number): Promise<Connection> {
    const broker = this.brokers.get(nodeId);
    if (!broker) {
      await this.refresh([]);
      const again = this.brokers.get(nodeId);
      if (!again) throw new KafkaError(`broker ${nodeId} is not in the cluster metadata`, 'BROKER_NOT_AVAILABLE', true);
      return this.connect(again);
    }
    return this.connect(broker);
  }

  nodeIds(): number[] {
    return [...this.brokers.keys()];
  }

  private async connect(broker: Broker): Promise<Connection> {
    try {
      return await this.pool.get(broker);
    } catch (err) {
      throw kafkaErrorOf(err, `cannot connect to broker ${broker.host}:${broker.port}`);
    }
  }

  /** Fetches metadata for `topics` ([] = brokers only, null = all topics) and caches it. */
  async refresh(topics: string[] | null): Promise<TopicMetadata[]> {
    const connection = await this.any();
    let response;
    try {
      response = await metadataV12.api.async(connection, topics, false, false);
    } catch (err) {
      // Per-topic errors (unknown topic) still carry the response.
      response = (err as { response?: Awaited<ReturnType<typeof metadataV12.api.async>> }).response;
      if (!response) throw kafkaErrorOf(err, 'metadata request failed');
    }
    this.brokers = new Map(response.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    const out: TopicMetadata[] = [];
    for (const t of response.topics) {
      if (!t.name) continue;
      if (t.errorCode !== 0) {
        this.topics.delete(t.name);
        continue;
      }
      const partitions = [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
      const meta: TopicMetadata = {
        topic: t.name,
        leaders: partitions.map((p) => (p.errorCode === 0 ? p.leaderId : -1)),
        description: {
          topic: t.name,
          partitions: partitions.map((p) => ({
            partition: p.partitionIndex,
            leader: p.leaderId,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
          })),
        },
      };
      this.topics.set(t.name, meta);
      out.push(meta);
    }
    return out;
  }

  /** Cached metadata of `topic`, fetched when missing; throws UNKNOWN_TOPIC_OR_PARTITION for a missing topic. */
  async topic(topic: string, fresh = false): Promise<TopicMetadata> {
    if (!fresh) {
      const cached = this.topics.get(topic);
      if (cached) return cached;
    }
    await this.refresh([topic]);
    const meta = this.topics.get(topic);
    if (!meta) throw new KafkaError(`topic ${topic} does not exist`, errorName(3), false);
    return meta;
  }

  /** Forgets cached leaders (after NOT_LEADER_OR_FOLLOWER and the like): the next lookup asks the cluster. */
  invalidate(topic: string): void {
    this.topics.delete(topic);
  }

  async close(): Promise<void> {
    await this.pool.close().catch(() => {});
  }
}
