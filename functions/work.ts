// The `work` function (Pub/Sub CloudEvent carrying a TaskMessage): runs one file task from its checkpoint until its
// files are done or DSC_TASK_BUDGET_SECONDS (default 480 of the 540 s timeout) is spent, then re-enqueues itself.
import { cloudEvent } from '@google-cloud/functions-framework';
import { isTaskMessage } from '../shared/dispatch/pubsub-message.js';
import { runFileSourceTask } from '../shared/file/file-source-task.js';
import { createLogger } from '../shared/runtime/log.js';
import { fileMessageFunction } from './file-message-function.js';

const log = createLogger({ function: 'work' });

// Failures are recorded on the task (state FAILED, lastError) by the task itself; the message is done either way.
// 'busy' is the exception: the lease holder may be a live copy or an invocation that died (its lease runs on for up
// to a minute). Failing the delivery makes Pub/Sub retry with backoff until the lease is released or expires, and the
// retry resumes from the checkpoint; acking it would leave a crashed task RUNNING with nobody to run it.
export const work = fileMessageFunction(log, isTaskMessage, async (message, ctx) => {
  const outcome = await runFileSourceTask(message, ctx);
  log.info('task done', { ...message, outcome });
  if (outcome === 'busy') throw new Error(`task ${message.taskId} of ${message.connector} is leased; retry later`);
});

cloudEvent('work', work);
