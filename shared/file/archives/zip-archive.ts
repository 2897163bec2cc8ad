// zip: read in place with ranged reads (yauzl over a RandomAccessReader): the central directory at the end, then
// each entry's bytes; the object is never downloaded whole, to memory or to disk. Stored and deflated entries,
// zip64 (yauzl reads it). yauzl does not check CRC-32, so each entry's stream does, at its end: a flipped byte in a
// stored entry is an error, not silently wrong data.
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { type ArchiveEntry, type OpenObject, describeArchiveError } from './archive-entry.js';

class ObjectRangeReader extends yauzl.RandomAccessReader {
  constructor(private readonly open: OpenObject) {
    super();
  }
  // yauzl asks for [start, end) (end exclusive), as ObjectStorage.read's range.
  override _readStreamForRange(start: number, end: number): Readable {
    return this.open({ start, end });
  }
}

function openZip(reader: ObjectRangeReader, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const options = { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true };
    yauzl.fromRandomAccessReader(reader, size, options as yauzl.Options, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

/** The next entry, or undefined at the end of the central directory. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => (cleanup(), resolve(entry));
    const onEnd = (): void => (cleanup(), resolve(undefined));
    const onError = (e: Error): void => (cleanup(), reject(e));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function openEntryStream(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** The entry's bytes, failing at the end if their CRC-32 is not the one the central directory records. */
function checkedStream(raw: Readable, expectedCrc: number, describe: (e: unknown) => Error): Readable {
  async function* pass(): AsyncGenerator<Buffer> {
    let crc = 0;
    try {
      for await (const chunk of raw) {
        crc = crc32(chunk as Buffer, crc);
        yield chunk as Buffer;
      }
    } catch (e) {
      throw describe(e);
    }
    if (crc >>> 0 !== expectedCrc >>> 0) {
      throw describe(new Error(`CRC-32 mismatch (expected ${hex(expectedCrc)}, got ${hex(crc)})`));
    }
  }
  return Readable.from(pass(), { objectMode: false });
}

const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

export async function* zipEntries(open: OpenObject, archiveName: string, size: number): AsyncGenerator<ArchiveEntry> {
  const reader = new ObjectRangeReader(open);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(reader, size);
  } catch (e) {
    yield { name: archiveName, error: describeArchiveError('zip', archiveName, undefined, e).message };
    return;
  }
  let previous: Readable | undefined;
  try {
    for (;;) {
      // Entries are independent ranged reads: one the caller left unread is just closed.
      if (previous && !previous.readableEnded) previous.destroy();
      previous = undefined;
      let entry: yauzl.Entry | undefined;
      try {
        entry = await nextEntry(zip);
      } catch (e) {
        yield { name: archiveName, error: describeArchiveError('zip', archiveName, undefined, e).message };
        return;
      }
      if (!entry) return;
      const name = entry.fileName;
      if (name.endsWith('/')) continue;
      const describe = (e: unknown): Error => describeArchiveError('zip', archiveName, name, e);
      if (entry.isEncrypted()) {
        yield { name, error: describe(new Error('encrypted entries are not supported')).message };
        continue;
      }
      let raw: Readable;
      try {
        raw = await openEntryStream(zip, entry);
      } catch (e) {
        yield { name, error: describe(e).message };
        continue;
      }
      previous = checkedStream(raw, entry.crc32, describe);
      yield { name, stream: previous };
    }
  } finally {
    if (previous && !previous.readableEnded) previous.destroy();
    zip.close();
  }
}
