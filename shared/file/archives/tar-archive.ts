// tar (plain or inside gzip): entries streamed one after the other with tar-stream; only regular files are yielded.
// The tar format is sequential: an entry's bytes must be consumed (or skipped) before the next header can be read;
// the next entry is only requested after the previous one was read or drained, which this does for the caller.
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { type ArchiveEntry, describeArchiveError } from './archive-entry.js';
import { describeTarDamage, TarScanner } from './tar-scan.js';

export { isTarHeader } from './tar-scan.js';

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
  const scanner = new TarScanner();
  source.on('error', (e) => extract.destroy(e));
  source.on('data', (chunk: Buffer) => scanner.feed(chunk));
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
        if (failed) return;
        // A bad header between entries: read on to the end to say where it broke and which entries are lost.
        const damage = (await scanToEnd(source, extract)) ? scanner.damage() : undefined;
        const cause = e instanceof Error ? e.message : String(e);
        if (damage) yield { name: archiveName, error: `${describeTarDamage(archiveName, current, damage)} (${cause})` };
        else yield { name: archiveName, error: describeArchiveError('tar', archiveName, current, e).message };
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

/** Feeds the rest of the source to the scanner (the extractor has given up); false when the source failed. */
async function scanToEnd(source: Readable, extract: tar.Extract): Promise<boolean> {
  source.unpipe(extract as unknown as NodeJS.WritableStream);
  if (source.readableEnded) return true;
  if (source.destroyed || source.errored) return false; // the source itself failed: nothing more to read
  return new Promise((resolve) => {
    source.once('end', () => resolve(true));
    source.once('error', () => resolve(false));
    source.once('close', () => resolve(source.readableEnded));
    source.resume();
  });
}
