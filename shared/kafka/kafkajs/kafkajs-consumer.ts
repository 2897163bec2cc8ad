// The kafkajs consumer of assigned partitions. kafkajs has no group-less consumer in its public API, so this uses
// its cluster (metadata, leaders, Fetch) through the client's private factory, and re-encodes the records it
// decoded into RecordBatch bytes with their original offsets: the port hands out batches, whatever the adapter.
// Aborted transactions' records and control batches are dropped here (kafkajs decoded them anyway), so the
// batches returned are committed data and `abortedTransactions` is empty.
import type { Kafka } from 'kafkajs';
import {
  KafkaError,
  type ConsumerOptions,
  type FetchedPartition,
  type FetchPosition,
  type KafkaConsumer,
} from '../port/kafka-port.js';
import { AssignedPartitions, positionKey } from '../port/assigned-partitions.js';
import { encodeRecordBatch, type RecordToEncode } from '../batch/record-batch.js';

interface KjsMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[] | undefined>;
  /** The headers in the record's order, repeated keys and null values included (install-time patch of kafkajs). */
  headerList?: [string, Buffer | null][];
  isControlRecord?: boolean;
  batchContext: { firstOffset: string; producerId: string; inTransaction: boolean; isControlBatch: boolean };
}

interface KjsPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset: string;
  lastStartOffset: string;
  abortedTransactions: { producerId: string; firstOffset: string }[];
  messages: KjsMessage[];
}

interface KjsBroker {
  fetch(request: unknown): Promise<{ responses: { topicName: string; partitions: KjsPartition[] }[] }>;
}

interface KjsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(node: { nodeId: number }): Promise<KjsBroker>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

function createCluster(kafka: Kafka): KjsCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  if (!symbol) throw new KafkaError('this kafkajs version has no cluster factory; use DSC_KAFKA_ADAPTER=wire');
  const factory = (kafka as unknown as Record<symbol, (o: object) => KjsCluster>)[symbol];
  // Read uncommitted: its ListOffsets (only outOfRange's) then answers the high watermark, the bound Kafka checks a
  // fetch position against. Fetches set their own isolation level.
  return factory({
    metadataMaxAge: 300_000,
    allowAutoTopicCreation: false,
    maxInFlightRequests: null,
    isolationLevel: 0,
  });
}

/** Committed records of one partition's fetch, as RecordBatch bytes keeping their offsets. */
function reencode(p: KjsPartition): { records: Buffer; last: bigint | undefined } {
  const aborted = p.abortedTransactions
    .map((a) => ({ producerId: a.producerId, first: BigInt(a.firstOffset) }))
    .sort((a, b) => (a.first < b.first ? -1 : 1));
  const open = new Set<string>();
  const batches = new Map<string, RecordToEncode[]>();
  let last: bigint | undefined;
  for (const m of p.messages) {
    const offset = BigInt(m.offset);
    last = offset;
    const ctx = m.batchContext;
    while (aborted.length > 0 && aborted[0].first <= offset) open.add(aborted.shift()!.producerId);
    if (ctx.isControlBatch) {
      open.delete(ctx.producerId); // the transaction's marker ends it
      continue;
    }
    if (ctx.inTransaction && open.has(ctx.producerId)) continue;
    const base = BigInt(ctx.firstOffset);
    let headers = m.headerList;
    if (!headers) {
      headers = [];
      for (const [k, v] of Object.entries(m.headers ?? {})) {
        for (const one of Array.isArray(v) ? v : [v]) headers.push([k, one ?? null]);
      }
    }
    const list = batches.get(ctx.firstOffset) ?? [];
    list.push({
      key: m.key,
      value: m.value,
      headers,
      timestamp: BigInt(m.timestamp),
      offsetDelta: Number(offset - base),
    });
    batches.set(ctx.firstOffset, list);
  }
  const parts = [...batches].map(([first, records]) => encodeRecordBatch(records, BigInt(first)).bytes);
  return { records: Buffer.concat(parts), last };
}

export class KafkajsConsumer extends AssignedPartitions implements KafkaConsumer {
  private readonly cluster: KjsCluster;

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerOptions,
  ) {
    super();
    this.cluster = createCluster(kafka);
  }

  connect(): Promise<void> {
    return this.cluster.connect();
  }

  async fetch(): Promise<FetchedPartition[]> {
    const topics = [...new Set([...this.assigned.values()].map((p) => p.topic))];
    if (topics.length === 0) return [];
    await this.cluster.addMultipleTargetTopics(topics);
    const byLeader = new Map<number, FetchPosition[]>();
    for (const p of this.assigned.values()) {
      const leader = this.cluster
        .findTopicPartitionMetadata(p.topic)
        .find((m) => m.partitionId === p.partition)?.leader;
      if (leader === undefined || leader < 0) continue;
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const results = await Promise.all([...byLeader].map(([leader, ps]) => this.fetchFrom(leader, ps)));
    return results.flat();
  }

  private async fetchFrom(leader: number, positions: FetchPosition[]): Promise<FetchedPartition[]> {
    const topics = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>();
    for (const p of positions) {
      const list = topics.get(p.topic) ?? [];
      list.push({
        partition: p.partition,
        fetchOffset: String(p.offset),
        maxBytes: this.options.partitionMaxBytes ?? 1 << 20,
      });
      topics.set(p.topic, list);
    }
    let response;
    try {
      const broker = await this.cluster.findBroker({ nodeId: leader });
      response = await broker.fetch({
        replicaId: -1,
        isolationLevel: (this.options.isolationLevel ?? 'read_committed') === 'read_committed' ? 1 : 0,
        maxWaitTime: this.options.maxWaitMs ?? 500,
        minBytes: this.options.minBytes ?? 1,
        maxBytes: this.options.maxBytes ?? 50 << 20,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      });
    } catch (err) {
      const e = err as { type?: string; retriable?: boolean; message?: string };
      if (e.type === 'OFFSET_OUT_OF_RANGE') return this.outOfRange(positions);
      if (e.retriable) {
        await this.cluster.refreshMetadata().catch(() => {});
        return [];
      }
      throw new KafkaError(`fetch from broker ${leader}: ${e.message ?? String(err)}`, e.type, false, { cause: err });
    }
    const out: FetchedPartition[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const position = this.assigned.get(positionKey(t.topicName, p.partition));
        if (!position) continue;
        const { records, last } = reencode(p);
        if (last !== undefined && last >= position.offset) position.offset = last + 1n;
        if (p.messages.length === 0) continue;
        out.push({
          topic: t.topicName,
          partition: p.partition,
          records,
          highWatermark: BigInt(p.highWatermark),
          lastStableOffset: BigInt(p.lastStableOffset),
          logStartOffset: BigInt(p.lastStartOffset),
          abortedTransactions: [],
          nextOffset: position.offset,
        });
      }
    }
    return out;
  }

  /**
   * kafkajs fails a whole fetch when one partition's position is out of range, without saying which. The port
   * reports it per partition (the caller resets that one and goes on), so this finds them: a position below the
   * log start offset or above the high watermark. None found (the log moved meanwhile): nothing, fetch again.
   */
  private async outOfRange(positions: FetchPosition[]): Promise<FetchedPartition[]> {
    const bounds = async (fromBeginning: boolean) => {
      const topics = [...new Set(positions.map((p) => p.topic))].map((topic) => ({
        topic,
        partitions: positions.filter((p) => p.topic === topic).map((p) => ({ partition: p.partition })),
        fromBeginning,
      }));
      const out = new Map<string, bigint>();
      for (const t of await this.cluster.fetchTopicsOffset(topics)) {
        for (const p of t.partitions) out.set(positionKey(t.topic, p.partition), BigInt(p.offset));
      }
      return out;
    };
    const [low, high] = await Promise.all([bounds(true), bounds(false)]);
    const out: FetchedPartition[] = [];
    for (const p of positions) {
      const key = positionKey(p.topic, p.partition);
      const start = low.get(key);
      const end = high.get(key);
      if (start === undefined || end === undefined || (p.offset >= start && p.offset <= end)) continue;
      out.push({
        topic: p.topic,
        partition: p.partition,
        records: Buffer.alloc(0),
        highWatermark: end,
        lastStableOffset: -1n,
        logStartOffset: start,
        abortedTransactions: [],
        nextOffset: p.offset,
        error: 'OFFSET_OUT_OF_RANGE',
      });
    }
    return out;
  }

  close(): Promise<void> {
    return this.cluster.disconnect();
  }
}
