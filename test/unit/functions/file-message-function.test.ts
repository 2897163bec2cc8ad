import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileMessageFunction } from '../../../functions/file-message-function.js';
import type { TaskMessage } from '../../../shared/dispatch/dispatcher.js';
import { encodeMessage, isTaskMessage } from '../../../shared/dispatch/pubsub-message.js';
import type { FileConnectorContext } from '../../../shared/file/file-connector-context.js';
import { createLogger } from '../../../shared/runtime/log.js';

const pubsubEvent = (data: Buffer) => ({
  id: '1',
  type: 'google.cloud.pubsub.topic.v1.messagePublished',
  data: { message: { data: data.toString('base64') } },
});

describe('plan/work entry points (fileMessageFunction)', () => {
  const saved = { ...process.env };
  process.env.DSC_STORE = 'sqlite';
  process.env.DSC_STATE_DIR = mkdtempSync(join(tmpdir(), 'dsc-fn-'));
  process.env.DSC_DISPATCH = 'inprocess';
  afterAll(() => {
    process.env = saved;
  });

  const lines: string[] = [];
  const log = createLogger({}, (l) => lines.push(l));
  const seen: { message: TaskMessage; ctx: FileConnectorContext }[] = [];
  const fn = fileMessageFunction(log, isTaskMessage, async (message, ctx) => {
    seen.push({ message, ctx });
  });

  it('logs a malformed message and returns (Pub/Sub must not redeliver it forever)', async () => {
    await expect(fn(pubsubEvent(Buffer.from('not json')) as never)).resolves.toBeUndefined();
    await expect(fn(pubsubEvent(Buffer.from('{"connector":1}')) as never)).resolves.toBeUndefined();
    expect(seen).toHaveLength(0);
    expect(lines.filter((l) => JSON.parse(l).severity === 'ERROR')).toHaveLength(2);
  });

  it('decodes a task message and builds the context once per instance', async () => {
    const message = { connector: 'c', taskId: 3, epoch: 2 };
    await fn(pubsubEvent(encodeMessage(message)) as never);
    await fn(pubsubEvent(encodeMessage({ ...message, taskId: 4 })) as never);
    expect(seen.map((s) => s.message)).toEqual([message, { ...message, taskId: 4 }]);
    expect(seen[0].ctx).toBe(seen[1].ctx);
    expect(await seen[0].ctx.store.listConnectors()).toEqual([]);
  });
});
