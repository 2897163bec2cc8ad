// The wire consumer: Fetch v12 requests to each assigned partition's leader, records returned as the broker's raw
// RecordBatch bytes (never decoded here), with high watermark, last stable offset and aborted transactions.
import { createAPI, Writer, type Reader } from './platformatic.js';
import type {
  AbortedTransaction,
  ConsumerOptions,
  FetchedPartition,
  FetchPosition,
  KafkaConsumer,
} from '../port/kafka-port.js';
import { AssignedPartitions, positionKey } from '../port/assigned-partitions.js';
import { BATCH_HEADER_BYTES, batchSizeAt, nextOffsetOf } from '../batch/batch-layout.js';
import type { WireCluster } from './wire-cluster.js';
import { errorName, kafkaErrorOf, staleMetadata } from './wire-errors.js';

interface FetchTopic {
  topic: string;
  partitions: { partition: number; offset: bigint; maxBytes: number }[];
}

interface RawPartition {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: AbortedTransaction[];
  records: Buffer | null;
}

interface RawFetchResponse {
  errorCode: number;
  responses: { topic: string; partitions: RawPartition[] }[];
}

type FetchArgs = [maxWaitMs: number, minBytes: number, maxBytes: number, isolation: number, topics: FetchTopic[]];

function fetchRequest(...[maxWaitMs, minBytes, maxBytes, isolation, topics]: FetchArgs): Writer {
  return Writer.create()
    .appendInt32(-1) // replica id: a consumer
    .appendInt32(maxWaitMs)
    .appendInt32(minBytes)
    .appendInt32(maxBytes)
    .appendInt8(isolation)
    .appendInt32(0) // no fetch session
    .appendInt32(-1)
    .appendArray(topics, (w, t) => {
      w.appendString(t.topic).appendArray(t.partitions, (w, p) => {
        w.appendInt32(p.partition)
          .appendInt32(-1) // current leader epoch unknown
          .appendInt64(p.offset)
          .appendInt32(-1)
          .appendInt64(-1n)
          .appendInt32(p.maxBytes);
      });
    })
    .appendArray([], () => {})
    .appendString('')
    .appendTaggedFields();
}

function parseFetch(_c: number, _k: number, _v: number, r: Reader): RawFetchResponse {
  r.readInt32(); // throttle
  const errorCode = r.readInt16();
  r.readInt32(); // session id
  const responses = r.readArray((r) => ({
    topic: r.readString(),
    partitions: r.readArray(
      (r) => {
        const p: RawPartition = {
          partition: r.readInt32(),
          errorCode: r.readInt16(),
          highWatermark: r.readInt64(),
          lastStableOffset: r.readInt64(),
          logStartOffset: r.readInt64(),
          abortedTransactions:
            r.readNullableArray((r) => ({ producerId: r.readInt64(), firstOffset: r.readInt64() })) ?? [],
          records: (r.readInt32(), r.readNullableBytes(true)), // preferred read replica, then COMPACT_RECORDS
        };
        r.readTaggedFields();
        return p;
      },
      true,
      false,
    ),
  }));
  r.readTaggedFields();
  return { errorCode, responses };
}

const fetchApi = createAPI(1, 12, fetchRequest, parseFetch);

/** Offset after the last WHOLE batch in `records` (a fetch may end with a partial one); `from` when none. */
function nextOffsetAfter(records: Buffer, from: bigint): bigint {
  let next = from;
  let p = 0;
  while (p + BATCH_HEADER_BYTES <= records.length) {
    const end = p + batchSizeAt(records, p);
    if (end > records.length) break;
    next = nextOffsetOf(records, p);
    p = end;
  }
  return next;
}

export class WireConsumer extends AssignedPartitions implements KafkaConsumer {
  private readonly options: Required<ConsumerOptions>;

  constructor(
    private readonly cluster: WireCluster,
    options: ConsumerOptions = {},
  ) {
    super();
    this.options = {
      isolationLevel: options.isolationLevel ?? 'read_committed',
      maxWaitMs: options.maxWaitMs ?? 500,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
      partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024,
    };
  }

  async connect(): Promise<void> {
    await this.cluster.refresh([]);
  }

  async fetch(): Promise<FetchedPartition[]> {
    const byLeader = new Map<number, FetchPosition[]>();
    for (const p of this.assigned.values()) {
      const meta = await this.cluster.topic(p.topic);
      const leader = meta.leaders[p.partition] ?? -1;
      if (leader < 0) {
        this.cluster.invalidate(p.topic);
        continue;
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    if (byLeader.size === 0) {
      await new Promise((r) => setTimeout(r, Math.min(this.options.maxWaitMs, 200)));
      return [];
    }
    const results = await Promise.all([...byLeader].map(([leader, positions]) => this.fetchFrom(leader, positions)));
    return results.flat();
  }

  private async fetchFrom(leader: number, positions: FetchPosition[]): Promise<FetchedPartition[]> {
    const topics = new Map<string, FetchTopic>();
    for (const p of positions) {
      const t = topics.get(p.topic) ?? { topic: p.topic, partitions: [] };
      t.partitions.push({ partition: p.partition, offset: p.offset, maxBytes: this.options.partitionMaxBytes });
      topics.set(p.topic, t);
    }
    const o = this.options;
    const isolation = o.isolationLevel === 'read_committed' ? 1 : 0;
    let response: RawFetchResponse;
    try {
      const connection = await this.cluster.node(leader);
      response = await fetchApi.async(connection, o.maxWaitMs, o.minBytes, o.maxBytes, isolation, [...topics.values()]);
    } catch (err) {
      const e = kafkaErrorOf(err, `fetch from broker ${leader}`);
      if (!e.retriable) throw e;
      for (const t of topics.keys()) this.cluster.invalidate(t);
      return [];
    }
    const out: FetchedPartition[] = [];
    for (const t of response.responses) {
      for (const p of t.partitions) {
        const position = this.assigned.get(positionKey(t.topic, p.partition));
        if (!position) continue;
        if (p.errorCode !== 0 && staleMetadata(p.errorCode)) {
          this.cluster.invalidate(t.topic);
          continue;
        }
        const records = p.records ?? Buffer.alloc(0);
        const nextOffset = p.errorCode === 0 ? nextOffsetAfter(records, position.offset) : position.offset;
        position.offset = nextOffset;
        if (p.errorCode === 0 && records.length === 0) continue;
        out.push({
          topic: t.topic,
          partition: p.partition,
          records,
          highWatermark: p.highWatermark,
          lastStableOffset: p.lastStableOffset,
          logStartOffset: p.logStartOffset,
          abortedTransactions: p.abortedTransactions,
          nextOffset,
          ...(p.errorCode !== 0 && { error: errorName(p.errorCode) }),
        });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.cluster.close();
  }
}
