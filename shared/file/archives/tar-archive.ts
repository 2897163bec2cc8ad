// tar (plain or inside gzip): entries streamed one after the other with tar-stream; only regular files are yielded.
// The tar format is sequential: an entry's bytes must be consumed (or skipped) before the next header can be read;
// the next entry is only requested after the previous one was read or drained, which this does for the caller.
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { type ArchiveEntry, describeArchiveError } from './archive-entry.js';

/** Whether a 512-byte block is a tar header (ustar magic, or a v7 header whose checksum adds up). */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  if (block.toString('latin1', 257, 262) === 'ustar') return true;
  const stored = parseInt(block.toString('latin1', 148, 156).replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isFinite(stored) || block[0] === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === stored;
}

type TarEntryStream = tar.Extract extends AsyncIterable<infer S> ? S : never;

/** A Node Readable over a tar-stream entry (a streamx stream), with back-pressure and a way to skip the rest. */
function entryStream(
  entry: TarEntryStream,
  describe: (e: unknown) => Error,
): { stream: Readable; drain(): Promise<void> } {
  let finished = false;
  let detached = false;
  const stream = new Readable({
    read() {
      entry.resume();
    },
    destroy(error, callback) {
      // The consumer gave up: keep reading the entry into the void so the archive can move on.
      detached = true;
      entry.resume();
      callback(error);
    },
  });
  entry.on('data', (chunk: unknown) => {
    if (!detached && !stream.push(chunk)) entry.pause();
  });
  entry.on('end', () => {
    finished = true;
    if (!detached) stream.push(null);
  });
  entry.on('error', (e: unknown) => {
    finished = true;
    if (!detached) stream.destroy(describe(e));
  });
  const drain = (): Promise<void> =>
    new Promise((resolve) => {
      if (finished) return resolve();
      detached = true;
      if (!stream.destroyed) stream.destroy();
      entry.once('end', () => resolve());
      entry.once('error', () => resolve());
      entry.once('close', () => resolve());
      entry.resume();
    });
  return { stream, drain };
}

export async function* tarEntries(source: Readable, archiveName: string): AsyncGenerator<ArchiveEntry> {
  const extract = tar.extract();
  source.on('error', (e) => extract.destroy(e));
  source.pipe(extract as unknown as NodeJS.WritableStream);
  const entries = extract[Symbol.asyncIterator]();
  let previous: { drain(): Promise<void> } | undefined;
  let current: string | undefined;
  let failed = false;
  let complete = false;
  try {
    for (;;) {
      if (previous) await previous.drain();
      let next: IteratorResult<TarEntryStream>;
      try {
        next = await entries.next();
      } catch (e) {
        // A truncated or corrupt archive: the entry being read already failed with this error; say it once.
        if (!failed) yield { name: archiveName, error: describeArchiveError('tar', archiveName, current, e).message };
        return;
      }
      if (next.done) {
        complete = true;
        return;
      }
      const entry = next.value;
      const { type, name } = entry.header;
      if (type !== 'file' && type !== 'contiguous-file') {
        previous = entryStream(entry, () => new Error('skipped'));
        continue;
      }
      current = name;
      const described = (e: unknown): Error => {
        failed = true;
        return describeArchiveError('tar', archiveName, name, e);
      };
      const opened = entryStream(entry, described);
      previous = opened;
      yield { name, stream: opened.stream };
    }
  } finally {
    if (!complete) {
      extract.destroy();
      source.destroy();
    }
  }
}
