// CRC-32C for @google-cloud/storage's download validation, computed natively. The client's own validator is pure
// JavaScript and took ~1 s of CPU per 200 MB read (a third of a whole gs:// load); `@node-rs/crc32` (SSE4.2 /
// ARMv8 CRC instructions) is installed with @platformatic/kafka, the Kafka engine's connection layer. Without it the
// client's default stays in place: validation is never turned off.
import { createRequire } from 'node:module';
import type { CRC32CValidatorGenerator } from '@google-cloud/storage';

type Crc32c = (data: Buffer, initial?: number) => number;

function loadNative(): Crc32c | undefined {
  try {
    return (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: Crc32c }).crc32c;
  } catch {
    return undefined;
  }
}

const base64 = (crc: number): string => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc >>> 0);
  return b.toString('base64');
};

/** A validator generator for `new Storage({ crc32cGenerator })`, or undefined when the native module is missing. */
export function nativeCrc32cGenerator(): CRC32CValidatorGenerator | undefined {
  const crc32c = loadNative();
  if (!crc32c) return undefined;
  return () => {
    let crc = 0;
    return {
      update: (data: Buffer) => void (crc = crc32c(data, crc)),
      toString: () => base64(crc),
      validate: (value: string) => value === base64(crc),
    };
  };
}
