// Small stream adapters the archive openers share: peeking at magic numbers, naming errors.
import { Readable } from 'node:stream';

/**
 * Reads until `bytes` bytes (or the end) are buffered; returns them and a stream that yields them again followed by
 * the rest. Rejects with the source's error if it fails first.
 */
export async function peek(source: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Buffer);
    held.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(held);
  async function* replay(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Buffer);
    }
  }
  const stream = Readable.from(replay(), { objectMode: false });
  // The consumer giving up must release the source (an open storage read).
  stream.once('close', () => {
    if (!source.destroyed && !source.readableEnded) source.destroy();
  });
  return { head, stream };
}

/** Rewrites a stream's error (the message the caller sees names the archive and the cause). */
export function withErrorDescribed(source: Readable, describe: (error: Error) => Error): Readable {
  async function* pass(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source) yield chunk as Buffer;
    } catch (e) {
      throw describe(e instanceof Error ? e : new Error(String(e)));
    }
  }
  return Readable.from(pass(), { objectMode: false });
}
