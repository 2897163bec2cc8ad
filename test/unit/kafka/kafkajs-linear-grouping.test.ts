import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { runInThisContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { groupMessagesPerPartition } from '../../../shared/kafka/kafkajs/kafkajs-linear-grouping.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);

/** kafkajs's own (quadratic) function, evaluated from its source, whatever the module cache holds. */
function originalGrouping(): typeof groupMessagesPerPartition {
  const source = readFileSync(require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js'), 'utf8');
  const module = { exports: undefined as unknown };
  (runInThisContext(`(function (module) {${source}\n})`) as (m: typeof module) => void)(module);
  return module.exports as typeof groupMessagesPerPartition;
}

describe('kafkajs linear grouping', () => {
  it('groups exactly as kafkajs does, keeping order within each partition', () => {
    const messages = Array.from({ length: 500 }, (_, i) => ({ partition: (i * 7) % 5, i }));
    const args = {
      topic: 't',
      partitionMetadata: [{}, {}, {}, {}, {}],
      messages,
      partitioner: ({ message }: { message: { partition?: number } }) => message.partition!,
    };
    expect(groupMessagesPerPartition(args)).toEqual(originalGrouping()(args));
    expect(groupMessagesPerPartition({ ...args, partitionMetadata: [] })).toEqual({});
  });

  const entry = resolve(ROOT, 'dist/shared/kafka/kafkajs/kafkajs-linear-grouping.js');
  it.skipIf(!existsSync(entry))('is what the kafkajs producer uses when the module is imported first', () => {
    const script = `
      const m = await import(${JSON.stringify(entry)});
      await import('kafkajs');
      console.log(m.linearGroupingActive());`;
    const out = execFileSync(resolve(ROOT, 'node_modules/.bin/node'), ['--input-type=module', '-e', script], {
      cwd: ROOT,
    });
    expect(out.toString().trim()).toBe('true');
  });
});
