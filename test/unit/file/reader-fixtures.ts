// Small helpers for the reader and archive tests: a reader spec with the seed's defaults, and byte streams.
import { Readable } from 'node:stream';
import type { FileReaderSpec } from '../../../shared/config/spec.js';
import { readRecords, type ReaderOptions } from '../../../shared/file/readers/read-records.js';
import type { ReadResult } from '../../../shared/file/record.js';

export function readerSpec(overrides: Partial<FileReaderSpec> = {}): FileReaderSpec {
  return {
    type: 'text',
    parquetMaxRowGroupBytes: 268435456,
    separator: ',',
    quote: '',
    valueDefault: '',
    batchSize: 1000,
    eol: '\n',
    header: false,
    archiveType: 'auto',
    archiveExtensions: { tar: ['tar'], zip: ['zip'], gzip: ['gz', 'tgz'] },
    maxLineBytes: 1024 * 1024,
    ...overrides,
  };
}

/** `data` as a byte stream cut into chunks of `chunkSize` bytes (1 = the hardest case for a splitter). */
export function streamOf(data: string | Buffer, chunkSize = 65536): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

export async function readAll(
  data: string | Buffer,
  options: Partial<ReaderOptions> & { spec?: Partial<FileReaderSpec>; chunkSize?: number } = {},
): Promise<ReadResult[]> {
  const { spec, chunkSize, ...rest } = options;
  const out: ReadResult[] = [];
  const reader = readerSpec(spec);
  for await (const r of readRecords(streamOf(data, chunkSize), {
    format: 'delimited',
    skipHeader: false,
    reader,
    ...rest,
  })) {
    out.push(r);
  }
  return out;
}

export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
