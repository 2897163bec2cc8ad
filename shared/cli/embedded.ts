// The embedded target: without DSC_URL, the CLI calls the management handler in-process on the local state
// (DSC_STATE_DIR, default .dsc). Its dispatcher only records: `create` stores the connectors and `dsc run` loads them.
import { resolve } from 'node:path';
import { noAuth } from '../lifecycle/auth.js';
import { createManagementHandler } from '../lifecycle/management-api.js';
import { targetFromEnv } from '../kafka/client.js';
import { kafkaOffsetsCleanup } from '../lifecycle/offsets-cleanup.js';
import { vaultFromEnv } from '../lifecycle/secret-vault.js';
import { DEFAULT_STATE_DIR, storeFromEnv } from '../lifecycle/store-factory.js';
import { NoopDispatcher } from '../dispatch/noop-dispatcher.js';
import { createLogger, type Logger } from '../runtime/log.js';
import { InProcessTransport } from './in-process-transport.js';
import type { ApiTransport } from './transport.js';

export async function openEmbeddedTransport(env: NodeJS.ProcessEnv, cwd: string, log?: Logger): Promise<ApiTransport> {
  // Resolve the state folder against the CLI's working directory once, so store and vault agree on it.
  const stateDir = resolve(cwd, env.DSC_STATE_DIR || DEFAULT_STATE_DIR);
  const local: NodeJS.ProcessEnv = { ...env, DSC_STATE_DIR: stateDir };
  const store = await storeFromEnv(local);
  const vault = await vaultFromEnv(local);
  const apiLog = log ?? createLogger({ component: 'dsc' }, undefined, 'ERROR');
  const handler = createManagementHandler({
    store,
    vault,
    offsets: kafkaOffsetsCleanup(targetFromEnv(local), apiLog, vault, local),
    dispatcher: new NoopDispatcher(),
    // In-process: no network is involved, so there is nobody to authenticate.
    auth: noAuth(),
    log: apiLog,
  });
  const target = local.DSC_STORE === 'firestore' ? 'Firestore (embedded API)' : `local state in ${stateDir}`;
  return new InProcessTransport(handler, target, () => store.close());
}
