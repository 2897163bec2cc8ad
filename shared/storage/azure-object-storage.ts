// ObjectStorage over Azure Blob Storage (@azure/storage-blob). abfss://container@account.dfs.core.windows.net/path
// is read with Blob API calls (the same objects; Azurite, the emulator, serves no DFS endpoint). Reads are ranged
// and pinned to the blob's ETag (If-Match), so a split or resumed file is never read across two versions.
import type { Readable } from 'node:stream';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import type { AzureSettings } from '../config/spec.js';
import { silentLogger, type Logger } from '../runtime/log.js';
import { chunkStream } from './chunk-stream.js';
import { azureUri, isAzureUri, parseAzureUri, type AzureLocation } from './cloud-uri.js';
import { objectOrFolder } from './object-or-folder.js';
import type { ObjectInfo, ObjectStorage, ReadOptions } from './object-storage.js';

const AZ = 'file.reader.settings.fs.azure.';
const READ_RETRIES = 5;

export interface AzureObjectStorageOptions {
  settings?: AzureSettings;
  log?: Logger;
}

/** The Blob service URL of an account: the emulator's `http://host:port/<account>` or `https://<account>.blob...`. */
export function azureBlobServiceUrl(account: string, settings: AzureSettings = {}): string {
  if (settings.abfsEndpoint) {
    const scheme = settings.useHttps === false ? 'http' : 'https';
    return `${scheme}://${settings.abfsEndpoint}/${account}`;
  }
  return `https://${account}.blob.core.windows.net`;
}

interface AzureError {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
}

/** An Azure failure worded for the user: which URI, and for credentials and endpoints which key to look at. */
export function azureError(uri: string, account: string, err: unknown, settings: AzureSettings = {}): Error {
  const e = err as AzureError;
  const code = e?.code ?? e?.name ?? 'Error';
  const detail = `${code}${e?.statusCode ? ` (HTTP ${e.statusCode})` : ''}`;
  const credentialKey = settings.accountKeys?.[account]
    ? `${AZ}account.key.${account}.dfs.core.windows.net`
    : settings.clientId
      ? `${AZ}account.oauth2.client.id / client.secret / client.endpoint`
      : `${AZ}account.key.${account}.dfs.core.windows.net (not set)`;
  let message: string;
  if (
    e?.statusCode === 403 ||
    /AuthenticationFailed|AuthorizationFailure|AuthorizationPermissionMismatch|CredentialUnavailable|AuthenticationRequired/.test(
      `${code} ${e?.name}`,
    )
  )
    message = `Azure Blob Storage refused the credentials for ${uri} (${credentialKey}): ${detail}`;
  else if (code === 'ContainerNotFound') message = `${uri}: no such Azure container (file.uris): ${detail}`;
  else if (code === 'BlobNotFound' || e?.statusCode === 404)
    message = `${uri}: no such Azure blob (file.uris): ${detail}`;
  else if (code === 'ConditionNotMet' || e?.statusCode === 412)
    message = `${uri}: the Azure blob changed since it was planned (its ETag differs): ${detail}`;
  else if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH/.test(`${e?.code} ${e?.message}`))
    message = `${uri}: Azure endpoint ${azureBlobServiceUrl(account, settings)} unreachable (${settings.abfsEndpoint ? `${AZ}abfs.endpoint` : 'the account name in file.uris'}): ${e?.code}`;
  else message = `${uri}: Azure Blob Storage ${detail}: ${e?.message ?? String(err)}`;
  const out = new Error(message);
  (out as { code?: unknown }).code = e?.statusCode ?? e?.code;
  return out;
}

function transient(err: unknown): boolean {
  const e = err as AzureError;
  if (typeof e?.statusCode === 'number') return e.statusCode === 429 || e.statusCode >= 500;
  return (
    /^(ECONNRESET|ETIMEDOUT|EPIPE|ERR_STREAM_PREMATURE_CLOSE)$/.test(e?.code ?? '') ||
    /aborted|socket hang up|premature close/i.test(e?.message ?? '')
  );
}

export class AzureObjectStorage implements ObjectStorage {
  private readonly settings: AzureSettings;
  private readonly log: Logger;
  /** One service client per account (a connector may read several). */
  private readonly services = new Map<string, Promise<BlobServiceClient>>();

  constructor(options: AzureObjectStorageOptions = {}) {
    this.settings = options.settings ?? {};
    this.log = options.log ?? silentLogger;
  }

  handles(uri: string): boolean {
    return isAzureUri(uri);
  }

  private location(uri: string): AzureLocation {
    const l = parseAzureUri(uri);
    if (!l) throw new Error(`${uri}: not an Azure URI (expected abfss://container@account.dfs.core.windows.net/path)`);
    return l;
  }

  private service(account: string): Promise<BlobServiceClient> {
    let s = this.services.get(account);
    if (!s) {
      s = this.newService(account);
      this.services.set(account, s);
    }
    return s;
  }

  private async newService(account: string): Promise<BlobServiceClient> {
    const url = azureBlobServiceUrl(account, this.settings);
    const key = this.settings.accountKeys?.[account];
    if (key) return new BlobServiceClient(url, new StorageSharedKeyCredential(account, key));
    // The service principal, or (neither set) the runtime's identity; @azure/identity loads only then.
    const identity = await import('@azure/identity');
    const { clientId, clientSecret, tenantId } = this.settings;
    const credential =
      clientId && clientSecret && tenantId
        ? new identity.ClientSecretCredential(tenantId, clientId, clientSecret)
        : new identity.DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    return new BlobServiceClient(url, credential);
  }

  private async container(l: AzureLocation): Promise<ContainerClient> {
    return (await this.service(l.account)).getContainerClient(l.container);
  }

  private info(l: AzureLocation, name: string, size: number | undefined, etag: string | undefined): ObjectInfo {
    return { uri: azureUri(l, name), name, size: size ?? 0, ...(etag && { generation: etag }) };
  }

  async *list(uri: string, options: { recursive: boolean }): AsyncIterable<ObjectInfo> {
    const l = this.location(uri);
    if (l.path !== '' && !l.path.endsWith('/')) {
      const stat = () =>
        this.stat(uri).catch((err: unknown) => {
          if (/no such Azure blob/.test(String(err))) return undefined;
          throw err;
        });
      yield* objectOrFolder(uri, stat, () => this.list(`${uri}/`, options), 'no such Azure blob or folder');
      return;
    }
    const container = await this.container(l);
    try {
      if (options.recursive) {
        for await (const b of container.listBlobsFlat({ prefix: l.path })) {
          if (b.name.endsWith('/')) continue; // a folder marker, not data
          yield this.info(l, b.name, b.properties.contentLength, b.properties.etag);
        }
      } else {
        for await (const item of container.listBlobsByHierarchy('/', { prefix: l.path })) {
          if (item.kind !== 'blob' || item.name.endsWith('/')) continue;
          yield this.info(l, item.name, item.properties.contentLength, item.properties.etag);
        }
      }
    } catch (err) {
      throw azureError(uri, l.account, err, this.settings);
    }
  }

  async stat(uri: string): Promise<ObjectInfo> {
    const l = this.location(uri);
    try {
      const p = await (await this.container(l)).getBlobClient(l.path).getProperties();
      return this.info(l, l.path, p.contentLength, p.etag);
    } catch (err) {
      throw azureError(uri, l.account, err, this.settings);
    }
  }

  read(uri: string, options: ReadOptions = {}): Readable {
    return chunkStream(this.chunks(uri, options));
  }

  /** The bytes of read(): ranged downloads, resumed from the next undelivered byte after a cut connection. */
  async *chunks(uri: string, options: ReadOptions = {}): AsyncGenerator<Buffer> {
    const l = this.location(uri);
    const blob = (await this.container(l)).getBlobClient(l.path);
    const end = options.range?.end;
    let position = options.range?.start ?? 0;
    let failures = 0;
    for (;;) {
      if (end !== undefined && position >= end) return;
      let body: NodeJS.ReadableStream | undefined;
      try {
        const got = await blob
          .download(position, end !== undefined ? end - position : undefined, {
            ...(options.generation && { conditions: { ifMatch: options.generation } }),
          })
          .catch((err: unknown) => {
            // A range starting at the blob's end: nothing to read (as GCS and local files).
            if ((err as AzureError)?.statusCode === 416) return undefined;
            throw err;
          });
        if (!got) return;
        body = got.readableStreamBody;
        if (!body) return;
        for await (const chunk of body) {
          position += (chunk as Buffer).length;
          failures = 0;
          yield chunk as Buffer;
        }
        return;
      } catch (err) {
        if (err instanceof Error && err.name === 'AbortError') throw err;
        if (!transient(err) || ++failures > READ_RETRIES) throw azureError(uri, l.account, err, this.settings);
        this.log.warn('Azure read interrupted; resuming', { uri, position, attempt: failures, error: String(err) });
        await new Promise((r) => setTimeout(r, 250 * failures));
      } finally {
        (body as Readable | undefined)?.destroy?.();
      }
    }
  }
}
