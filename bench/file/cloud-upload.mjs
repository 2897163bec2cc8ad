// Uploads the bench CSV to the S3 (moto) or Azure Blob (Azurite) emulator of services.env, unless an object of the
// same size is already there (both keep objects in memory until restarted).
//   node bench/file/cloud-upload.mjs s3|azure <bucket or container> <name> <file>
/* global process, console */ // Node globals: eslint.config.js configures TypeScript sources only
import { createReadStream, statSync } from 'node:fs';

const [cloud, bucket, name, file] = process.argv.slice(2);
const size = statSync(file).size;
const env = (k) => process.env[k] ?? (console.error(`${k} not set: run test/services/up.sh`), process.exit(2));

if (cloud === 's3') {
  const { S3Client, CreateBucketCommand, HeadObjectCommand, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({
    endpoint: env('DSC_TEST_S3_ENDPOINT'),
    region: env('DSC_TEST_S3_REGION'),
    forcePathStyle: true,
    credentials: { accessKeyId: env('DSC_TEST_S3_ACCESS_KEY'), secretAccessKey: env('DSC_TEST_S3_SECRET_KEY') },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => {});
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: name })).catch(() => undefined);
  if (head?.ContentLength !== size) {
    console.error(`uploading s3a://${bucket}/${name} (${size} bytes)`);
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: name, Body: createReadStream(file), ContentLength: size }),
    );
  }
} else if (cloud === 'azure') {
  const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
  const service = new BlobServiceClient(
    env('DSC_TEST_AZURE_ENDPOINT'),
    new StorageSharedKeyCredential(env('DSC_TEST_AZURE_ACCOUNT'), env('DSC_TEST_AZURE_KEY')),
  );
  const container = service.getContainerClient(bucket);
  await container.createIfNotExists();
  const blob = container.getBlockBlobClient(name);
  const props = await blob.getProperties().catch(() => undefined);
  if (props?.contentLength !== size) {
    console.error(`uploading abfss://${bucket}@.../${name} (${size} bytes)`);
    await blob.uploadFile(file, { blockSize: 8 << 20, concurrency: 4 });
  }
} else {
  console.error('usage: cloud-upload.mjs s3|azure <bucket> <name> <file>');
  process.exit(2);
}
