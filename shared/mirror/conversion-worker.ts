// A conversion worker thread (conversion-pool.ts starts it): converts whole source batches on the fast path with its
// own copy of the task's converter and answers with the converted batch's bytes, or `fallback` when a record needs
// the task (a schema it has not seen, a refused value, any error): the task then converts that batch itself.
import { parentPort, workerData } from 'node:worker_threads';
import type { ValueConverterSpec } from '../config/spec.js';
import { readBatchHeader } from '../kafka/batch/batch-layout.js';
import { converterCopy, type Converter, type ConverterState } from './converters/index.js';
import { bufferSize, convertBatchSync, sizeFor, takeFitting } from './record-conversion.js';

export interface ConversionJob {
  id: number;
  /** The source batch in `batch[0, length)`: a buffer of the pool's, transferred, and handed back with the answer. */
  batch: ArrayBuffer;
  length: number;
  position: bigint;
}

export interface ConversionAnswer {
  id: number;
  /** The converted batch in `bytes[0, length)`, transferred; absent when no record remained. */
  bytes?: ArrayBuffer;
  length: number;
  records: number;
  bytesOut: number;
  fallback?: boolean;
  /** The job's source buffer, handed back for the pool's next copy. */
  input: ArrayBuffer;
}

/**
 * Messages to the worker: a job, with buffers of earlier answers the task no longer needs (acknowledged by the
 * target) to build later batches in; or newer schemas of the task's converter.
 */
export type ToWorker = { job: ConversionJob; recycle: ArrayBuffer[] } | { state: ConverterState };

const KEEP = 32;
const port = parentPort!;
const spec = (workerData as { spec: ValueConverterSpec }).spec;
let converter: Promise<Converter> = converterCopy(spec, (workerData as { state: ConverterState }).state);
/** Output buffers the task handed back: no new half-megabyte ArrayBuffer per batch on either thread. */
const free: ArrayBuffer[] = [];

function take(size: number): ArrayBuffer {
  return takeFitting(free, size) ?? new ArrayBuffer(bufferSize(size));
}

const give = (b: ArrayBuffer) => {
  if (free.length < KEEP) free.push(b);
};

port.on('message', async (message: ToWorker) => {
  if ('state' in message) {
    const state = message.state;
    converter = converter.then(async (c) => {
      const registry = c as Converter & { adopt?: (s: ConverterState) => void };
      if (registry.adopt) registry.adopt(state);
      else if (state.schema && !c.state?.().schema) return converterCopy(spec, state);
      return c;
    });
    return;
  }
  for (const b of message.recycle) give(b);
  const { id, batch, length, position } = message.job;
  let answer: ConversionAnswer = { id, length: 0, records: 0, bytesOut: 0, fallback: true, input: batch };
  // What convertBatchSync builds in if big enough (it sizes by the largest expansion seen so far).
  const out = take(sizeFor(length));
  let kept = false;
  try {
    const bytes = Buffer.from(batch, 0, length);
    const c = await converter;
    const done = convertBatchSync(c, { header: readBatchHeader(bytes), bytes }, position, Buffer.from(out));
    if (done) {
      answer = { id, length: 0, records: done.records, bytesOut: done.bytesOut, input: batch };
      if (done.bytes && done.buffer.buffer === out) {
        answer.bytes = out;
        answer.length = done.bytes.length;
        kept = true;
      } else if (done.bytes) {
        // Grown past `out` (a batch much larger than its source): copied into a transferable buffer of its own.
        const copy = new ArrayBuffer(bufferSize(done.bytes.length));
        new Uint8Array(copy).set(done.bytes);
        answer.bytes = copy;
        answer.length = done.bytes.length;
      }
    }
  } catch {
    // The task converts the batch itself and meets the same error there, where errors.tolerance applies.
  }
  if (!kept) give(out);
  port.postMessage(answer, answer.bytes ? [answer.bytes, batch] : [batch]);
});
