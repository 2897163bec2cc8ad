// The `plan` function (Pub/Sub CloudEvent carrying a PlanMessage): a file connector's files → at most tasks.max
// tasks, one `work` message per task. Also claims single objects announced by `notify`, and runs the scheduled
// scans: Cloud Scheduler's ScanRequest fans out to one scan PlanMessage per due streaming connector.
import { cloudEvent } from '@google-cloud/functions-framework';
import { isPlanMessage } from '../shared/dispatch/pubsub-message.js';
import type { PlanMessage } from '../shared/dispatch/dispatcher.js';
import { planFileConnector } from '../shared/file/file-source-connector.js';
import { dispatchDueScans, isScanRequest, type ScanRequest } from '../shared/file/scan-schedule.js';
import { createLogger } from '../shared/runtime/log.js';
import { fileMessageFunction } from './file-message-function.js';

const log = createLogger({ function: 'plan' });

const isPlanOrScan = (v: unknown): v is PlanMessage | ScanRequest => isPlanMessage(v) || isScanRequest(v);

export const plan = fileMessageFunction(log, isPlanOrScan, async (message, ctx) => {
  if (isScanRequest(message)) {
    // Cloud Scheduler's tick: one scan message per due connector, each handled by its own invocation.
    const due = await dispatchDueScans({ store: ctx.store, dispatcher: ctx.dispatcher });
    return log.info('scans dispatched', { connectors: due });
  }
  const outcome = await planFileConnector(message, ctx);
  log.info('plan done', { connector: message.connector, epoch: message.epoch, outcome });
});

cloudEvent('plan', plan);
