// Produce calls from one fetch's items: one batch per partition per call, each partition in order; position-only
// items ride with the next batch; at most one dead-letter batch per call.
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
  it('puts at most one batch of a partition in a call and keeps each partition in order', () => {
    const items = [item(0, 1), item(0, 2), item(1, 11), item(0, 3, { bytes: undefined }), item(0, 4)];
    const calls = [...produceRequests(items)];
    expect(calls.map((c) => c.map((i) => `${i.partition}@${i.end}`))).toEqual([
      ['0@1', '1@11'],
      ['0@2', '0@3'],
      ['0@4'],
    ]);
  });

  it('carries at most one dead-letter batch per call (the dead-letter partition takes one batch per request)', () => {
    const items = [item(0, 5, { dead: Buffer.from('d') }), item(1, 6, { dead: Buffer.from('e') }), item(1, 7)];
    const calls = [...produceRequests(items)];
    expect(calls.map((c) => c.map((i) => `${i.partition}@${i.end}${i.dead ? '+dead' : ''}`))).toEqual([
      ['0@5+dead'],
      ['1@6+dead'],
      ['1@7'],
    ]);
  });
});
