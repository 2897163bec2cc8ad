// Produce requests from one fetch's items: one batch per partition per request, each partition in order; position-only
// items ride with the next batch; dead letters on another broker go first, in a request that saves no position.
import { describe, expect, it } from 'vitest';
import { produceRequests, type SendItem } from '../../../shared/mirror/produce-requests.js';

const item = (partition: number, end: number, o: Partial<SendItem> = {}): SendItem => ({
  key: `t:${partition}`,
  partition,
  targetTopic: 'src.t',
  bytes: Buffer.from([end]),
  records: 1,
  bytesOut: 1,
  end: BigInt(end),
  ...o,
});

describe('produceRequests', () => {
  it('puts at most one batch of a partition in a request and keeps each partition in order', () => {
    const items = [item(0, 1), item(0, 2), item(1, 11), item(0, 3, { bytes: undefined }), item(0, 4)];
    const requests = [...produceRequests(items, new Map([['src.t', [7, 7]]]), undefined)];
    expect(requests.map((r) => r.node)).toEqual([7, 7, 7]);
    expect(requests.map((r) => r.items.map((i) => `${i.partition}@${i.end}`))).toEqual([
      ['0@1', '1@11'],
      ['0@2', '0@3'],
      ['0@4'],
    ]);
  });

  it('sends dead letters to their own leader first, saving no position there', () => {
    const items = [item(0, 5, { dead: Buffer.from('d') })];
    const leaders = new Map([
      ['src.t', [1]],
      ['dlq', [2]],
    ]);
    const requests = [...produceRequests(items, leaders, 'dlq')];
    expect(requests.map((r) => r.node)).toEqual([2, 1]);
    expect(requests[0].items[0]).toMatchObject({ bytes: undefined, end: -1n });
    expect(requests[1].items[0]).toMatchObject({ dead: undefined, end: 5n });
  });

  it('names the partition without a leader', () => {
    expect(() => [...produceRequests([item(3, 1)], new Map([['src.t', [1]]]), undefined)]).toThrow(
      /src\.t-3 has no leader/,
    );
  });
});
