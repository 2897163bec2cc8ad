// The `work` function (Pub/Sub CloudEvent carrying a TaskMessage): runs one file task from its checkpoint until its
// files are done or DSC_TASK_BUDGET_SECONDS (default 480 of the 540 s timeout) is spent, then re-enqueues itself.
import { cloudEvent, type CloudEvent } from '@google-cloud/functions-framework';
import type { TaskMessage } from '../shared/dispatch/dispatcher.js';
import { decodePubSubCloudEvent, isTaskMessage, PubSubMessageError } from '../shared/dispatch/pubsub-message.js';
import { fileContextFromEnv, type FileConnectorContext } from '../shared/file/file-connector-context.js';
import { runFileSourceTask } from '../shared/file/file-source-task.js';
import { createLogger } from '../shared/runtime/log.js';

const log = createLogger({ function: 'work' });
let context: Promise<FileConnectorContext> | undefined;

export async function work(event: CloudEvent<unknown>): Promise<void> {
  let message: TaskMessage;
  try {
    message = decodePubSubCloudEvent(event, isTaskMessage);
  } catch (err) {
    if (err instanceof PubSubMessageError) return log.error(err.message);
    throw err;
  }
  context ??= fileContextFromEnv(process.env, log);
  const ctx = await context.catch((err: unknown) => {
    context = undefined;
    throw err;
  });
  // Failures are recorded on the task (state FAILED, lastError) by the task itself; the message is done either way.
  const outcome = await runFileSourceTask(message, ctx);
  log.info('task done', { ...message, outcome });
}

cloudEvent('work', work);
