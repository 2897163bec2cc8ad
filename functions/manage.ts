// The `manage` function: the lifecycle HTTP API. Wiring (store, dispatcher, vault, auth) happens on the first
// request, so loading the module stays cheap and a wiring error answers 500 with its reason (and is logged)
// instead of crashing the instance at start.
import './http-edge.js'; // JSON errors and the body limit at the HTTP edge
import { http } from '@google-cloud/functions-framework';
import type { Request, Response } from '@google-cloud/functions-framework';
import { deployedManagement } from '../shared/app/wiring.js';
import type { ManagementHandler } from '../shared/lifecycle/api-types.js';
import { createLogger } from '../shared/runtime/log.js';

const log = createLogger({ function: 'manage' });

// functions-framework's Express answers a malformed JSON body itself (before our handler), and outside production
// with the stack trace in the page. Cloud Functions sets production; a local `functions-framework` run must too.
process.env.NODE_ENV ??= 'production';

let handler: Promise<ManagementHandler> | undefined;

export async function manage(req: Request, res: Response): Promise<void> {
  handler ??= deployedManagement(process.env, log);
  let h: ManagementHandler;
  try {
    h = await handler;
  } catch (err) {
    // Wire again on the next request: a transient store error should not stick to the instance.
    handler = undefined;
    const message = err instanceof Error ? err.message : String(err);
    log.error('manage function cannot start', { error: message });
    res.status(500).json({ error_code: 500, message: `manage function cannot start: ${message}` });
    return;
  }
  await h(req, res);
}

http('manage', manage);
