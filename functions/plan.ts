// The `plan` function (Pub/Sub CloudEvent carrying a PlanMessage): a file connector's files → at most tasks.max
// tasks, one `work` message per task. Also claims single objects announced by `notify`.
import { cloudEvent, type CloudEvent } from '@google-cloud/functions-framework';
import { decodePubSubCloudEvent, isPlanMessage, PubSubMessageError } from '../shared/dispatch/pubsub-message.js';
import type { PlanMessage } from '../shared/dispatch/dispatcher.js';
import { fileContextFromEnv, type FileConnectorContext } from '../shared/file/file-connector-context.js';
import { planFileConnector } from '../shared/file/file-source-connector.js';
import { createLogger } from '../shared/runtime/log.js';

const log = createLogger({ function: 'plan' });
let context: Promise<FileConnectorContext> | undefined;

export async function plan(event: CloudEvent<unknown>): Promise<void> {
  let message: PlanMessage;
  try {
    message = decodePubSubCloudEvent(event, isPlanMessage);
  } catch (err) {
    // A malformed message never becomes valid: log it and let Pub/Sub forget it.
    if (err instanceof PubSubMessageError) return log.error(err.message);
    throw err;
  }
  context ??= fileContextFromEnv(process.env, log);
  const ctx = await context.catch((err: unknown) => {
    context = undefined;
    throw err;
  });
  const outcome = await planFileConnector(message, ctx);
  log.info('plan done', { connector: message.connector, epoch: message.epoch, outcome });
}

cloudEvent('plan', plan);
