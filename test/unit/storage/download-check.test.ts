// The hash a whole GCS download is checked with: CRC-32C when it is computed natively, else MD5 when x-goog-hash has
// one, CRC-32C otherwise (composite objects).
import { createHash } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { downloadCheck } from '../../../shared/storage/gcs-download.js';

const data = Buffer.from('hello world\n'.repeat(100));
const md5 = createHash('md5').update(data).digest('base64');
const crc = (() => {
  const c = new CRC32C();
  c.update(data);
  return c.toString();
})();
const generator = () => new CRC32C();

function run(header: string | undefined, bytes: Buffer, native = false): string | undefined | 'no check' {
  const check = downloadCheck(header, generator, native);
  if (!check) return 'no check';
  check.update(bytes.subarray(0, 7));
  check.update(bytes.subarray(7));
  return check.mismatch();
}

describe('downloadCheck', () => {
  it('checks MD5 when GCS stored one', () => {
    expect(run(`crc32c=${crc},md5=${md5}`, data)).toBeUndefined();
    const bad = Buffer.from(data);
    bad[3] ^= 1;
    expect(run(`crc32c=${crc},md5=${md5}`, bad)).toMatch(
      new RegExp(`^MD5 .*, stored ${md5.replace(/[+/]/g, '\\$&')}$`),
    );
  });

  it('checks CRC-32C when there is no MD5 (composite objects)', () => {
    expect(run(`crc32c=${crc}`, data)).toBeUndefined();
    const bad = Buffer.from(data);
    bad[50] ^= 1;
    expect(run(`crc32c=${crc}`, bad)).toMatch(/^CRC-32C .*, stored /);
  });

  it('checks CRC-32C, not MD5, when CRC-32C is native', () => {
    expect(run(`crc32c=${crc},md5=${md5}`, data, true)).toBeUndefined();
    const bad = Buffer.from(data);
    bad[9] ^= 1;
    expect(run(`crc32c=${crc},md5=${md5}`, bad, true)).toMatch(/^CRC-32C .*, stored /);
    // No CRC-32C stored: MD5 still checks it.
    expect(run(`md5=${md5}`, bad, true)).toMatch(/^MD5 /);
  });

  it('no stored hash: nothing to check', () => {
    expect(run(undefined, data)).toBe('no check');
  });
});
