// The `notify` function (CloudEvent google.cloud.storage.object.v1.finalized): a new object in a bucket is loaded
// by every RUNNING streaming file connector whose URIs and file.regexp cover it, once per (object, generation).
import { cloudEvent, type CloudEvent } from '@google-cloud/functions-framework';
import { deployedNotify } from '../shared/app/wiring.js';
import { notifyObjectFinalized, OBJECT_FINALIZED, type StorageObjectData } from '../shared/file/object-notification.js';
import { createLogger } from '../shared/runtime/log.js';

const log = createLogger({ function: 'notify' });
let deps: ReturnType<typeof deployedNotify> | undefined;

export async function notify(event: CloudEvent<StorageObjectData>): Promise<void> {
  if (event.type && event.type !== OBJECT_FINALIZED)
    return log.warn('ignoring event', { type: event.type, id: event.id });
  if (!event.data?.bucket || !event.data.name)
    return log.error('storage event without bucket or name', { id: event.id });
  deps ??= deployedNotify(process.env, log);
  const d = await deps.catch((err: unknown) => {
    deps = undefined;
    throw err;
  });
  await notifyObjectFinalized(event.data, { ...d, log });
}

cloudEvent('notify', notify);
