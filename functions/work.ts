// The `work` function (Pub/Sub CloudEvent carrying a TaskMessage): runs one file task from its checkpoint until its
// files are done or DSC_TASK_BUDGET_SECONDS (default 480 of the 540 s timeout) is spent, then re-enqueues itself.
import { cloudEvent } from '@google-cloud/functions-framework';
import { isTaskMessage } from '../shared/dispatch/pubsub-message.js';
import { runFileSourceTask } from '../shared/file/file-source-task.js';
import { createLogger } from '../shared/runtime/log.js';
import { fileMessageFunction } from './file-message-function.js';

const log = createLogger({ function: 'work' });

// Failures are recorded on the task (state FAILED, lastError) by the task itself; the message is done either way.
export const work = fileMessageFunction(log, isTaskMessage, async (message, ctx) => {
  const outcome = await runFileSourceTask(message, ctx);
  log.info('task done', { ...message, outcome });
});

cloudEvent('work', work);
