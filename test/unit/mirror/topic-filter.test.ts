import { describe, expect, it } from 'vitest';
import { DefaultReplicationPolicy, IdentityReplicationPolicy } from '../../../shared/mirror/replication-policy.js';
import { TopicFilter } from '../../../shared/mirror/topic-filter.js';
import { taskConfigs } from '../../../shared/mirror/mirror-source-connector.js';

describe('replication policies', () => {
  it('prefixes the source alias with the separator, or keeps the name', () => {
    expect(new DefaultReplicationPolicy('.').formatRemoteTopic('src', 'orders')).toBe('src.orders');
    expect(new DefaultReplicationPolicy('_').formatRemoteTopic('src', 'orders')).toBe('src_orders');
    expect(new IdentityReplicationPolicy().formatRemoteTopic('src', 'orders')).toBe('orders');
    expect(new DefaultReplicationPolicy('.').topicSource('tgt.orders')).toBe('tgt');
  });
});

describe('TopicFilter', () => {
  const policy = new DefaultReplicationPolicy('.');
  it('matches names and regexes against the whole name, then applies topics.exclude', () => {
    const f = new TopicFilter(['orders', 'web-.*'], ['web-test'], policy, 'tgt');
    expect(f.shouldReplicate('orders')).toBe(true);
    expect(f.shouldReplicate('orders2')).toBe(false);
    expect(f.shouldReplicate('web-clicks')).toBe(true);
    expect(f.shouldReplicate('web-test')).toBe(false);
  });
  it('never mirrors internal topics or topics that came from the target (cycles)', () => {
    const f = new TopicFilter(['.*'], [], policy, 'tgt');
    for (const t of ['__consumer_offsets', 'mm2-offset-syncs.tgt.internal', 'x.internal', 'tgt.orders', 'heartbeats']) {
      expect(f.shouldReplicate(t), t).toBe(false);
    }
    expect(f.rejectReason('tgt.orders')).toMatch(/cycle/);
    expect(f.shouldReplicate('other.orders')).toBe(true);
  });
});

describe('taskConfigs', () => {
  it('caps tasks at the partition count with a warning', () => {
    const plan = taskConfigs(
      10,
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
    expect(plan.tasks).toBe(3);
    expect(plan.warnings[0]).toMatch(/tasks\.max=10 exceeds the 3 source partitions/);
    expect(taskConfigs(2, new Map([['a', 6]])).tasks).toBe(2);
  });

  it('deals the partitions round-robin, sorted by topic then partition, as MirrorMaker 2 does', () => {
    const plan = taskConfigs(
      2,
      new Map([
        ['b', 2],
        ['a', 3],
      ]),
    );
    const names = plan.assignments.map((a) => a.map((p) => `${p.topic}-${p.partition}`));
    expect(names).toEqual([
      ['a-0', 'a-2', 'b-1'],
      ['a-1', 'b-0'],
    ]);
  });
});
