// kafkajs 2.2.4 (its last release) groups each send's records by partition with `[...current, message]`, copying
// the list for every record: quadratic in the records per send, ~23% of the mirror's CPU in a profile
// (bench/mirror-load.sh). Open upstream as tulios/kafkajs#1576. This module puts the linear version into the
// CommonJS cache before kafkajs loads it, so it must be imported before anything that imports kafkajs: the entry
// points (functions/index.ts, functions/mirror.ts, shared/cli/main.ts) import it first. Behaviour is identical.
import { createRequire } from 'node:module';

interface PartitionMessage {
  partition?: number;
}
type Partitioner = (args: { topic: string; partitionMetadata: unknown[]; message: PartitionMessage }) => number;

export function groupMessagesPerPartition({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: {
  topic: string;
  partitionMetadata: unknown[];
  messages: PartitionMessage[];
  partitioner: Partitioner;
}): Record<number, PartitionMessage[]> {
  if (partitionMetadata.length === 0) return {};
  const result: Record<number, PartitionMessage[]> = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

const require = createRequire(import.meta.url);
const file = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
if (!require.cache[file]) {
  // A loaded module record, as Node's loader would make it, whose exports are our function.
  const Module = require('node:module') as { new (id: string): NodeJS.Module };
  const record = new Module(file);
  record.filename = file;
  record.loaded = true;
  record.exports = groupMessagesPerPartition;
  require.cache[file] = record;
}

/** Whether kafkajs's producer uses this module's grouping (false when kafkajs was loaded before this module). */
export function linearGroupingActive(): boolean {
  return require('kafkajs/src/producer/groupMessagesPerPartition.js') === groupMessagesPerPartition;
}
