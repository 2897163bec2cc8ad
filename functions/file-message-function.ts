// What `plan` and `work` share: decode the Pub/Sub CloudEvent into a message, build the file connector's context once
// per instance (from env, lazily, retried after a failure), then hand the message to the core.
import type { CloudEvent } from '@google-cloud/functions-framework';
import { decodePubSubCloudEvent, PubSubMessageError } from '../shared/dispatch/pubsub-message.js';
import { fileContextFromEnv } from '../shared/app/wiring.js';
import type { FileConnectorContext } from '../shared/file/file-connector-context.js';
import type { Logger } from '../shared/runtime/log.js';

export function fileMessageFunction<T>(
  log: Logger,
  isMessage: (value: unknown) => value is T,
  handle: (message: T, ctx: FileConnectorContext) => Promise<void>,
): (event: CloudEvent<unknown>) => Promise<void> {
  let context: Promise<FileConnectorContext> | undefined;
  return async (event) => {
    let message: T;
    try {
      message = decodePubSubCloudEvent(event, isMessage);
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
    await handle(message, ctx);
  };
}
