// A local file read into a few reused buffers (transientChunks): same bytes as the file, ranges honoured, and the
// buffers really are reused.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalObjectStorage } from '../../../shared/storage/local-object-storage.js';
import { RecyclingFileStream } from '../../../shared/storage/recycling-file-stream.js';

const dir = mkdtempSync(join(tmpdir(), 'dsc-recycling-'));
const data = randomBytes(5 * (1 << 20) + 12345);
const path = join(dir, 'data.bin');
writeFileSync(path, data);

/** Copies each chunk as it comes (what a transientChunks caller must do) and notes the buffers behind them. */
async function readAll(stream: NodeJS.ReadableStream): Promise<{ bytes: Buffer; buffers: Set<ArrayBufferLike> }> {
  const parts: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parts.push(Buffer.from(chunk));
    buffers.add(chunk.buffer);
  }
  return { bytes: Buffer.concat(parts), buffers };
}

describe('RecyclingFileStream', () => {
  it('yields the whole file through at most four buffers', async () => {
    const { bytes, buffers } = await readAll(new RecyclingFileStream(path, 0, undefined));
    expect(bytes.equals(data)).toBe(true);
    expect(buffers.size).toBeLessThanOrEqual(4);
  });

  it('reads a byte range, as LocalObjectStorage.read does with transientChunks', async () => {
    const start = (1 << 20) - 7;
    const end = 3 * (1 << 20) + 11;
    const stream = new LocalObjectStorage().read(path, { range: { start, end }, transientChunks: true });
    expect(stream).toBeInstanceOf(RecyclingFileStream);
    expect((await readAll(stream)).bytes.equals(data.subarray(start, end))).toBe(true);
    const tail = new LocalObjectStorage().read(path, { range: { start: data.length - 5 }, transientChunks: true });
    expect((await readAll(tail)).bytes.equals(data.subarray(data.length - 5))).toBe(true);
  });

  it('a missing file is an error of the stream', async () => {
    await expect(readAll(new RecyclingFileStream(join(dir, 'missing.csv'), 0, undefined))).rejects.toThrow(/ENOENT/);
  });

  it('stopping early closes the file', async () => {
    const stream = new RecyclingFileStream(path, 0, undefined);
    for await (const chunk of stream) {
      expect((chunk as Buffer).length).toBeGreaterThan(0);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });
});
