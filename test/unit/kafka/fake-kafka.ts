// An in-memory fake of the Kafka port (shared/kafka/port/kafka-port.ts) for unit tests of the classes that touch Kafka:
// topics are arrays of decoded records per partition; sends can be held (to see back-pressure and ordering) or
// failed. It decodes what producers send with the project's RecordBatch reader, so encoding bugs show up too.
import type {
  FetchPosition,
  KafkaAdmin,
  KafkaClient,
  KafkaConsumer,
  KafkaProducer,
  NewTopic,
  ProduceAck,
  ProduceRequest,
} from '../../../shared/kafka/port/kafka-port.js';
import { KafkaError } from '../../../shared/kafka/port/kafka-port.js';
import { decodeRecordBatches, type DecodedRecord } from '../../../shared/kafka/batch/record-batch-reader.js';
import { encodeRecordBatch } from '../../../shared/kafka/batch/record-batch.js';

export interface FakeSend {
  requests: ProduceRequest[];
  release: () => void;
  fail: (err: Error) => void;
}

export class FakeKafka {
  readonly topics = new Map<string, DecodedRecord[][]>();
  /** Every send, in call order. */
  readonly sends: ProduceRequest[][] = [];
  /** Sends not yet acknowledged (only while `hold` is true). */
  readonly held: FakeSend[] = [];
  hold = false;
  maxInFlightSeen = 0;
  maxBatchBytes = 1_048_588;
  failNext: Error | undefined;
  commits = 0;
  aborts = 0;
  private inFlight = 0;

  createTopic(topic: string, partitions = 1): void {
    if (!this.topics.has(topic))
      this.topics.set(
        topic,
        Array.from({ length: partitions }, () => []),
      );
  }

  records(topic: string): DecodedRecord[] {
    return (this.topics.get(topic) ?? []).flat();
  }

  values(topic: string): string[] {
    return this.records(topic).map((r) => r.value?.toString('utf8') ?? '');
  }

  private write(requests: ProduceRequest[]): ProduceAck[] {
    return requests.map((r) => {
      const log = this.topics.get(r.topic)?.[r.partition];
      if (!log) throw new KafkaError(`${r.topic}[${r.partition}] does not exist`, 'UNKNOWN_TOPIC_OR_PARTITION');
      const baseOffset = BigInt(log.length);
      for (const b of decodeRecordBatches(r.batch.bytes)) {
        // Copies: a producer may reuse a batch's buffer once it is acknowledged.
        for (const rec of b.records) {
          log.push({
            offset: BigInt(log.length),
            timestamp: rec.timestamp,
            key: rec.key && Buffer.from(rec.key),
            value: rec.value && Buffer.from(rec.value),
            headers: rec.headers.map(([k, v]) => [k, v && Buffer.from(v)]),
          });
        }
      }
      return { topic: r.topic, partition: r.partition, baseOffset, recordCount: r.batch.recordCount };
    });
  }

  client(): KafkaClient {
    const producer = (): KafkaProducer => ({
      connect: async () => {},
      send: async (requests) => {
        this.sends.push(requests);
        this.inFlight++;
        this.maxInFlightSeen = Math.max(this.maxInFlightSeen, this.inFlight);
        try {
          if (this.failNext) {
            const err = this.failNext;
            this.failNext = undefined;
            throw err;
          }
          if (this.hold) {
            await new Promise<void>((release, fail) => this.held.push({ requests, release, fail }));
          }
          return this.write(requests);
        } finally {
          this.inFlight--;
        }
      },
      partitionCount: async (topic) => {
        const t = this.topics.get(topic);
        if (!t) throw new KafkaError(`topic ${topic} does not exist`, 'UNKNOWN_TOPIC_OR_PARTITION');
        return t.length;
      },
      maxBatchBytes: async () => this.maxBatchBytes,
      flush: async () => {},
      // Transactions are counted, not modelled: the fake has no read_committed view.
      commitTransaction: async () => {
        this.commits++;
      },
      abortTransaction: async () => {
        this.aborts++;
      },
      close: async () => {},
    });
    const admin = (): KafkaAdmin => ({
      connect: async () => {},
      listTopics: async () => [...this.topics.keys()],
      describeTopics: async (topics) =>
        topics
          .filter((t) => this.topics.has(t))
          .map((t) => ({
            topic: t,
            partitions: this.topics.get(t)!.map((_, partition) => ({ partition, leader: 1, replicas: [1], isr: [1] })),
          })),
      createTopics: async (topics: NewTopic[]) => {
        const created = topics.filter((t) => !this.topics.has(t.topic));
        for (const t of created) this.createTopic(t.topic, t.numPartitions);
        return created.map((t) => t.topic);
      },
      createPartitions: async (topics) => {
        for (const t of topics) {
          const logs = this.topics.get(t.topic)!;
          while (logs.length < t.count) logs.push([]);
        }
      },
      earliestOffsets: async (topic) =>
        (this.topics.get(topic) ?? []).map((_, partition) => ({ partition, offset: 0n })),
      // No consumer groups in the fake: the connectors keep their positions elsewhere.
      groupOffsets: async () => [],
      deleteGroup: async () => {},
      latestOffsets: async (topic) =>
        (this.topics.get(topic) ?? []).map((log, partition) => ({ partition, offset: BigInt(log.length) })),
      topicConfig: async () => ({ 'max.message.bytes': String(this.maxBatchBytes) }),
      brokerMaxMessageBytes: async () => this.maxBatchBytes,
      close: async () => {},
    });
    const consumer = (): KafkaConsumer => {
      let positions: FetchPosition[] = [];
      return {
        connect: async () => {},
        assign: (p) => (positions = p.map((x) => ({ ...x }))),
        seek: (p) => (positions = [...positions.filter((x) => x.topic !== p.topic || x.partition !== p.partition), p]),
        positions: () => positions.map((x) => ({ ...x })),
        fetch: async () => {
          const out = [];
          for (const p of positions) {
            const log = this.topics.get(p.topic)?.[p.partition] ?? [];
            const recs = log.slice(Number(p.offset));
            if (recs.length === 0) continue;
            const records = encodeRecordBatch(
              recs.map((r, i) => ({ ...r, offsetDelta: i })),
              p.offset,
            ).bytes;
            p.offset = BigInt(log.length);
            out.push({
              topic: p.topic,
              partition: p.partition,
              records,
              highWatermark: BigInt(log.length),
              lastStableOffset: BigInt(log.length),
              logStartOffset: 0n,
              abortedTransactions: [],
              nextOffset: p.offset,
            });
          }
          return out;
        },
        close: async () => {},
      };
    };
    return { adapter: 'wire', producer, consumer, admin };
  }
}
