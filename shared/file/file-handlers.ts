// The dispatch handlers of a file connector runtime: a PlanMessage goes to the planner, a TaskMessage to a task.
// Both the deployed functions (plan, work) and the embedded runtime use these.
import type { DispatchHandlers } from '../dispatch/dispatcher.js';
import type { FileConnectorContext } from './file-connector-context.js';
import { planFileConnector } from './file-source-connector.js';
import { runFileSourceTask, type FileTaskOptions } from './file-source-task.js';

export function fileHandlers(ctx: FileConnectorContext, taskOptions: FileTaskOptions = {}): DispatchHandlers {
  return {
    async plan(message) {
      const outcome = await planFileConnector(message, ctx);
      ctx.log.debug('plan handled', { connector: message.connector, epoch: message.epoch, outcome });
    },
    async task(message) {
      const outcome = await runFileSourceTask(message, ctx, taskOptions);
      ctx.log.debug('task handled', { ...message, outcome });
    },
  };
}
