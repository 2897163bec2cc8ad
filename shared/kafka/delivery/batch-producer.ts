// Sends a task's batches to Kafka and acknowledges them in order, with a bounded number of batches in flight.
// The bound is the back-pressure: a caller that submits faster than Kafka acknowledges waits in `submit`, so the
// reader upstream stops pulling bytes and memory stays at (maxInFlight + the batch being filled) batches.
// A batch may be several produce requests (each under the broker's max message bytes): they go out together
// (pipelined on the connection) and the batch is acknowledged when all of them are.
import type { KafkaProducer, ProduceRequest } from '../port/kafka-port.js';

export interface BatchProducerOptions {
  /**
   * Batches sent but not yet acknowledged. 1 (the default) means a crash repeats at most one batch: each ack is
   * checkpointed before the next batch goes out, while the caller fills the next batch meanwhile.
   */
  maxInFlight?: number;
}

export class BatchProducer {
  private readonly maxInFlight: number;
  /** Acknowledgement chain: each link resolves after its send and its onAck, in submission order. */
  private readonly inFlight: Promise<void>[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly producer: KafkaProducer,
    options: BatchProducerOptions = {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /**
   * Queues one batch (possibly spanning topics: records and their dead letters go out together). Resolves once
   * the batch is in flight; `onAck` runs after Kafka acknowledged it and every earlier batch's onAck finished.
   * A failed send (or onAck) rejects the next submit/flush.
   */
  async submit(requests: ProduceRequest[], onAck: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    while (this.inFlight.length >= this.maxInFlight) {
      await this.inFlight[0];
      this.throwIfFailed();
    }
    const previous = this.inFlight[this.inFlight.length - 1] ?? Promise.resolve();
    const sent = requests.length > 0 ? this.producer.send(requests) : Promise.resolve([]);
    const link = Promise.all([sent, previous])
      .then(() => {
        // Never acknowledge past a failed batch: its checkpoint would skip the failed batch's records.
        if (!this.failure) return onAck();
      })
      .catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        const i = this.inFlight.indexOf(link);
        if (i >= 0) this.inFlight.splice(i, 1);
      });
    this.inFlight.push(link);
  }

  /** Waits until every submitted batch is acknowledged (and its onAck ran); throws the first failure. */
  async flush(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight[this.inFlight.length - 1];
    this.throwIfFailed();
  }

  /** Waits for in-flight sends without throwing (used when stopping after an error). */
  async settle(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight[this.inFlight.length - 1];
  }

  disconnect(): Promise<void> {
    return this.producer.close();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
