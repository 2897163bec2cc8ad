// Conversion on more than one core: worker threads, shared by a connector's tasks, each with its own copy of the
// converter (compiled from the schemas the tasks' converter has). A task hands every batch of a fetch to the pool at
// once and takes the answers back in order, so what is sent, and the positions saved with it, stay exactly what the
// task would have produced alone. A batch a worker cannot convert whole (a schema it has not seen yet, a refused
// value, a worker that died) comes back as undefined and the task converts it itself: refusals, errors.tolerance,
// dead letters and registry retries stay in the task.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ValueConverterSpec } from '../config/spec.js';
import type { Logger } from '../runtime/log.js';
import { workerScript } from '../runtime/worker-script.js';
import type { FetchedPartition } from '../kafka/port/kafka-port.js';
import { decodeRecords } from '../kafka/batch/record-batch-reader.js';
import { committedBatches, type SourceBatch } from './committed-batches.js';
import { partitionKey } from './mirror-positions.js';
import type { ConversionAnswer, ToWorker } from './conversion-worker.js';
import type { Converter } from './converters/index.js';
import { bufferSize, takeFitting, type FastConvertedBatch } from './record-conversion.js';

/**
 * `DSC_MIRROR_CONVERSION_THREADS` (0: none), else one per task up to the machine's cores less one (the tasks' own
 * thread fetches, stamps and sends; measured on 2 vCPUs with 3 tasks, two threads converted 1.35–1.75× slower than
 * one), at least one when there is a second core; none on one core.
 */
export function conversionThreads(
  tasksMax: number,
  env = process.env.DSC_MIRROR_CONVERSION_THREADS,
  cores = availableParallelism(),
): number {
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0) throw new Error(`DSC_MIRROR_CONVERSION_THREADS=${env} is not a thread count`);
    return n;
  }
  return cores > 1 ? Math.min(Math.max(1, tasksMax), cores - 1) : 0;
}

/** Buffers kept for reuse, each way: more than a fetch's batches in flight. */
const KEEP = 32;

/** One partition's batches of a fetch as handed to the pool, and the pool's answers in the same order. */
export interface Dispatched {
  batches: SourceBatch[];
  answers: Promise<FastConvertedBatch | undefined>[];
}

interface Slot {
  worker: Worker;
  pending: Map<number, (answer: ConversionAnswer | undefined) => void>;
}

export class ConversionPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private broken = false;
  /** How many schemas the workers were given. */
  private shared = 0;
  /** Source-batch buffers the workers handed back, for the next copies. */
  private readonly inputs: ArrayBuffer[] = [];
  /** Converted batches' buffers the task released after the target acknowledged them, for the workers. */
  private readonly released: ArrayBuffer[] = [];

  private constructor(
    private readonly converter: Converter,
    private readonly log: Logger,
  ) {}

  /**
   * A pool of `threads` workers for `converter`, or undefined when there is nothing to gain or no way to: no
   * threads asked, a converter without a fast path, or no compiled worker script (the sources run under a test
   * runner: the tasks then convert on their own thread, as with one thread).
   */
  static start(
    spec: ValueConverterSpec,
    converter: Converter,
    threads: number,
    log: Logger,
  ): ConversionPool | undefined {
    if (threads < 1 || !converter.writeInto || !converter.state) return undefined;
    const script = workerScript('./conversion-worker.js', import.meta.url);
    if (!script) return undefined;
    const pool = new ConversionPool(converter, log);
    const state = converter.state();
    pool.shared = (state.registrySchemas?.length ?? 0) + (state.schema ? 1 : 0);
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(script, { workerData: { spec, state } });
      const slot: Slot = { worker, pending: new Map() };
      worker.on('message', (a: ConversionAnswer) => {
        const done = slot.pending.get(a.id);
        slot.pending.delete(a.id);
        done?.(a);
      });
      const lost = (err: unknown) => {
        if (!pool.broken)
          log.warn('conversion worker stopped; tasks convert on their own thread', { error: String(err) });
        pool.broken = true;
        for (const done of slot.pending.values()) done(undefined);
        slot.pending.clear();
      };
      worker.on('error', lost);
      worker.on('exit', (code) => lost(`exit code ${code}`));
      worker.unref(); // an idle pool holds no process open
      pool.slots.push(slot);
    }
    log.info('mirror conversion on worker threads', { threads });
    return pool;
  }

  /** The batch converted on a worker, or undefined: the task converts it itself. Never rejects. */
  convert(batch: SourceBatch, position: bigint): Promise<FastConvertedBatch | undefined> {
    if (this.broken) return Promise.resolve(undefined);
    let slot = this.slots[0];
    for (const s of this.slots) if (s.pending.size < slot.pending.size) slot = s;
    const id = this.nextId++;
    // Copied into a buffer of the pool's (workers hand them back): the fetched batch is a slice of a response buffer
    // the task still reads.
    const length = batch.bytes.length;
    const input = this.takeInput(length);
    new Uint8Array(input, 0, length).set(batch.bytes);
    const recycle = this.released.splice(0);
    return new Promise((resolve) => {
      slot.pending.set(id, (a) => {
        if (!a) return resolve(undefined);
        if (this.inputs.length < KEEP) this.inputs.push(a.input);
        if (a.fallback) return resolve(undefined);
        const out = a.bytes;
        if (!out) return resolve({ records: a.records, bytesOut: a.bytesOut });
        let given = false;
        resolve({
          bytes: Buffer.from(out, 0, a.length),
          records: a.records,
          bytesOut: a.bytesOut,
          // Acknowledged: goes back to a worker with its next job (transferred, so once and never read after).
          release: () => {
            if (given || this.released.length >= KEEP) return;
            given = true;
            this.released.push(out);
          },
        });
      });
      const message: ToWorker = { job: { id, batch: input, length, position }, recycle };
      slot.worker.postMessage(message, [input, ...recycle]);
    });
  }

  /** A source-batch buffer a worker handed back, big enough for `length`, or a new one. */
  private takeInput(length: number): ArrayBuffer {
    return takeFitting(this.inputs, length) ?? new ArrayBuffer(bufferSize(length));
  }

  /**
   * Before the first schema is known (registry): one value's schema fetched on the task's thread, so the workers get
   * it with this fetch. Without it every batch of the first fetch went to a worker, came back unconverted and was
   * converted on the task's thread (tens of thousands of records at start, with their garbage). Never rejects: a
   * value that cannot be converted meets its error again where errors.tolerance applies.
   */
  async prime(fetched: FetchedPartition[]): Promise<void> {
    if (this.broken || this.shared > 0) return;
    for (const f of fetched) {
      if (f.error) continue;
      for (const b of committedBatches(f)) {
        const value = decodeRecords(b.bytes, b.header).find((r) => r.value !== null)?.value;
        if (value) return void (await this.converter.convert(value).catch(() => undefined));
      }
    }
  }

  /**
   * Every batch of a fetch to the workers at once, each with the position it is converted from (the partition's
   * position `fetchAt`, then each batch's end), so they convert side by side while the task takes the answers in
   * order. Partitions with an error are left out (the task handles them).
   */
  dispatch(fetched: FetchedPartition[], fetchAt: Map<string, bigint>): Map<FetchedPartition, Dispatched> {
    const out = new Map<FetchedPartition, Dispatched>();
    this.share();
    for (const f of fetched) {
      if (f.error) continue;
      let position = fetchAt.get(partitionKey(f.topic, f.partition))!;
      const batches = committedBatches(f);
      const answers = batches.map((b) => {
        const answer = this.convert(b, position);
        position = b.header.nextOffset;
        return answer;
      });
      out.set(f, { batches, answers });
    }
    return out;
  }

  /** Schemas the task's converter fetched since (converting a batch the workers handed back) go to every worker. */
  private share(): void {
    const state = this.converter.state!();
    const known = (state.registrySchemas?.length ?? 0) + (state.schema ? 1 : 0);
    if (this.broken || known === this.shared) return;
    this.shared = known;
    const message: ToWorker = { state };
    for (const s of this.slots) s.worker.postMessage(message);
  }

  async close(): Promise<void> {
    this.broken = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => 0)));
    for (const s of this.slots) for (const done of s.pending.values()) done(undefined);
  }
}
