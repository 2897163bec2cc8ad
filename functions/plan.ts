// The `plan` function (Pub/Sub CloudEvent carrying a PlanMessage): a file connector's files → at most tasks.max
// tasks, one `work` message per task. Also claims single objects announced by `notify`.
import { cloudEvent } from '@google-cloud/functions-framework';
import { isPlanMessage } from '../shared/dispatch/pubsub-message.js';
import { planFileConnector } from '../shared/file/file-source-connector.js';
import { createLogger } from '../shared/runtime/log.js';
import { fileMessageFunction } from './file-message-function.js';

const log = createLogger({ function: 'plan' });

export const plan = fileMessageFunction(log, isPlanMessage, async (message, ctx) => {
  const outcome = await planFileConnector(message, ctx);
  log.info('plan done', { connector: message.connector, epoch: message.epoch, outcome });
});

cloudEvent('plan', plan);
