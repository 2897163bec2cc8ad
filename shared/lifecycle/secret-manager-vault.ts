// The production SecretVault on Google Secret Manager: one secret per (connector, key), one version per put;
// the reference is `secret://` + the version's resource name. Secrets carry a label derived from the
// connector name, so deleteConnector finds them all without a naming convention that could collide.
import { createHash } from 'node:crypto';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { SECRET_REFERENCE_PREFIX, type SecretVault } from './secret-vault.js';

export interface SecretManagerVaultOptions {
  /** Default: the client's project (GOOGLE_CLOUD_PROJECT or the runtime's). */
  projectId?: string;
  client?: SecretManagerServiceClient;
}

/** Label key on every secret this vault creates; the value is connectorLabel(connector). */
export const CONNECTOR_LABEL = 'dsc-connector';
const ALREADY_EXISTS = 6;
const VERSION_REFERENCE = /^secret:\/\/(projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/]+)$/;
const MAX_SLUG = 100;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Lower-case letters, digits and `-` only (what secret ids and label values both accept), at most 100 chars. */
export function keySlug(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/, '');
  return slug || 'x';
}

/**
 * `dsc-<connector-slug>-<key-slug>-<hash>`: readable, and the 8-hex hash of the exact pair keeps two pairs that
 * slug alike apart (`a` + `b.password` vs `a-b` + `password`). At most 215 chars, within Secret Manager's 255.
 */
export function secretId(connector: string, key: string): string {
  return `dsc-${keySlug(connector)}-${keySlug(key)}-${sha256(`${connector}\u0000${key}`).slice(0, 8)}`;
}

/** Label values allow 63 lower-case chars: a hash of the connector name, exact where a slug is not. */
export function connectorLabel(connector: string): string {
  return sha256(connector).slice(0, 40);
}

/** Only the gRPC status reason, never the request (which holds the payload). */
const reason = (e: unknown): string => (e as { details?: string }).details || (e as Error).message;

export class SecretManagerVault implements SecretVault {
  private clientPromise?: Promise<SecretManagerServiceClient>;
  private projectPromise?: Promise<string>;

  constructor(private readonly options: SecretManagerVaultOptions = {}) {}

  private client(): Promise<SecretManagerServiceClient> {
    this.clientPromise ??= this.options.client
      ? Promise.resolve(this.options.client)
      : import('@google-cloud/secret-manager').then((m) => new m.SecretManagerServiceClient());
    return this.clientPromise;
  }

  private project(): Promise<string> {
    this.projectPromise ??= this.options.projectId
      ? Promise.resolve(this.options.projectId)
      : this.client().then((c) => c.getProjectId());
    return this.projectPromise;
  }

  async put(connector: string, key: string, value: string): Promise<string> {
    const [client, project] = await Promise.all([this.client(), this.project()]);
    const id = secretId(connector, key);
    try {
      await client
        .createSecret({
          parent: `projects/${project}`,
          secretId: id,
          secret: { replication: { automatic: {} }, labels: { [CONNECTOR_LABEL]: connectorLabel(connector) } },
        })
        .catch((e: { code?: number }) => {
          if (e.code !== ALREADY_EXISTS) throw e;
        });
      const [version] = await client.addSecretVersion({
        parent: `projects/${project}/secrets/${id}`,
        payload: { data: Buffer.from(value, 'utf8') },
      });
      if (!version.name) throw new Error('no version name in the response');
      return `${SECRET_REFERENCE_PREFIX}${version.name}`;
    } catch (e) {
      throw new Error(`Secret Manager: cannot store ${key} of connector ${connector} (secret ${id}): ${reason(e)}`, {
        cause: e,
      });
    }
  }

  async resolve(reference: string): Promise<string> {
    const name = VERSION_REFERENCE.exec(reference)?.[1];
    if (!name)
      throw new Error(`secret reference ${reference}: not a secret://projects/*/secrets/*/versions/* reference`);
    const client = await this.client();
    try {
      const [response] = await client.accessSecretVersion({ name });
      const data = response.payload?.data;
      if (data === undefined || data === null) throw new Error('empty payload');
      return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    } catch (e) {
      throw new Error(`secret reference ${reference}: ${reason(e)}`, { cause: e });
    }
  }

  async deleteConnector(connector: string): Promise<void> {
    const [client, project] = await Promise.all([this.client(), this.project()]);
    const filter = `labels.${CONNECTOR_LABEL}=${connectorLabel(connector)}`;
    try {
      for await (const secret of client.listSecretsAsync({ parent: `projects/${project}`, filter })) {
        if (secret.name) await client.deleteSecret({ name: secret.name });
      }
    } catch (e) {
      throw new Error(`Secret Manager: cannot delete the secrets of connector ${connector}: ${reason(e)}`, {
        cause: e,
      });
    }
  }
}
