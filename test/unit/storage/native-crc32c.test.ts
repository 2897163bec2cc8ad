// The native CRC-32C validator gives what @google-cloud/storage's own JavaScript one gives, chunked or whole.
import { CRC32C } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { nativeCrc32cGenerator } from '../../../shared/storage/native-crc32c.js';

describe('native CRC-32C validator', () => {
  const generator = nativeCrc32cGenerator();

  it('is available here and agrees with the client on the documented example', () => {
    expect(generator).toBeDefined();
    const v = generator!();
    v.update(Buffer.from('data'));
    expect(v.toString()).toBe('rth90Q==');
    expect(v.validate('rth90Q==')).toBe(true);
    expect(v.validate('DkjKuA==')).toBe(false);
  });

  it('agrees with the JavaScript validator over many chunks', () => {
    const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251));
    const native = generator!();
    const js = new CRC32C();
    for (let i = 0; i < data.length; i += 3_333) {
      native.update(data.subarray(i, i + 3_333));
      js.update(data.subarray(i, i + 3_333));
    }
    expect(native.toString()).toBe(js.toString());
  });
});
