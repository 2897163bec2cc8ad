// The mirror tests fill their source topics with `produce` (mirror-helpers.ts), and then blame any repeat in the
// target on the mirror. Here that producer writes each record once, even into partitions added a moment ago: the
// broker then refuses a new partition for a moment (NOT_LEADER_OR_FOLLOWER although the metadata already lists it),
// and kafkajs retries the whole Produce request, so a producer without idempotence wrote the partitions accepted the
// first time twice (a full CI run got 165 records for 120 in mirror-bytes' "partition added" test that way).
import { describe, expect, it } from 'vitest';
import { createTopic, partitionCount, produce, sourceKafka, unique } from './mirror-helpers.js';
import { waitFor } from '../wait-for.js';

/**
 * Rounds of grow-then-produce. With six new partitions the broker refused one in the first round of each of 5 runs
 * of a plain producer (loaded 2-core machine); with two new ones, in about one round of four.
 */
const ROUNDS = 5;
const GROWN = 8;
const PER_PARTITION = 5;

describe('the source producer of the mirror tests', () => {
  const src = sourceKafka();

  it('writes each record once into partitions added just before', async () => {
    const admin = src.admin();
    await admin.connect();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const topic = unique('grown');
        await createTopic(src, topic, 2);
        await admin.createPartitions({ topicPartitions: [{ topic, count: GROWN }] });
        // As mirror-bytes does: produce once the metadata lists every partition (a producer that saw fewer would
        // not place records on the new ones).
        await waitFor(async () => (await partitionCount(src, topic)) === GROWN || undefined, {
          what: `${GROWN} partitions of ${topic} in the metadata`,
        });
        const messages = Array.from({ length: GROWN * PER_PARTITION }, (_, i) => ({
          value: `v${i}`,
          partition: i % GROWN,
        }));
        await produce(src, topic, messages);
        const ends = (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition);
        expect(
          ends.map((e) => Number(e.high)),
          `round ${round}: records per partition of ${topic}`,
        ).toEqual(Array.from({ length: GROWN }, () => PER_PARTITION));
      }
    } finally {
      await admin.disconnect();
    }
  });
});
