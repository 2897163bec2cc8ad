// The kafkajs adapter: the port over kafkajs 2.2.4, the client the project was specified with
// (DSC_KAFKA_ADAPTER=kafkajs). Slower than the wire adapter (one object per record), kept for compatibility.
import type { Admin, CompressionTypes, Kafka, Message, Producer, Transaction } from 'kafkajs';
import type { KafkaEndpoint } from '../../config/spec.js';
import {
  KafkaError,
  type CommittedOffset,
  type KafkaAdmin,
  type KafkaClient,
  type KafkaProducer,
  type NewTopic,
  type PartitionOffset,
  type ProduceAck,
  type ProduceRequest,
  type ProducerOptions,
  type TopicDescription,
} from '../port/kafka-port.js';
import { decodeRecordBatches } from '../batch/record-batch-reader.js';
import { createKafka } from './kafkajs-create.js';
import { registerKafkajsCodecs } from './kafkajs-codecs.js';
import { KafkajsConsumer } from './kafkajs-consumer.js';
import { loadKafkajs } from './kafkajs-module.js';

function kafkaErrorOf(err: unknown, what: string): KafkaError {
  const e = err as { type?: string; retriable?: boolean; message?: string };
  return new KafkaError(`${what}: ${e.message ?? String(err)}`, e.type, e.retriable === true, { cause: err });
}

class KafkajsProducer implements KafkaProducer {
  private readonly producer: Producer;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly compression: CompressionTypes;
  private readonly codecs: Record<string, CompressionTypes>;
  /** kafkajs may interleave concurrent sends; the port promises call order per partition, so sends are chained. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly partitions = new Map<string, number>();
  private transaction: Transaction | undefined;
  private transactionError: Error | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ProducerOptions,
  ) {
    const codes = loadKafkajs().CompressionTypes;
    this.codecs = {
      none: codes.None,
      gzip: codes.GZIP,
      snappy: codes.Snappy,
      lz4: codes.LZ4,
      zstd: codes.ZSTD,
    };
    this.compression = this.codecs[options.compression ?? 'none'];
    // Idempotent: kafkajs then allows one request in flight, which keeps order across retries.
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      ...(options.transactionalId !== undefined && {
        transactionalId: options.transactionalId,
        transactionTimeout: options.transactionTimeoutMs ?? 60_000,
      }),
      allowAutoTopicCreation: false,
      retry: { retries: options.retries ?? 8, initialRetryTime: 200 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  send(requests: ProduceRequest[]): Promise<ProduceAck[]> {
    // kafkajs compresses a whole sendBatch with one codec: a forwarded batch keeps its own, so requests are grouped
    // by codec (in call order; the groups go out one after the other, which keeps each partition's order).
    const byCodec = new Map<CompressionTypes, Map<string, Message[]>>();
    for (const r of requests) {
      for (const batch of decodeRecordBatches(r.batch.bytes)) {
        const codec = r.batch.forwarded ? this.codecs[batch.compression] : this.compression;
        let topics = byCodec.get(codec);
        if (!topics) byCodec.set(codec, (topics = new Map()));
        let messages = topics.get(r.topic);
        if (!messages) topics.set(r.topic, (messages = []));
        for (const rec of batch.records) {
          messages.push({
            partition: r.partition,
            key: rec.key,
            value: rec.value,
            // [key, value] pairs in the record's order (the install-time patch of kafkajs's record encoder): the
            // object form kafkajs documents would drop a repeated key's other values and every null value.
            headers: rec.headers as unknown as Message['headers'],
            timestamp: String(rec.timestamp),
          });
        }
      }
    }
    const sent = this.chain
      .catch(() => {})
      .then(() => this.checkPartitions(requests))
      .then(() => this.sender())
      .then(async (sender) => {
        const metadata = [];
        for (const [compression, topics] of byCodec) {
          const acks = await sender.sendBatch({
            topicMessages: [...topics].map(([topic, messages]) => ({ topic, messages })),
            acks: -1,
            timeout: this.options.timeoutMs ?? 30_000,
            compression,
          });
          metadata.push(...acks);
        }
        return metadata;
      })
      .then((metadata) =>
        requests.map((r) => {
          const m = metadata.find((x) => x.topicName === r.topic && x.partition === r.partition);
          return {
            topic: r.topic,
            partition: r.partition,
            baseOffset: BigInt(m?.baseOffset ?? '-1'),
            recordCount: r.batch.recordCount,
          };
        }),
      )
      .catch((err: unknown) => {
        throw kafkaErrorOf(err, `Kafka did not accept a batch for ${requests.map((r) => r.topic).join(', ')}`);
      });
    const tracked = sent.catch((err: Error) => {
      if (this.options.transactionalId !== undefined) this.transactionError ??= err;
    });
    this.chain = tracked;
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return sent;
  }

  /** The open transaction (begun at its first send) for a transactional producer, else the producer itself. */
  private async sender(): Promise<Pick<Producer, 'sendBatch'>> {
    if (this.options.transactionalId === undefined) return this.producer;
    this.transaction ??= await this.producer.transaction();
    return this.transaction;
  }

  async commitTransaction(): Promise<void> {
    await this.endTransaction(true);
  }

  async abortTransaction(): Promise<void> {
    await this.endTransaction(false);
  }

  private async endTransaction(commit: boolean): Promise<void> {
    if (this.options.transactionalId === undefined) throw new KafkaError('not a transactional producer');
    await this.flush();
    await this.chain;
    const transaction = this.transaction;
    this.transaction = undefined;
    const failed = this.transactionError;
    this.transactionError = undefined;
    if (!transaction) return;
    try {
      if (failed || !commit) await transaction.abort();
      else await transaction.commit();
    } catch (err) {
      throw kafkaErrorOf(err, commit ? 'commit of the transaction failed' : 'abort of the transaction failed');
    }
    if (failed) throw failed;
  }

  /** kafkajs drops records for a partition it does not know; the port fails the send instead. */
  private async checkPartitions(requests: ProduceRequest[]): Promise<void> {
    for (const r of requests) {
      let n = this.partitions.get(r.topic);
      if (n === undefined || r.partition >= n) {
        n = await this.partitionCount(r.topic);
        this.partitions.set(r.topic, n);
      }
      if (r.partition >= n) {
        throw new KafkaError(`${r.topic} has no partition ${r.partition}`, 'UNKNOWN_TOPIC_OR_PARTITION');
      }
    }
  }

  async partitionCount(topic: string): Promise<number> {
    const admin = new KafkajsAdmin(this.kafka);
    await admin.connect();
    try {
      const [d] = await admin.describeTopics([topic]);
      if (!d) throw new KafkaError(`topic ${topic} does not exist`, 'UNKNOWN_TOPIC_OR_PARTITION');
      return d.partitions.length;
    } finally {
      await admin.close();
    }
  }

  async maxBatchBytes(topic: string): Promise<number> {
    const admin = new KafkajsAdmin(this.kafka);
    await admin.connect();
    try {
      return Number((await admin.topicConfig(topic))['max.message.bytes'] ?? 1_048_588);
    } finally {
      await admin.close();
    }
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.producer.disconnect();
  }
}

class KafkajsAdmin implements KafkaAdmin {
  private readonly admin: Admin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  async listTopics(): Promise<string[]> {
    return (await this.admin.listTopics()).filter((t) => !t.startsWith('__'));
  }

  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    const existing = new Set(await this.admin.listTopics());
    const wanted = topics.filter((t) => existing.has(t));
    if (wanted.length === 0) return [];
    const meta = await this.admin.fetchTopicMetadata({ topics: wanted });
    return meta.topics.map((t) => ({
      topic: t.name,
      partitions: [...t.partitions]
        .sort((a, b) => a.partitionId - b.partitionId)
        .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr })),
    }));
  }

  async createTopics(topics: NewTopic[]): Promise<string[]> {
    const existing = new Set(await this.admin.listTopics());
    const wanted = topics.filter((t) => !existing.has(t.topic));
    if (wanted.length === 0) return [];
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: wanted.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    } catch (err) {
      // Another planner made it meanwhile.
      if ((err as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw kafkaErrorOf(err, 'cannot create topics');
    }
    return wanted.map((t) => t.topic);
  }

  async createPartitions(topics: { topic: string; count: number }[]): Promise<void> {
    if (topics.length > 0) await this.admin.createPartitions({ topicPartitions: topics });
  }

  async earliestOffsets(topic: string): Promise<PartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, offset: BigInt(o.low) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async latestOffsets(topic: string): Promise<PartitionOffset[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets
      .map((o) => ({ partition: o.partition, offset: BigInt(o.high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async topicConfig(topic: string): Promise<Record<string, string>> {
    const r = await this.admin.describeConfigs({
      resources: [{ type: loadKafkajs().ConfigResourceTypes.TOPIC, name: topic }],
      includeSynonyms: false,
    });
    return Object.fromEntries((r.resources[0]?.configEntries ?? []).map((c) => [c.configName, c.configValue]));
  }

  async brokerMaxMessageBytes(): Promise<number> {
    const { brokers } = await this.admin.describeCluster();
    const r = await this.admin.describeConfigs({
      resources: [
        {
          type: loadKafkajs().ConfigResourceTypes.BROKER,
          name: String(brokers[0].nodeId),
          configNames: ['message.max.bytes'],
        },
      ],
      includeSynonyms: false,
    });
    return Number(r.resources[0]?.configEntries.find((c) => c.configName === 'message.max.bytes')?.configValue);
  }

  async groupOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]> {
    // kafkajs fails the whole call for a topic that does not exist: it has no offsets anyway.
    const existing = new Set(await this.admin.listTopics());
    const wanted = topics.filter((t) => existing.has(t));
    if (wanted.length === 0) return [];
    const committed = await this.admin.fetchOffsets({ groupId, topics: wanted });
    const out: CommittedOffset[] = [];
    for (const t of committed) {
      for (const p of t.partitions) {
        if (p.offset !== '-1' && p.offset !== '')
          out.push({ topic: t.topic, partition: p.partition, offset: BigInt(p.offset) });
      }
    }
    return out;
  }

  async deleteGroup(groupId: string): Promise<void> {
    try {
      await this.admin.deleteGroups([groupId]);
    } catch (err) {
      const types = ((err as { groups?: { error?: { type?: string } }[] }).groups ?? []).map((g) => g.error?.type);
      if (types.length === 0 || types.some((t) => t !== 'GROUP_ID_NOT_FOUND')) {
        throw kafkaErrorOf(err, `cannot delete consumer group ${groupId}`);
      }
    }
  }

  close(): Promise<void> {
    return this.admin.disconnect();
  }
}

export function kafkajsClient(endpoint: KafkaEndpoint, clientId: string): KafkaClient {
  registerKafkajsCodecs();
  const kafka = createKafka(endpoint, clientId);
  return {
    adapter: 'kafkajs',
    producer: (options = {}) => new KafkajsProducer(kafka, options),
    consumer: (options = {}) => new KafkajsConsumer(kafka, options),
    admin: () => new KafkajsAdmin(kafka),
  };
}
