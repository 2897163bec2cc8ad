// The one owner of a wire producer's identity: its producer id and epoch, and one sequence counter per partition
// stamped into each batch's header. The broker drops a batch whose sequence it already has (a retry of an
// acknowledged batch) and refuses one that skips ahead, so several requests in flight keep their order. WireProducer
// stamps every batch through it: batches a caller built (`seal`) and batches forwarded from another log as bytes
// (`stamp`, the mirror's). The id comes from InitProducerId: here for an idempotent producer
// (`initIdempotent`), or from the TransactionCoordinator for a transactional one (`adopt`), because that call must
// go to the transaction coordinator and fences the transactional id's earlier instances.
import { initProducerIdV4, type Connection } from './platformatic.js';
import type { CompressionType, EncodedBatch } from '../port/kafka-port.js';
import { lastOffsetDeltaOf } from '../batch/batch-layout.js';
import { stampBatch } from '../batch/forwarded-batch.js';
import { sealBatch } from '../batch/record-batch.js';
import { positionKey } from '../port/assigned-partitions.js';
import { kafkaErrorOf } from './wire-errors.js';

export interface ProducerStateOptions {
  /** Batches carry the transactional bit (the id and epoch then come from `adopt`). */
  transactional?: boolean;
  /** Compression `seal` applies to built batches. */
  compression?: CompressionType;
}

// Sequences wrap at int32 like the Java producer's.
const SEQUENCE_WRAP = 2 ** 31;

export class ProducerState {
  producerId = -1n;
  producerEpoch = -1;
  private readonly sequences = new Map<string, number>();

  constructor(private readonly options: ProducerStateOptions = {}) {}

  get transactional(): boolean {
    return this.options.transactional === true;
  }

  get ready(): boolean {
    return this.producerId >= 0n;
  }

  /**
   * InitProducerId without a transactional id (an idempotent producer); a re-init bumps the same id's epoch.
   * Retriable answers are retried until `retryForMs` has passed, as the Java producer does: a KRaft broker answers
   * COORDINATOR_LOAD_IN_PROGRESS while it fetches its next block of producer ids from the controller, which a
   * loaded machine creating many producers hits (it failed a CI run). `broker` is asked again on each attempt, so a
   * dropped connection is replaced.
   */
  async initIdempotent(broker: () => Promise<Connection>, retryForMs = 60_000): Promise<void> {
    const deadline = Date.now() + retryForMs;
    for (let backoff = 50; ; backoff = Math.min(backoff * 2, 1_000)) {
      try {
        const r = await initProducerIdV4.api.async(
          await broker(),
          null,
          60_000,
          this.producerId >= 0n ? this.producerId : -1n,
          this.producerId >= 0n ? this.producerEpoch : -1,
        );
        this.adopt(r.producerId, r.producerEpoch);
        return;
      } catch (err) {
        const error = kafkaErrorOf(err, 'InitProducerId failed');
        if (!error.retriable || Date.now() + backoff > deadline) throw error;
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  /** Takes the id and epoch a transaction coordinator gave (InitProducerId with the transactional id). */
  adopt(producerId: bigint, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.sequences.clear();
  }

  /** The partition's next sequence, advanced by `count` records. */
  private next(topic: string, partition: number, count: number): number {
    const k = positionKey(topic, partition);
    const baseSequence = this.sequences.get(k) ?? 0;
    this.sequences.set(k, (baseSequence + count) % SEQUENCE_WRAP);
    return baseSequence;
  }

  /** A built batch stamped with this id, epoch and the partition's next sequence; compressed; CRC set. */
  seal(topic: string, partition: number, batch: EncodedBatch): { bytes: Buffer; baseSequence: number } {
    const baseSequence = this.next(topic, partition, batch.recordCount);
    const bytes = sealBatch(
      batch,
      {
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        baseSequence,
        transactional: this.transactional,
      },
      this.options.compression ?? 'none',
    );
    return { bytes, baseSequence };
  }

  /**
   * A forwarded batch (another log's bytes) restamped in place for this producer. The broker counts
   * lastOffsetDelta + 1 sequence numbers per batch (offset gaps of a compacted source included).
   */
  stamp(topic: string, partition: number, bytes: Buffer): Buffer {
    const baseSequence = this.next(topic, partition, lastOffsetDeltaOf(bytes) + 1);
    stampBatch(bytes, this.producerId, this.producerEpoch, baseSequence, this.transactional);
    return bytes;
  }
}
