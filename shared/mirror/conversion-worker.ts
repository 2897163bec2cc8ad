// A conversion worker thread (conversion-pool.ts starts it): converts whole source batches on the fast path with its
// own copy of the task's converter and answers with the converted batch's bytes, or `fallback` when a record needs
// the task (a schema it has not seen, a refused value, any error): the task then converts that batch itself.
import { parentPort, workerData } from 'node:worker_threads';
import type { ValueConverterSpec } from '../config/spec.js';
import { readBatchHeader } from '../kafka/batch/batch-layout.js';
import { converterCopy, type Converter, type ConverterState } from './converters/index.js';
import { convertBatchSync } from './record-conversion.js';

export interface ConversionJob {
  id: number;
  /** The source batch, copied into its own ArrayBuffer (transferred). */
  batch: Uint8Array;
  position: bigint;
}

export interface ConversionAnswer {
  id: number;
  /** The converted batch in its own ArrayBuffer (transferred); absent when no record remained. */
  bytes?: Uint8Array;
  records: number;
  bytesOut: number;
  fallback?: boolean;
}

/** Messages to the worker: a job, or newer schemas of the task's converter. */
export type ToWorker = { job: ConversionJob } | { state: ConverterState };

const port = parentPort!;
const spec = (workerData as { spec: ValueConverterSpec }).spec;
let converter: Promise<Converter> = converterCopy(spec, (workerData as { state: ConverterState }).state);

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
  const { id, batch, position } = message.job;
  let answer: ConversionAnswer = { id, records: 0, bytesOut: 0, fallback: true };
  try {
    const bytes = Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength);
    const out = convertBatchSync(await converter, { header: readBatchHeader(bytes), bytes }, position);
    if (out) {
      // Copied into an ArrayBuffer of its own to be transferred (the builder's may be a shared pool slab).
      const copy = out.bytes ? new Uint8Array(out.bytes.length) : undefined;
      if (copy) copy.set(out.bytes!);
      answer = { id, bytes: copy, records: out.records, bytesOut: out.bytesOut };
    }
  } catch {
    // The task converts the batch itself and meets the same error there, where errors.tolerance applies.
  }
  port.postMessage(answer, answer.bytes ? [answer.bytes.buffer as ArrayBuffer] : []);
});
