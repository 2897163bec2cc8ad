// Picks the SecretVault adapter from the environment. Kept apart from secret-vault.ts (the port and sealing), which
// the adapters import: the factory imports them, so the two together would be an import cycle.
import { join } from 'node:path';
import { SECRETS_FILE, type SecretVault } from './secret-vault.js';
import { DEFAULT_STATE_DIR } from './store-factory.js';

/**
 * `DSC_SECRETS=file` (default): `<DSC_STATE_DIR>/secrets.json`, readable only by its owner.
 * `DSC_SECRETS=secretmanager`: Google Secret Manager in `GOOGLE_CLOUD_PROJECT`.
 */
export async function vaultFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<SecretVault> {
  const kind = env.DSC_SECRETS || 'file';
  if (kind === 'file') {
    const { FileSecretVault } = await import('./file-secret-vault.js');
    return new FileSecretVault(join(env.DSC_STATE_DIR || DEFAULT_STATE_DIR, SECRETS_FILE));
  }
  if (kind === 'secretmanager') {
    const { SecretManagerVault } = await import('./secret-manager-vault.js');
    return new SecretManagerVault({ ...(env.GOOGLE_CLOUD_PROJECT && { projectId: env.GOOGLE_CLOUD_PROJECT }) });
  }
  throw new Error(`DSC_SECRETS: unknown secret vault '${kind}' (expected 'file' or 'secretmanager')`);
}
