// The idempotent producer's session: a producer id and epoch from InitProducerId, and one sequence counter per
// partition stamped into each batch's header. The broker drops a batch whose sequence it already has (a retry of
// an acknowledged batch) and refuses one that skips ahead, so several requests in flight keep their order.
//
// Seam for transactions (issue 11): construct with a `transactionalId`; `init()` then finds the transaction
// coordinator's answer the same way, and `beforeProduce` is where AddPartitionsToTxn goes (called with the
// partitions of every produce request before it is sent). `sealed` batches carry the transactional bit.
import { initProducerIdV4, type Connection } from './platformatic.js';
import type { CompressionType, EncodedBatch, TopicPartition } from '../port/kafka-port.js';
import { sealBatch } from '../batch/record-batch.js';
import { kafkaErrorOf } from './wire-errors.js';

export interface ProducerSessionOptions {
  transactionalId?: string;
  transactionTimeoutMs?: number;
  compression?: CompressionType;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class ProducerSession {
  producerId = -1n;
  producerEpoch = -1;
  private readonly sequences = new Map<string, number>();

  constructor(private readonly options: ProducerSessionOptions = {}) {}

  get transactional(): boolean {
    return this.options.transactionalId !== undefined;
  }

  /** Asks a broker (the transaction coordinator, when transactional) for a producer id and epoch. */
  async init(connection: Connection): Promise<void> {
    try {
      const r = await initProducerIdV4.api.async(
        connection,
        this.options.transactionalId ?? null,
        this.options.transactionTimeoutMs ?? 60_000,
        this.producerId >= 0n ? this.producerId : undefined,
        this.producerId >= 0n ? this.producerEpoch : undefined,
      );
      this.producerId = r.producerId;
      this.producerEpoch = r.producerEpoch;
      this.sequences.clear();
    } catch (err) {
      throw kafkaErrorOf(err, 'InitProducerId failed');
    }
  }

  /** Takes the id and epoch a transaction coordinator gave (InitProducerId with the transactional id). */
  adopt(producerId: bigint, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.sequences.clear();
  }

  get transactionalId(): string | null {
    return this.options.transactionalId ?? null;
  }

  /** Hook run before a produce request with these partitions is sent (AddPartitionsToTxn for transactions). */
  beforeProduce: (partitions: TopicPartition[]) => Promise<void> = async () => {};

  /** The batch stamped with this session's id, epoch and the partition's next sequence; compressed; CRC set. */
  seal(topic: string, partition: number, batch: EncodedBatch): { bytes: Buffer; baseSequence: number } {
    const k = key(topic, partition);
    const baseSequence = this.sequences.get(k) ?? 0;
    // Sequences wrap at int32 like the Java producer's.
    this.sequences.set(k, (baseSequence + batch.recordCount) % 2 ** 31);
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
}
