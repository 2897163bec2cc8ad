// Picks the ConnectorStore adapter from the environment: Firestore in the deployment, SQLite when embedded.
import type { ConnectorStore } from './store.js';

export const DEFAULT_STATE_DIR = '.dsc';

/**
 * `DSC_STORE=firestore`: Firestore in `GOOGLE_CLOUD_PROJECT`, database `DSC_FIRESTORE_DATABASE` (default `(default)`).
 * `DSC_STORE=sqlite` or unset: `<DSC_STATE_DIR>/state.db` (default `.dsc` under the working directory).
 * Adapters are imported lazily so the CLI never loads the Firestore client, nor a function the SQLite module.
 */
export async function storeFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<ConnectorStore> {
  const kind = env.DSC_STORE || 'sqlite';
  if (kind === 'firestore') {
    const { FirestoreConnectorStore } = await import('./firestore-store.js');
    return new FirestoreConnectorStore({
      ...(env.GOOGLE_CLOUD_PROJECT && { projectId: env.GOOGLE_CLOUD_PROJECT }),
      databaseId: env.DSC_FIRESTORE_DATABASE || '(default)',
    });
  }
  if (kind === 'sqlite') {
    const { SqliteConnectorStore } = await import('./sqlite-store.js');
    return SqliteConnectorStore.openStateDir(env.DSC_STATE_DIR || DEFAULT_STATE_DIR);
  }
  throw new Error(`DSC_STORE: unknown store '${kind}' (expected 'sqlite' or 'firestore')`);
}
