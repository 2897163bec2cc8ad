// The wire producer's retry rules against a fake connection (the real broker cannot be made to fail on cue):
// a retriable error re-sends the same sealed bytes (same sequence) after the partition's earlier batches settled,
// a batch refused as out of order behind a failed one is retried after it (and fails at once when that one failed for
// good), fatal errors fail with their name; sends reach the connection in call order; forwarded batches keep their
// bytes and codec, restamped.
import type { Connection } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { RecordBatchBuilder } from '../../../shared/kafka/batch/record-batch.js';
import { decodeRecordBatches } from '../../../shared/kafka/batch/record-batch-reader.js';
import { encodeBatch } from '../../../shared/kafka/batch/forwarded-batch.js';
import type { WireCluster } from '../../../shared/kafka/wire/wire-cluster.js';
import { WireProducer } from '../../../shared/kafka/wire/wire-producer.js';

interface Sent {
  partition: number;
  sequence: number;
  value: string;
  compression?: string;
}

/** Reads what the producer wrote: Produce v9 with one topic, its partitions and their record batches. */
function parseProduce(payload: Buffer): Sent[] {
  let p = 0;
  const uvarint = () => {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = payload[p++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  const strLen = uvarint(); // transactional id, compact nullable
  if (strLen > 0) p += strLen - 1;
  p += 2 + 4; // acks, timeout
  const out: Sent[] = [];
  const topics = uvarint() - 1;
  for (let t = 0; t < topics; t++) {
    const nameLength = uvarint() - 1; // not `p += uvarint()`: that adds to p's value from before the call
    p += nameLength;
    const partitions = uvarint() - 1;
    for (let i = 0; i < partitions; i++) {
      const partition = payload.readInt32BE(p);
      p += 4;
      const size = uvarint() - 1;
      const [batch] = decodeRecordBatches(payload.subarray(p, p + size));
      p += size;
      uvarint(); // tagged fields
      const sent: Sent = { partition, sequence: batch.baseSequence, value: batch.records[0].value!.toString() };
      if (batch.compression !== 'none') sent.compression = batch.compression;
      out.push(sent);
    }
    uvarint();
  }
  return out;
}

type Answer = (sent: Sent[]) => Error | number[];

/** `initErrors`: what InitProducerId answers before it succeeds (an API error name each). */
function fakeCluster(answer: Answer, initErrors: string[] = []) {
  const requests: Sent[][] = [];
  let inits = 0;
  const connection = {
    send(
      apiKey: number,
      _v: number,
      createPayload: () => { buffer: Buffer },
      _p: unknown,
      _a: boolean,
      _b: boolean,
      cb: (e: Error | null, r?: unknown) => void,
    ) {
      if (apiKey === 22) {
        const apiId = initErrors[inits++];
        // As @platformatic/kafka reports an error code in a response: a ResponseError listing the API errors.
        if (apiId) return setImmediate(() => cb(Object.assign(new Error('response error'), { errors: [{ apiId }] })));
        return cb(null, { producerId: 7n, producerEpoch: 0, errorCode: 0, throttleTimeMs: 0 });
      }
      const payload = createPayload().buffer;
      const sent = parseProduce(payload);
      requests.push(sent);
      const result = answer(sent);
      setImmediate(() => {
        if (result instanceof Error) return cb(result);
        cb(null, {
          responses: [
            {
              name: 't',
              partitionResponses: sent.map((s, i) => ({
                index: s.partition,
                errorCode: result[i],
                baseOffset: BigInt(s.sequence),
                errorMessage: null,
              })),
            },
          ],
        });
      });
    },
  } as unknown as Connection;
  const cluster = {
    any: async () => connection,
    node: async () => connection,
    topic: async () => ({ topic: 't', leaders: [1, 1], description: { topic: 't', partitions: [] } }),
    invalidate: () => {},
    close: async () => {},
  } as unknown as WireCluster;
  return { cluster, requests };
}

function batch(value: string, count = 1) {
  const b = new RecordBatchBuilder(1024);
  for (let i = 0; i < count; i++) b.append(Buffer.from(value), 0, value.length);
  return b.finish()!;
}

describe('WireProducer', () => {
  it('stamps per-partition sequences and acknowledges', async () => {
    const { cluster, requests } = fakeCluster((sent) => sent.map(() => 0));
    const producer = new WireProducer(cluster);
    await producer.connect();
    await producer.send([
      { topic: 't', partition: 0, batch: batch('a', 3) },
      { topic: 't', partition: 1, batch: batch('x', 2) },
    ]);
    await producer.send([{ topic: 't', partition: 0, batch: batch('b') }]);
    expect(requests.flat()).toEqual([
      { partition: 0, sequence: 0, value: 'a' },
      { partition: 1, sequence: 0, value: 'x' },
      { partition: 0, sequence: 3, value: 'b' },
    ]);
  });

  it('InitProducerId is retried while the broker loads its producer ids; a fatal answer fails at once', async () => {
    const loading = fakeCluster(
      (sent) => sent.map(() => 0),
      ['COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_LOAD_IN_PROGRESS'],
    );
    const producer = new WireProducer(loading.cluster);
    await producer.connect();
    await producer.send([{ topic: 't', partition: 0, batch: batch('a') }]);
    expect(loading.requests.flat()).toEqual([{ partition: 0, sequence: 0, value: 'a' }]);

    const denied = fakeCluster(
      (sent) => sent.map(() => 0),
      ['CLUSTER_AUTHORIZATION_FAILED', 'COORDINATOR_LOAD_IN_PROGRESS'],
    );
    await expect(new WireProducer(denied.cluster).connect()).rejects.toThrow(
      'InitProducerId failed: CLUSTER_AUTHORIZATION_FAILED',
    );
  });

  it('a leader change re-sends the same batch; the next one, refused as out of order, follows it', async () => {
    let calls = 0;
    const { cluster, requests } = fakeCluster((sent) => {
      calls++;
      if (calls === 1) return [6]; // NOT_LEADER_OR_FOLLOWER
      if (calls === 2) return [45]; // OUT_OF_ORDER_SEQUENCE_NUMBER: its predecessor is missing
      return sent.map(() => 0);
    });
    const producer = new WireProducer(cluster);
    await producer.connect();
    const acks: string[] = [];
    const first = producer.send([{ topic: 't', partition: 0, batch: batch('a', 2) }]).then(() => acks.push('a'));
    const second = producer.send([{ topic: 't', partition: 0, batch: batch('b') }]).then(() => acks.push('b'));
    await Promise.all([first, second]);
    expect(acks).toEqual(['a', 'b']);
    expect(requests.flat().map((s) => `${s.value}@${s.sequence}`)).toEqual(['a@0', 'b@2', 'a@0', 'b@2']);
  });

  it('a dropped connection is retried; a fatal error fails the send with its name', async () => {
    let calls = 0;
    const { cluster } = fakeCluster(() => (++calls === 1 ? new Error('socket hang up') : [10]));
    const producer = new WireProducer(cluster, { retries: 3 });
    await producer.connect();
    await expect(producer.send([{ topic: 't', partition: 0, batch: batch('a') }])).rejects.toThrow(
      /t\[0\].*MESSAGE_TOO_LARGE/,
    );
    expect(calls).toBe(2);
  });

  it('gives up after the configured retries', async () => {
    const { cluster, requests } = fakeCluster(() => [19]); // NOT_ENOUGH_REPLICAS
    const producer = new WireProducer(cluster, { retries: 2 });
    await producer.connect();
    await expect(producer.send([{ topic: 't', partition: 0, batch: batch('a') }])).rejects.toThrow(
      /NOT_ENOUGH_REPLICAS after 3 attempts/,
    );
    expect(requests).toHaveLength(3);
  });

  it('a batch behind one that failed for good fails at once (its sequence can never be accepted), not after retries', async () => {
    let calls = 0;
    const { cluster, requests } = fakeCluster(() => (++calls === 1 ? [10] : [45])); // MESSAGE_TOO_LARGE, then out of order
    const producer = new WireProducer(cluster, { retries: 8 });
    await producer.connect();
    const first = producer.send([{ topic: 't', partition: 0, batch: batch('a') }]);
    const second = producer.send([{ topic: 't', partition: 0, batch: batch('b') }]);
    await expect(first).rejects.toThrow(/MESSAGE_TOO_LARGE/);
    await expect(second).rejects.toThrow(/an earlier batch of the partition failed/);
    expect(requests).toHaveLength(2);
  });

  it('sends reach the connection in call order, however many leaders each looks up', async () => {
    const { cluster, requests } = fakeCluster((sent) => sent.map(() => 0));
    const producer = new WireProducer(cluster);
    await producer.connect();
    await Promise.all([
      producer.send([0, 1, 0, 1, 0, 1].map((partition, i) => ({ topic: 't', partition, batch: batch(`a${i}`) }))),
      producer.send([{ topic: 't', partition: 0, batch: batch('b') }]),
    ]);
    const order = requests.flat().filter((s) => s.partition === 0);
    expect(order.map((s) => `${s.value}@${s.sequence}`)).toEqual(['a0@0', 'a2@1', 'a4@2', 'b@3']);
  });

  it("a forwarded batch goes out in its own codec, restamped with this producer's sequence", async () => {
    const { cluster, requests } = fakeCluster((sent) => sent.map(() => 0));
    const producer = new WireProducer(cluster, { compression: 'zstd' });
    await producer.connect();
    const records = ['f1', 'f2', 'f3'].map((v) => ({ timestamp: 1, key: null, value: Buffer.from(v), headers: [] }));
    const gzip = encodeBatch(records, 1);
    await producer.send([{ topic: 't', partition: 0, batch: batch('built', 2) }]);
    await producer.send([{ topic: 't', partition: 0, batch: { bytes: gzip, recordCount: 3, forwarded: true } }]);
    expect(requests.flat()).toEqual([
      { partition: 0, sequence: 0, value: 'built', compression: 'zstd' },
      { partition: 0, sequence: 2, value: 'f1', compression: 'gzip' },
    ]);
  });
});
