// MirrorSourceTask against in-memory fakes of the Kafka port (a consumer serving a partition log, a sender whose
// acknowledgements the test releases) and a real SQLite store: positions are saved only after the target
// acknowledged, in request order; a failed request saves nothing after it and the next session starts from the
// saved position; stop() sends nothing new and saves what was in flight.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConnectorConfig } from '../../../shared/config/index.js';
import type { MirrorConnectorSpec } from '../../../shared/config/spec.js';
import { encodeBatch } from '../../../shared/kafka/batch/forwarded-batch.js';
import type {
  FetchedPartition,
  FetchPosition,
  KafkaAdmin,
  KafkaClient,
  KafkaConsumer,
  KafkaProducer,
  ProduceAck,
  ProduceRequest,
} from '../../../shared/kafka/port/kafka-port.js';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import { MirrorPositions } from '../../../shared/mirror/mirror-positions.js';
import { MirrorSourceTask, type MirrorTransport } from '../../../shared/mirror/mirror-source-task.js';
import { ByteArrayConverter } from '../../../shared/mirror/converters/byte-array-converter.js';
import { silentLogger } from '../../../shared/runtime/log.js';
import { waitFor } from '../../wait-for.js';

const TOPIC = 't';

/** A source batch of `n` records starting at `base`. */
function batch(base: number, n: number): Buffer {
  const b = encodeBatch(
    Array.from({ length: n }, (_, i) => ({
      timestamp: 1_000 + base + i,
      key: null,
      value: Buffer.from(`v${base + i}`),
      headers: [],
    })),
  );
  b.writeBigInt64BE(BigInt(base), 0);
  return b;
}

/** Serves a partition log: each fetch returns the next batch at or after the position. */
class LogConsumer implements KafkaConsumer {
  assigned: FetchPosition[] = [];
  /** Where the session started it. */
  startedAt?: bigint;
  constructor(private readonly log: Buffer[]) {}
  async connect(): Promise<void> {}
  assign(positions: FetchPosition[]): void {
    this.assigned = positions.map((p) => ({ ...p }));
    this.startedAt = positions[0]?.offset;
  }
  seek(position: FetchPosition): void {
    this.assigned = [{ ...position }];
  }
  positions(): FetchPosition[] {
    return this.assigned;
  }
  async fetch(): Promise<FetchedPartition[]> {
    const p = this.assigned[0];
    const next = this.log.find((b) => b.readBigInt64BE(0) + BigInt(b.readInt32BE(23)) + 1n > p.offset);
    if (!next) {
      await new Promise((r) => setTimeout(r, 10));
      return [];
    }
    const nextOffset = next.readBigInt64BE(0) + BigInt(next.readInt32BE(23)) + 1n;
    p.offset = nextOffset;
    return [
      {
        topic: TOPIC,
        partition: 0,
        records: Buffer.from(next),
        highWatermark: 30n,
        lastStableOffset: 30n,
        logStartOffset: 0n,
        abortedTransactions: [],
        nextOffset,
      },
    ];
  }
  async close(): Promise<void> {}
}

interface PendingRequest {
  batches: ProduceRequest[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Records every send; the test acknowledges (or fails) each one when it wants. */
class HeldSender implements KafkaProducer {
  readonly requests: PendingRequest[] = [];
  async connect(): Promise<void> {}
  async partitionCount(): Promise<number> {
    return 1;
  }
  async maxBatchBytes(): Promise<number> {
    return 1_048_588;
  }
  send(batches: ProduceRequest[]): Promise<ProduceAck[]> {
    return new Promise((resolve, reject) => this.requests.push({ batches, resolve: () => resolve([]), reject }));
  }
  async flush(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async abortTransaction(): Promise<void> {}
  async close(): Promise<void> {}
}

const admin = {
  connect: async () => {},
  close: async () => {},
  earliestOffsets: async () => [{ partition: 0, offset: 0n }],
  latestOffsets: async () => [{ partition: 0, offset: 30n }],
} as unknown as KafkaAdmin;

function spec(): MirrorConnectorSpec {
  const text = [
    'connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector',
    'source.cluster.alias=src',
    'target.cluster.alias=tgt',
    'source.cluster.bootstrap.servers=127.0.0.1:1',
    'target.cluster.bootstrap.servers=127.0.0.1:2',
    'source->target.enabled=true',
    '[m]',
    'name=m',
  ].join('\n');
  return parseConnectorConfig(text, { fileName: 'm.conf' }).specs[0] as MirrorConnectorSpec;
}

// A condition with a deadline, not a count of polls: 500 polls of 5 ms were 2.5 s, a guess at how long a retry's
// 500 ms backoff and a new session take on a loaded machine.
const waitUntil = (ok: () => boolean) => waitFor(() => ok(), { timeoutMs: 60_000, everyMs: 5 });

describe('MirrorSourceTask (fakes of the Kafka port)', () => {
  let store: SqliteConnectorStore;
  let positions: MirrorPositions;
  const saved = async () => (await store.getOffset('m', `position:${TOPIC}:0`))?.value.offset;

  beforeEach(async () => {
    store = await SqliteConnectorStore.openStateDir(mkdtempSync(join(tmpdir(), 'dsc-task-')));
    const now = new Date().toISOString();
    await store.createConnectors([
      { name: 'm', kind: 'mirror', spec: spec(), desired: 'RUNNING', epoch: 1, createdAt: now, updatedAt: now },
    ]);
    positions = new MirrorPositions(store, 'm', {} as KafkaClient);
    positions.readLegacyGroup = false;
  });
  afterEach(async () => {
    await store.close();
  });

  function task(log: Buffer[], sender: HeldSender, consumers: LogConsumer[] = []) {
    const failures: string[] = [];
    const t = new MirrorSourceTask({
      connector: 'm',
      taskId: 0,
      spec: spec(),
      partitions: [{ topic: TOPIC, partition: 0 }],
      targetTopic: (s) => `src.${s}`,
      positions,
      converter: new ByteArrayConverter(),
      log: silentLogger,
      onFailure: (r) => failures.push(r),
      transport: (): MirrorTransport => {
        const consumer = new LogConsumer(log);
        consumers.push(consumer);
        return { consumer, admin, producer: sender };
      },
    });
    return { t, failures };
  }

  it('saves a position only after its request and every earlier one are acknowledged', async () => {
    const sender = new HeldSender();
    const { t } = task([batch(0, 10), batch(10, 10), batch(20, 10)], sender);
    await t.start();
    await waitUntil(() => sender.requests.length === 3);
    expect(sender.requests.map((r) => r.batches[0].topic)).toEqual(['src.t', 'src.t', 'src.t']);
    sender.requests[1].resolve();
    await new Promise((r) => setTimeout(r, 30));
    expect(await saved()).toBeUndefined(); // the second is in, but not the first
    sender.requests[0].resolve();
    await waitUntil(() => t.stats.records === 20);
    expect(await saved()).toBe('20');
    sender.requests[2].resolve();
    await waitUntil(() => t.stats.records === 30);
    expect(await saved()).toBe('30');
    expect(t.stats.lag['t-0']).toBe(0);
    await t.stop();
  });

  it('a failed request saves nothing after it; the next session starts at the saved position', async () => {
    const sender = new HeldSender();
    const consumers: LogConsumer[] = [];
    const { t } = task([batch(0, 10), batch(10, 10), batch(20, 10)], sender, consumers);
    await t.start();
    await waitUntil(() => sender.requests.length === 3);
    sender.requests[0].resolve();
    sender.requests[1].reject(new Error('NOT_ENOUGH_REPLICAS'));
    sender.requests[2].resolve();
    await waitUntil(() => consumers.length === 2); // a new session
    expect(await saved()).toBe('10');
    expect(consumers[1].startedAt).toBe(10n);
    expect(consumers[0].startedAt).toBe(0n);
    expect(t.stats.retries).toBe(1);
    expect(t.stats.lastError).toMatch(/retrying: .*NOT_ENOUGH_REPLICAS/);
    await waitUntil(() => sender.requests.length === 5);
    for (const r of sender.requests.slice(3)) r.resolve();
    await waitUntil(() => t.stats.records === 30);
    expect(await saved()).toBe('30');
    expect(t.stats.lastError).toBeUndefined();
    await t.stop();
  });

  it('stop() sends nothing new, waits for the requests in flight and saves their positions', async () => {
    const sender = new HeldSender();
    const log = [batch(0, 10), batch(10, 10)];
    const { t } = task(log, sender);
    await t.start();
    await waitUntil(() => sender.requests.length === 2);
    const stopped = t.stop();
    log.push(batch(20, 10)); // arrives while stopping: not sent
    await new Promise((r) => setTimeout(r, 30));
    for (const r of sender.requests) r.resolve();
    await stopped;
    expect(sender.requests).toHaveLength(2);
    expect(await saved()).toBe('20');
  });
});
