// Picks the dispatch adapter from DSC_DISPATCH: `inprocess` (default, embedded) or `pubsub` (deployed).
import type { Logger } from '../runtime/log.js';
import type { DispatchHandlers, Dispatcher } from './dispatcher.js';
import { InProcessDispatcher, maxRunningTasksFromEnv } from './in-process-dispatcher.js';
import { PubSubDispatcher } from './pubsub-dispatcher.js';

export class DispatchConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DispatchConfigError';
  }
}

export function dispatcherFromEnv(
  handlers?: DispatchHandlers,
  env: NodeJS.ProcessEnv = process.env,
  log?: Logger,
): Dispatcher {
  const mode = env.DSC_DISPATCH || 'inprocess';
  if (mode === 'inprocess') return new InProcessDispatcher(handlers, log, maxRunningTasksFromEnv(env));
  if (mode === 'pubsub') {
    const missing = ['DSC_PLAN_TOPIC', 'DSC_TASK_TOPIC'].filter((k) => !env[k]);
    if (missing.length > 0) throw new DispatchConfigError(`DSC_DISPATCH=pubsub needs ${missing.join(' and ')}`);
    return new PubSubDispatcher({ planTopic: env.DSC_PLAN_TOPIC!, taskTopic: env.DSC_TASK_TOPIC! });
  }
  throw new DispatchConfigError(`DSC_DISPATCH=${mode} is not known: use inprocess or pubsub`);
}
