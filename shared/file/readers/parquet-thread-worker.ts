// The Parquet decode thread (parquet-thread.ts starts it, one per file): runs readParquet on the file's row groups
// and posts each event, its rows' JSON bytes moved (not copied) to the task's thread. The file's bytes come from the
// task's thread, which owns the storage client: `slice` asks for them by message. At most `readAhead` events wait
// for the task at a time; the task hands back a credit for each one it has taken.
import { parentPort, workerData } from 'node:worker_threads';
import type { FileMetaData } from 'hyparquet';
import type { ObjectSlices } from '../../storage/object-slice.js';
import { readParquet, type ParquetEvent, type ParquetReadOptions } from './parquet-reader.js';

export interface DecodeThreadData {
  metadata: FileMetaData;
  options: ParquetReadOptions;
  byteLength: number;
  readAhead: number;
}

/** From the decode thread: a ranged read it needs, an event, the end, or an error outside any row group. */
export type FromDecodeThread =
  | { kind: 'slice'; id: number; start: number; end: number }
  /** A reader event; a slice's rows arrive at the start of an ArrayBuffer of their own (transferred). */
  | (Omit<Extract<ParquetEvent, { kind: 'rows' }>, 'buf'> & { buf: Uint8Array })
  | Extract<ParquetEvent, { kind: 'bad' }>
  | { kind: 'end' }
  | { kind: 'error'; message: string };

/**
 * To the decode thread: the bytes of a ranged read (or why it failed), or credit for events the task took, with the
 * buffer of the taken rows handed back to be filled again.
 */
export type ToDecodeThread =
  | { kind: 'slice'; id: number; bytes?: ArrayBuffer; error?: string }
  | { kind: 'credit'; events: number; buf?: ArrayBuffer };

const port = parentPort!;
const { metadata, options, byteLength, readAhead } = workerData as DecodeThreadData;
const reads = new Map<number, { resolve: (b: ArrayBuffer) => void; reject: (e: Error) => void }>();
let nextRead = 0;
let credit = readAhead;
let creditArrived: (() => void) | undefined;
/** Buffers the task handed back: a buffer per slice would be garbage V8 collects only every ~64 MB. */
const spare: ArrayBuffer[] = [];

port.on('message', (m: ToDecodeThread) => {
  if (m.kind === 'credit') {
    credit += m.events;
    if (m.buf) spare.push(m.buf);
    creditArrived?.();
    creditArrived = undefined;
    return;
  }
  const read = reads.get(m.id);
  reads.delete(m.id);
  if (m.bytes) read?.resolve(m.bytes);
  else read?.reject(new Error(m.error ?? 'read failed'));
});

const file: ObjectSlices = {
  byteLength,
  slice(start, end = byteLength) {
    const id = nextRead++;
    return new Promise<ArrayBuffer>((resolve, reject) => {
      reads.set(id, { resolve, reject });
      port.postMessage({ kind: 'slice', id, start, end } satisfies FromDecodeThread);
    });
  },
};

try {
  for await (const ev of readParquet(file, metadata, options)) {
    while (credit <= 0) await new Promise<void>((resolve) => (creditArrived = resolve));
    credit--;
    if (ev.kind === 'bad') {
      port.postMessage(ev satisfies FromDecodeThread);
      continue;
    }
    // The reader reuses its buffers for the next slice: the rows go out in buffers of their own.
    const length = ev.count > 0 ? ev.ends[ev.count - 1] : 0;
    let store = spare.pop();
    if (!store || store.byteLength < length) store = new ArrayBuffer(Math.ceil(length * 1.25));
    const buf = new Uint8Array(store, 0, length);
    buf.set(ev.buf.subarray(0, length));
    const ends = ev.ends.slice(0, ev.count);
    const { rowGroup, firstRow, fileRow, last, groupBytes, groupRows, count } = ev;
    const out: FromDecodeThread = {
      kind: 'rows',
      ...{ rowGroup, firstRow, fileRow, last, groupBytes, groupRows, count },
      buf,
      ends,
    };
    port.postMessage(out, [buf.buffer, ends.buffer]);
  }
  port.postMessage({ kind: 'end' } satisfies FromDecodeThread);
} catch (err) {
  port.postMessage({
    kind: 'error',
    message: err instanceof Error ? err.message : String(err),
  } satisfies FromDecodeThread);
}
