import { describe, expect, it } from 'vitest';
import type { KafkaAdmin } from '../../../shared/kafka/port/kafka-port.js';
import {
  connectorOfKey,
  offsetKey,
  OffsetsTopic,
  partitionForConnector,
  transactionalIdFor,
  offsetsTopicName,
} from '../../../shared/kafka/delivery/offsets-topic.js';
import { decodeRecordBatches } from '../../../shared/kafka/batch/record-batch-reader.js';

const admin = {
  createTopics: async () => [],
  describeTopics: async (topics: string[]) =>
    topics.map((topic) => ({
      topic,
      partitions: [0, 1, 2, 3, 4].map((partition) => ({ partition, leader: 1, replicas: [1], isr: [1] })),
    })),
} as unknown as KafkaAdmin;

describe('offsets topic records', () => {
  it("keys are Connect's [connector, partition] JSON with sorted keys", () => {
    expect(offsetKey('load', { task: 0 })).toBe('["load",{"task":0}]');
    expect(offsetKey('m', { topic: 't', partition: 2, cluster: 'src' })).toBe(
      '["m",{"cluster":"src","partition":2,"topic":"t"}]',
    );
    expect(connectorOfKey('["m",{"task":1}]')).toBe('m');
    expect(connectorOfKey('not json')).toBeUndefined();
  });

  it('names derive from DSC_DEPLOYMENT', () => {
    expect(offsetsTopicName({})).toBe('dsc-offsets');
    expect(offsetsTopicName({ DSC_DEPLOYMENT: 'prod' })).toBe('prod-offsets');
    expect(transactionalIdFor('load', 3, { DSC_DEPLOYMENT: 'prod' })).toBe('prod-load-3');
  });

  it('every key of a connector goes to one partition', async () => {
    const topic = new OffsetsTopic('dsc-offsets', admin);
    await topic.ensure();
    const p = partitionForConnector('load', 5);
    expect(topic.partitionOf('load')).toBe(p);
    const request = topic.records('load', [
      [{ task: 0 }, { offset: 10, line: 2 }],
      [{ task: 1 }, null],
    ]);
    expect(request.partition).toBe(p);
    const [batch] = decodeRecordBatches(request.batch.bytes);
    expect(batch.records.map((r) => [r.key?.toString(), r.value?.toString() ?? null])).toEqual([
      ['["load",{"task":0}]', '{"offset":10,"line":2}'],
      ['["load",{"task":1}]', null],
    ]);
  });
});
