// s3a:// (s3://) and abfss:// (abfs://) URIs: what bucket/container, account and key they name. No SDK here, so the
// config reader can validate URIs without loading a cloud client.

export interface S3Location {
  bucket: string;
  key: string;
}

export interface AzureLocation {
  container: string;
  account: string;
  /** The blob name or prefix (no leading `/`). */
  path: string;
}

const S3_URI = /^s3a?:\/\//i;
const AZURE_URI = /^abfss?:\/\//i;

export const isS3Uri = (uri: string): boolean => S3_URI.test(uri);
export const isAzureUri = (uri: string): boolean => AZURE_URI.test(uri);

/** `s3a://bucket/key` → its parts; undefined when it names no bucket. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const m = /^s3a?:\/\/([^/]+)(?:\/(.*))?$/i.exec(uri);
  if (!m?.[1]) return undefined;
  return { bucket: m[1], key: m[2] ?? '' };
}

/** `abfss://container@account.dfs.core.windows.net/path` → its parts; undefined when malformed. */
export function parseAzureUri(uri: string): AzureLocation | undefined {
  const m = /^abfss?:\/\/([^@/]+)@([^./]+)\.dfs\.core\.windows\.net(?:\/(.*))?$/i.exec(uri);
  if (!m?.[1] || !m[2]) return undefined;
  return { container: m[1], account: m[2], path: m[3] ?? '' };
}

/** The canonical URIs the adapters report (s3a:// and abfss://, whatever spelling the config used). */
export const s3Uri = (bucket: string, key: string): string => `s3a://${bucket}/${key}`;
export const azureUri = (l: Omit<AzureLocation, 'path'>, path: string): string =>
  `abfss://${l.container}@${l.account}.dfs.core.windows.net/${path}`;
