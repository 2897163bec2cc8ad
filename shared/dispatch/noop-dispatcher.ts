// Records what would have been dispatched and runs nothing: the CLI's embedded `create` (where `dsc run` does the
// work later) and tests that check which messages a request produced.
import type { Dispatcher, PlanMessage, TaskMessage } from './dispatcher.js';

export class NoopDispatcher implements Dispatcher {
  readonly plans: PlanMessage[] = [];
  readonly tasks: TaskMessage[] = [];

  async plan(message: PlanMessage): Promise<void> {
    this.plans.push(message);
  }

  async task(message: TaskMessage): Promise<void> {
    this.tasks.push(message);
  }
}
