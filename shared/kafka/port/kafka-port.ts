// The Kafka port: everything the connectors ask of Kafka, in neutral types. No client library's type appears here;
// the adapters (wire-*.ts over @platformatic/kafka's connection layer, kafkajs-*.ts over kafkajs) implement it, and
// `kafka-client.ts` picks one (DSC_KAFKA_ADAPTER). Offsets are bigint: Kafka's are int64.
//
// Records travel as RecordBatch v2 bytes (batch/ builds, reads and restamps them), not as one object per record:
// a producer sends batches a caller encoded from the bytes it holds, or batches another log holds (`forwarded`),
// and a consumer hands back the batches the broker returned, undecoded, so a mirror can forward them as they are.

import type { CompressionType } from '../../config/spec.js';

export type { CompressionType };

export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * An uncompressed RecordBatch v2 (61-byte header + records) as `RecordBatchBuilder.finish()` returns it (or, with
 * `forwarded`, a whole batch in its own compression). The producer stamps producerId, producerEpoch, baseSequence (and the transactional bit), compresses the
 * records if configured, and computes the CRC just before sending; so the same bytes can be re-sent after a retry.
 */
export interface EncodedBatch {
  bytes: Buffer;
  recordCount: number;
  /**
   * A whole batch taken from another log, or encoded with its own compression (the mirror's): the producer only
   * restamps its producer id, epoch, base sequence and transactional bit and the CRC, in place, and sends the
   * records as they are (still compressed). The sequence advances by `lastOffsetDelta + 1`, offset gaps included.
   */
  forwarded?: boolean;
}

export interface ProduceRequest extends TopicPartition {
  batch: EncodedBatch;
}

export interface ProduceAck extends TopicPartition {
  /** Offset Kafka gave the batch's first record. */
  baseOffset: bigint;
  recordCount: number;
}

export interface ProducerOptions {
  /** `producer.compression.type`; default none. */
  compression?: CompressionType;
  /** Produce requests in flight per broker connection (idempotence keeps order across retries); default 5. */
  maxInFlight?: number;
  /** Per-request timeout (acks=all); default 30 s. */
  timeoutMs?: number;
  /** Retries of a retriable error (leader change, not enough replicas, ...) before the send fails; default 8. */
  retries?: number;
  /**
   * Makes the producer transactional (exactly-once, KIP-98/KIP-618): `connect` fences every earlier producer with
   * the same id, sends join an open transaction, and nothing is visible to read_committed readers until
   * `commitTransaction`.
   */
  transactionalId?: string;
  /** The broker aborts a transaction left open this long (a crashed producer's); default 60 s. */
  transactionTimeoutMs?: number;
}

/**
 * A producer of record batches: idempotent, acks=all. Calls to `send` may overlap; within a partition the batches
 * are written in call order and never duplicated by retries (producer id + sequence numbers). Acknowledgements
 * come back per call; a caller that needs them in order (checkpoints) chains them (see batch-producer.ts).
 */
export interface KafkaProducer {
  connect(): Promise<void>;
  /** Sends the batches (any topics/partitions) and resolves once Kafka acknowledged all of them. */
  send(requests: ProduceRequest[]): Promise<ProduceAck[]>;
  /** Number of partitions of `topic` (from metadata; refreshed when it may have changed). */
  partitionCount(topic: string): Promise<number>;
  /**
   * The largest record batch (bytes) the broker accepts for `topic`: the topic's `max.message.bytes`, else the
   * broker's `message.max.bytes`. Encoders cut batches below it.
   */
  maxBatchBytes(topic: string): Promise<number>;
  /** Resolves when every send issued so far has settled. */
  flush(): Promise<void>;
  /**
   * Transactional producers: flushes, then commits everything sent since the last commit (or abort). Fails, and
   * commits nothing, when a send of the transaction failed; a fenced producer fails with `isProducerFenced`.
   */
  commitTransaction(): Promise<void>;
  /** Transactional producers: flushes, then aborts everything sent since the last commit. */
  abortTransaction(): Promise<void>;
  close(): Promise<void>;
}

export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export interface ConsumerOptions {
  /** Default read_committed (the reader never sees aborted or open transactions' records). */
  isolationLevel?: IsolationLevel;
  /** How long the broker may wait for `minBytes`; default 500 ms. */
  maxWaitMs?: number;
  /** Default 1. */
  minBytes?: number;
  /** Whole response; default 50 MB. */
  maxBytes?: number;
  /** Per partition; default 1 MB (a bigger first batch is still returned whole, as Kafka does). */
  partitionMaxBytes?: number;
}

export interface FetchPosition extends TopicPartition {
  /** The next offset to read. */
  offset: bigint;
}

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** What one fetch returned for one partition. */
export interface FetchedPartition extends TopicPartition {
  /** Raw RecordBatch bytes as the broker sent them (maybe compressed; only whole batches). Empty when none. */
  records: Buffer;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  /** Transactions aborted within the returned range (read_committed); their records must be skipped. */
  abortedTransactions: AbortedTransaction[];
  /** Where the next fetch of this partition starts (past the last whole batch returned). */
  nextOffset: bigint;
  /** A partition-level error name (e.g. OFFSET_OUT_OF_RANGE) that the position did not recover from. */
  error?: string;
}

/**
 * A consumer of explicitly assigned partitions at explicit positions: no consumer group, no committed offsets.
 * The caller keeps its positions where it keeps its progress.
 */
export interface KafkaConsumer {
  connect(): Promise<void>;
  /** Replaces the assignment; each partition starts at its given offset. */
  assign(positions: FetchPosition[]): void;
  /** Moves one assigned partition. */
  seek(position: FetchPosition): void;
  /** The current assignment with each partition's next offset. */
  positions(): FetchPosition[];
  /**
   * One fetch across the assigned partitions (grouped per leader). Advances each partition's position to its
   * `nextOffset`. Resolves with the partitions that returned data or an error (maybe none after maxWaitMs).
   */
  fetch(): Promise<FetchedPartition[]>;
  close(): Promise<void>;
}

export interface PartitionDescription {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicDescription {
  topic: string;
  partitions: PartitionDescription[];
}

export interface NewTopic {
  topic: string;
  numPartitions: number;
  /** -1 lets the broker pick (default.replication.factor). */
  replicationFactor: number;
  configs?: Record<string, string>;
}

export interface PartitionOffset {
  partition: number;
  offset: bigint;
}

/** A consumer group's committed offset of one partition. */
export interface CommittedOffset extends TopicPartition {
  offset: bigint;
}

export interface KafkaAdmin {
  connect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /** Topics that do not exist are left out. */
  describeTopics(topics: string[]): Promise<TopicDescription[]>;
  /** Creates the topics that do not exist yet; returns the names this call created. */
  createTopics(topics: NewTopic[]): Promise<string[]>;
  /** Grows each topic to `count` partitions (never shrinks). */
  createPartitions(topics: { topic: string; count: number }[]): Promise<void>;
  earliestOffsets(topic: string): Promise<PartitionOffset[]>;
  latestOffsets(topic: string): Promise<PartitionOffset[]>;
  /** The topic's effective configuration (defaults included), name → value. */
  topicConfig(topic: string): Promise<Record<string, string>>;
  /** The brokers' `message.max.bytes` (one broker asked; they agree in any sane cluster). */
  brokerMaxMessageBytes(): Promise<number>;
  /** A consumer group's committed offsets of `topics`; partitions without one are left out (no group: none). */
  groupOffsets(groupId: string, topics: string[]): Promise<CommittedOffset[]>;
  /** Deletes a consumer group that has no members; one that does not exist is fine. */
  deleteGroup(groupId: string): Promise<void>;
  close(): Promise<void>;
}

/** One Kafka cluster, as the connectors see it. */
export interface KafkaClient {
  readonly adapter: KafkaAdapterName;
  producer(options?: ProducerOptions): KafkaProducer;
  consumer(options?: ConsumerOptions): KafkaConsumer;
  admin(): KafkaAdmin;
}

/** `wire`: RecordBatch bytes over @platformatic/kafka's connection layer (default). `kafkajs`: the kafkajs client. */
export type KafkaAdapterName = 'wire' | 'kafkajs';

/** Another producer with the same transactional.id took over: this one must stop without writing anything more. */
export function isProducerFenced(err: unknown): boolean {
  const code = (err as { kafkaCode?: string } | undefined)?.kafkaCode;
  return code === 'PRODUCER_FENCED' || code === 'INVALID_PRODUCER_EPOCH';
}

/** A Kafka error with Kafka's error name (e.g. TOPIC_ALREADY_EXISTS) when the broker gave one. */
export class KafkaError extends Error {
  constructor(
    message: string,
    readonly kafkaCode?: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KafkaError';
  }
}
