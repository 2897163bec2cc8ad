// Buckets and containers on the S3 (moto) and Azure Blob (Azurite) emulators for integration tests, made with the
// same SDKs the adapters use, and the fs.s3a.* / fs.azure.* keys that point a connector at them.
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { AzureSettings, S3Settings } from '../../shared/config/spec.js';
import { requireService } from '../services/env.js';
import { unique } from './file-helpers.js';

export const s3Env = () => ({
  endpoint: requireService('DSC_TEST_S3_ENDPOINT'),
  accessKey: requireService('DSC_TEST_S3_ACCESS_KEY'),
  secretKey: requireService('DSC_TEST_S3_SECRET_KEY'),
  region: requireService('DSC_TEST_S3_REGION'),
});

export const azureEnv = () => {
  const endpoint = requireService('DSC_TEST_AZURE_ENDPOINT');
  return {
    endpoint,
    /** `host:port`, what fs.azure.abfs.endpoint takes. */
    hostPort: new URL(endpoint).host,
    account: requireService('DSC_TEST_AZURE_ACCOUNT'),
    key: requireService('DSC_TEST_AZURE_KEY'),
  };
};

/** The adapter settings for the emulators (what the config reader makes of s3Keys() / azureKeys()). */
export const s3Settings = (): S3Settings => ({ ...s3Env(), pathStyle: true });
export const azureSettings = (): AzureSettings => {
  const a = azureEnv();
  return { accountKeys: { [a.account]: a.key }, abfsEndpoint: a.hostPort, useHttps: false };
};

/** The connector keys, TigerGraph 3.7 names, that point a connector at the S3 emulator. */
export function s3Keys(overrides: Partial<ReturnType<typeof s3Env>> = {}): Record<string, string> {
  const s = { ...s3Env(), ...overrides };
  return {
    'file.reader.settings.fs.s3a.access.key': s.accessKey,
    'file.reader.settings.fs.s3a.secret.key': s.secretKey,
    'file.reader.settings.fs.s3a.aws.credentials.provider': 'org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider',
    'file.reader.settings.fs.s3a.endpoint': s.endpoint,
    'file.reader.settings.fs.s3a.endpoint.region': s.region,
    'file.reader.settings.fs.s3a.path.style.access': 'true',
  };
}

/** The connector keys that point a connector at Azurite with the account's shared key. */
export function azureKeys(overrides: { key?: string; hostPort?: string } = {}): Record<string, string> {
  const a = { ...azureEnv(), ...overrides };
  return {
    [`file.reader.settings.fs.azure.account.key.${a.account}.dfs.core.windows.net`]: a.key,
    'file.reader.settings.fs.azure.abfs.endpoint': a.hostPort,
    'file.reader.settings.fs.azure.always.use.https': 'false',
  };
}

let s3: S3Client | undefined;
const s3Client = () =>
  (s3 ??= new S3Client({
    endpoint: s3Env().endpoint,
    region: s3Env().region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3Env().accessKey, secretAccessKey: s3Env().secretKey },
  }));

/** A new bucket holding the given objects; returns its name. */
export async function s3Bucket(files: Record<string, string | Buffer> = {}): Promise<string> {
  const bucket = unique('b').toLowerCase();
  await s3Client().send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, content] of Object.entries(files)) await s3Put(bucket, key, content);
  return bucket;
}

export async function s3Put(bucket: string, key: string, content: string | Buffer): Promise<string> {
  const out = await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: content }));
  return out.ETag ?? '';
}

let blob: BlobServiceClient | undefined;
const blobService = () =>
  (blob ??= new BlobServiceClient(
    azureEnv().endpoint,
    new StorageSharedKeyCredential(azureEnv().account, azureEnv().key),
  ));

/** A new container holding the given blobs; returns its name. */
export async function azureContainer(files: Record<string, string | Buffer> = {}): Promise<string> {
  const container = unique('c').toLowerCase();
  await blobService().getContainerClient(container).create();
  for (const [name, content] of Object.entries(files)) await azurePut(container, name, content);
  return container;
}

export async function azurePut(container: string, name: string, content: string | Buffer): Promise<string> {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  const out = await blobService().getContainerClient(container).getBlockBlobClient(name).upload(body, body.length);
  return out.etag ?? '';
}

/** The abfss:// URI of a path in a container of the emulator's account. */
export const abfss = (container: string, path = '') =>
  `abfss://${container}@${azureEnv().account}.dfs.core.windows.net/${path}`;
