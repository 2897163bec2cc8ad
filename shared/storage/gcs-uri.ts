// gs://bucket/name URIs: the one place that splits and joins them.

export interface GcsLocation {
  bucket: string;
  /** Object name or prefix; '' for the whole bucket. */
  name: string;
}

export const isGcsUri = (uri: string): boolean => uri.startsWith('gs://');

export function parseGcsUri(uri: string): GcsLocation {
  if (!isGcsUri(uri)) throw new Error(`not a gs:// URI: ${uri}`);
  const rest = uri.slice('gs://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!bucket) throw new Error(`gs:// URI without a bucket: ${uri}`);
  return { bucket, name: slash < 0 ? '' : rest.slice(slash + 1) };
}

export const gcsUri = (bucket: string, name: string): string => `gs://${bucket}/${name}`;
