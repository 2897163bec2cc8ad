// BatchProducer and ensureTopic against the in-memory fake of the Kafka port: acknowledgements run in submission
// order, the in-flight bound holds the caller back, and a failed batch stops every later acknowledgement.
import { describe, expect, it } from 'vitest';
import { BatchProducer } from '../../../shared/kafka/delivery/batch-producer.js';
import { RecordBatchBuilder } from '../../../shared/kafka/batch/record-batch.js';
import { ensureTopic } from '../../../shared/kafka/port/topics.js';
import { FakeKafka } from './fake-kafka.js';

function request(topic: string, value: string) {
  const b = new RecordBatchBuilder(1024);
  b.append(Buffer.from(value), 0, value.length);
  return [{ topic, partition: 0, batch: b.finish()! }];
}

const tick = () => new Promise((r) => setImmediate(r));

describe('BatchProducer', () => {
  it('holds the caller while a batch is in flight, and acknowledges in order', async () => {
    const fake = new FakeKafka();
    fake.createTopic('t');
    fake.hold = true;
    const producer = new BatchProducer(fake.client().producer());
    const acks: string[] = [];
    await producer.submit(request('t', 'a'), async () => void acks.push('a'));
    let secondQueued = false;
    const second = producer
      .submit(request('t', 'b'), async () => void acks.push('b'))
      .then(() => (secondQueued = true));
    await tick();
    expect(secondQueued).toBe(false); // maxInFlight 1: waits for the first acknowledgement
    expect(fake.held).toHaveLength(1);
    fake.held.shift()!.release();
    await second;
    expect(acks).toEqual(['a']);
    fake.held.shift()!.release();
    await producer.flush();
    expect(acks).toEqual(['a', 'b']);
    expect(fake.values('t')).toEqual(['a', 'b']);
  });

  it('with more in flight, a later batch acknowledged first still waits for the earlier one', async () => {
    const fake = new FakeKafka();
    fake.createTopic('t');
    fake.hold = true;
    const producer = new BatchProducer(fake.client().producer(), { maxInFlight: 2 });
    const acks: string[] = [];
    await producer.submit(request('t', 'a'), async () => void acks.push('a'));
    await producer.submit(request('t', 'b'), async () => void acks.push('b'));
    await tick();
    const [a, b] = fake.held.splice(0);
    b.release();
    await tick();
    expect(acks).toEqual([]);
    a.release();
    await producer.flush();
    expect(acks).toEqual(['a', 'b']);
  });

  it('a failed send is never acknowledged, nor anything after it; the next submit throws it', async () => {
    const fake = new FakeKafka();
    fake.createTopic('t');
    const producer = new BatchProducer(fake.client().producer(), { maxInFlight: 2 });
    const acks: string[] = [];
    fake.failNext = new Error('NOT_ENOUGH_REPLICAS');
    await producer.submit(request('t', 'a'), async () => void acks.push('a'));
    await producer.submit(request('t', 'b'), async () => void acks.push('b'));
    await expect(producer.flush()).rejects.toThrow('NOT_ENOUGH_REPLICAS');
    expect(acks).toEqual([]);
    await expect(producer.submit(request('t', 'c'), async () => {})).rejects.toThrow('NOT_ENOUGH_REPLICAS');
  });
});

describe('ensureTopic', () => {
  it('creates a missing topic once, leaves an existing one', async () => {
    const fake = new FakeKafka();
    const client = fake.client();
    expect(await ensureTopic(client, { topic: 'x', numPartitions: 3, replicationFactor: -1 })).toBe(true);
    expect(fake.topics.get('x')).toHaveLength(3);
    expect(await ensureTopic(client, { topic: 'x', numPartitions: 5, replicationFactor: -1 })).toBe(false);
    expect(fake.topics.get('x')).toHaveLength(3);
  });
});
