// The S3 and Azure adapters' settings and error wording, without a network: what the client is built with from the
// connector's fs.s3a.* / fs.azure.* settings, and which key an error sends the user to.
import { describe, expect, it } from 'vitest';
import { azureBlobServiceUrl, azureError } from '../../../shared/storage/azure-object-storage.js';
import { s3ClientConfig, s3Error } from '../../../shared/storage/s3-object-storage.js';
import { storageFor } from '../../../shared/storage/storage-router.js';

describe('S3 client settings', () => {
  it('keys, endpoint, path style, region and the socket limit', async () => {
    const c = s3ClientConfig({
      accessKey: 'AKIA1',
      secretKey: 's3cr3t',
      endpoint: 'http://127.0.0.1:5050',
      region: 'eu-west-1',
      pathStyle: true,
      maxConnections: 7,
    });
    expect(c).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:5050',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t' },
    });
    const handler = c.requestHandler as { httpAgent: { maxSockets: number }; httpsAgent: { maxSockets: number } };
    expect(handler.httpAgent.maxSockets).toBe(7);
    expect(handler.httpsAgent.maxSockets).toBe(7);
  });

  it('no keys: no credentials given, so the SDK uses its default chain', () => {
    const c = s3ClientConfig({ region: 'us-east-1' });
    expect(c.credentials).toBeUndefined();
    expect(c.forcePathStyle).toBeUndefined();
  });

  it('errors name the URI, the cloud and the key to look at', () => {
    const denied = Object.assign(new Error('The request signature we calculated does not match'), {
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    expect(s3Error('s3a://b/x', denied, { accessKey: 'A', secretKey: 'S' }).message).toBe(
      'S3 refused the credentials for s3a://b/x (file.reader.settings.fs.s3a.access.key / fs.s3a.secret.key): ' +
        'SignatureDoesNotMatch (HTTP 403)',
    );
    expect(s3Error('s3a://b/x', denied).message).toMatch(/the AWS default credential chain/);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(s3Error('s3a://b/', refused, { endpoint: 'http://127.0.0.1:9' }).message).toBe(
      's3a://b/: S3 endpoint http://127.0.0.1:9 unreachable (file.reader.settings.fs.s3a.endpoint): ECONNREFUSED',
    );
  });
});

describe('Azure client settings', () => {
  it('the account URL: Azure, or the emulator endpoint (http when always.use.https=false)', () => {
    expect(azureBlobServiceUrl('acct')).toBe('https://acct.blob.core.windows.net');
    expect(azureBlobServiceUrl('dev', { abfsEndpoint: '127.0.0.1:10000', useHttps: false })).toBe(
      'http://127.0.0.1:10000/dev',
    );
    expect(azureBlobServiceUrl('dev', { abfsEndpoint: 'blob.internal:443', useHttps: true })).toBe(
      'https://blob.internal:443/dev',
    );
  });

  it('errors name the account key, or the service principal, without its value', () => {
    const denied = Object.assign(new Error('Server failed to authenticate the request'), {
      code: 'AuthorizationFailure',
      statusCode: 403,
    });
    const uri = 'abfss://c@acct.dfs.core.windows.net/p';
    const keyed = azureError(uri, 'acct', denied, { accountKeys: { acct: 'S3CRET==' } }).message;
    expect(keyed).toBe(
      `Azure Blob Storage refused the credentials for ${uri} ` +
        '(file.reader.settings.fs.azure.account.key.acct.dfs.core.windows.net): AuthorizationFailure (HTTP 403)',
    );
    expect(keyed).not.toContain('S3CRET');
    expect(azureError(uri, 'acct', denied, { clientId: 'id', clientSecret: 'shh', tenantId: 't' }).message).toMatch(
      /fs\.azure\.account\.oauth2\.client\.id/,
    );
  });
});

describe('storageFor', () => {
  it('routes every spelling of each scheme', () => {
    const s = storageFor();
    for (const uri of [
      'gs://b/x',
      's3a://b/x',
      's3://b/x',
      'abfss://c@a.dfs.core.windows.net/x',
      'abfs://c@a.dfs.core.windows.net/x',
      '/tmp/x',
    ])
      expect(s.handles(uri), uri).toBe(true);
  });
});
