// patches/kafkajs+2.2.4.patch: kafkajs's producer groups a send's records by partition in one pass, exactly as the
// release's (quadratic) version did.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Grouping = (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: { partition?: number }[];
  partitioner: (args: { message: { partition?: number } }) => number;
}) => Record<number, unknown[]>;

/** kafkajs 2.2.4's own function, as released. */
const released: Grouping = ({ topic, partitionMetadata, messages, partitioner }) => {
  if (partitionMetadata.length === 0) return {};
  return messages.reduce<Record<number, unknown[]>>((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message } as never);
    return Object.assign(result, { [partition]: [...(result[partition] ?? []), message] });
  }, {});
};

describe('kafkajs grouping patch', () => {
  const file = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
  it('is applied at install', () => {
    expect(readFileSync(file, 'utf8')).toContain('dsc patch');
  });

  it('groups exactly as the released kafkajs does, keeping order within each partition', () => {
    const patched = require(file) as Grouping;
    const messages = Array.from({ length: 500 }, (_, i) => ({ partition: (i * 7) % 5, i }));
    const args = {
      topic: 't',
      partitionMetadata: [{}, {}, {}, {}, {}],
      messages,
      partitioner: ({ message }: { message: { partition?: number } }) => message.partition!,
    };
    expect(patched(args)).toEqual(released(args));
    expect(patched({ ...args, partitionMetadata: [] })).toEqual({});
  });
});
