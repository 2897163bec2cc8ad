// Parquet decoding beside the task: a worker thread decompresses and decodes the next slices of rows into their JSON
// bytes (parquet-thread-worker.ts) while the task's thread sends the previous ones to Kafka, so a task uses two cores
// instead of one. The task's thread still does every ranged read (the storage client is its own) and owns positions,
// checkpoints and commits: the events arrive in order and are exactly those readParquet yields on the task's thread,
// so what is sent, and the (row group, row) positions saved with it, are the same either way. Memory stays bounded:
// the thread is at most `readAhead` slices ahead of the task. Should the thread die or report an error, the task
// reads on from the first row it has not taken, on its own thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileMetaData } from 'hyparquet';
import type { ObjectSlices } from '../../storage/object-slice.js';
import type { Logger } from '../../runtime/log.js';
import { errorText } from '../../runtime/error-text.js';
import { workerScript } from '../../runtime/worker-script.js';
import { readParquet, type ParquetEvent, type ParquetReadOptions } from './parquet-reader.js';
import type { DecodeThreadData, FromDecodeThread, ToDecodeThread } from './parquet-thread-worker.js';

/** Below this many stored bytes to read, a thread's start (~30 ms and its own copy of the reader) is not worth it. */
export const DECODE_THREAD_MIN_BYTES = 16 << 20;

/**
 * Whether a Parquet file (or the part of it a task reads, `bytes` stored bytes) is decoded on a thread of its own:
 * `DSC_PARQUET_DECODE_THREAD` = `on` (always) or `off` (never); unset or `auto`, when the machine has more than one
 * core and there are at least 16 MiB to read.
 */
export function parquetDecodeThread(
  bytes: number,
  env = process.env.DSC_PARQUET_DECODE_THREAD,
  cores = availableParallelism(),
): boolean {
  const setting = (env ?? '').trim().toLowerCase();
  if (setting === 'on' || setting === '1' || setting === 'true') return true;
  if (setting === 'off' || setting === '0' || setting === 'false') return false;
  if (setting !== '' && setting !== 'auto')
    throw new Error(`DSC_PARQUET_DECODE_THREAD=${env} is not one of on, off, auto`);
  return cores > 1 && bytes >= DECODE_THREAD_MIN_BYTES;
}

/** Slices the thread may decode ahead of the task: a few, and at least ~40,000 rows' worth when slices are small. */
function readAheadFor(sliceRows: number): number {
  return Math.min(64, Math.max(3, Math.ceil(40_000 / Math.max(1, sliceRows))));
}

/** A decode thread as the task's thread sees it: its messages in order, and why it stopped if it did. */
interface DecodeThread {
  /** The next event (or end, or error); undefined once the thread is gone. */
  next(): Promise<FromDecodeThread | undefined>;
  send(m: ToDecodeThread, transfer?: ArrayBuffer[]): void;
  lost(): string | undefined;
  stop(): Promise<void>;
}

/** Starts the thread; its ranged reads are served here, from `file`. */
function startDecodeThread(script: string, file: ObjectSlices, data: DecodeThreadData): DecodeThread {
  const worker = new Worker(script, { workerData: data });
  const queue: FromDecodeThread[] = [];
  let lost: string | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  const send = (m: ToDecodeThread, transfer: ArrayBuffer[] = []) => {
    try {
      worker.postMessage(m, transfer);
    } catch {
      // A buffer that cannot be moved (a shared pool's) is copied instead.
      worker.postMessage(m);
    }
  };
  worker.on('message', (m: FromDecodeThread) => {
    if (m.kind !== 'slice') {
      queue.push(m);
      signal();
      return;
    }
    file.slice(m.start, m.end).then(
      (bytes) => send({ kind: 'slice', id: m.id, bytes }, [bytes]),
      (err: unknown) => send({ kind: 'slice', id: m.id, error: errorText(err) }),
    );
  });
  worker.on('error', (err) => {
    lost ??= errorText(err);
    signal();
  });
  worker.on('exit', (code) => {
    lost ??= `exit code ${code}`;
    signal();
  });
  return {
    async next() {
      for (;;) {
        const m = queue.shift();
        if (m || lost !== undefined) return m;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    send,
    lost: () => lost,
    stop: () =>
      worker.terminate().then(
        () => undefined,
        () => undefined,
      ),
  };
}

/**
 * readParquet's events, decoded on a worker thread; on the task's thread when there is no compiled worker script (the
 * sources run under a test runner). The ArrayBuffers `file.slice` returns are moved to the thread: each must be the
 * caller's alone (objectSlices' are).
 */
export async function* readParquetOnThread(
  file: ObjectSlices,
  metadata: FileMetaData,
  options: ParquetReadOptions,
  log?: Logger,
): AsyncGenerator<ParquetEvent> {
  const script = workerScript('./parquet-thread-worker.js', import.meta.url);
  if (!script) {
    yield* readParquet(file, metadata, options);
    return;
  }
  const thread = startDecodeThread(script, file, {
    metadata,
    options,
    byteLength: file.byteLength,
    readAhead: readAheadFor(options.sliceRows),
  });
  // The first row not yet handed to the task: where the task goes on by itself should the thread die or fail.
  let fromRowGroup = options.fromRowGroup;
  let fromRow = options.fromRow;
  let failure: string | undefined;
  try {
    for (let m = await thread.next(); m; m = await thread.next()) {
      if (m.kind === 'end') return;
      if (m.kind === 'error') {
        // Not a row group's bad input (those are `bad` events): the task's own reader meets it again if the file
        // causes it, and then fails or goes on exactly as it would without a thread.
        failure = m.message;
        break;
      }
      if (m.kind === 'slice') continue; // served by startDecodeThread, never queued
      if (m.kind === 'bad') {
        yield m;
        fromRowGroup = m.rowGroup + 1;
        fromRow = 0;
        thread.send({ kind: 'credit', events: 1 });
      } else {
        const buf = Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength);
        yield { ...m, buf };
        fromRowGroup = m.last ? m.rowGroup + 1 : m.rowGroup;
        fromRow = m.last ? 0 : m.firstRow + m.count;
        // The task has copied the rows (a rows event's buffers are only valid until the next one is asked for).
        const store = m.buf.buffer as ArrayBuffer;
        thread.send({ kind: 'credit', events: 1, buf: store }, [store]);
      }
    }
  } finally {
    await thread.stop();
  }
  log?.warn('Parquet decode thread stopped; the task decodes on its own thread', {
    error: failure ?? thread.lost(),
    rowGroup: fromRowGroup,
    row: fromRow,
  });
  yield* readParquet(file, metadata, { ...options, fromRowGroup, fromRow });
}
