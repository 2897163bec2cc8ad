// Hadoop's reading of a cloud URI without a trailing slash, shared by the S3 and Azure adapters.
import type { ObjectInfo } from './object-storage.js';

/**
 * `scheme://bucket/x` is the object x when it exists, else the folder `x/` (as S3A and ABFS read it). `stat` answers
 * undefined for a missing object; a folder with nothing in it is an error naming the URI and the key.
 */
export async function* objectOrFolder(
  uri: string,
  stat: () => Promise<ObjectInfo | undefined>,
  folder: () => AsyncIterable<ObjectInfo>,
  missing: string,
): AsyncIterable<ObjectInfo> {
  const info = await stat();
  if (info) {
    yield info;
    return;
  }
  let found = false;
  for await (const i of folder()) {
    found = true;
    yield i;
  }
  if (!found) throw new Error(`${uri}: ${missing} (file.uris)`);
}
