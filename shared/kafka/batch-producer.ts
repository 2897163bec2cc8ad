// Sends batches to Kafka with acks=all and a bounded number of batches in flight, acknowledging them in order.
// The bound is the back-pressure: a caller that submits faster than Kafka acknowledges waits in `submit`, so the
// reader upstream stops pulling bytes and memory stays at (maxInFlight + the batch being filled) batches.
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { requestChunks } from './request-chunks.js';

export interface BatchProducerOptions {
  /**
   * Batches sent but not yet acknowledged. 1 (the default) means a crash repeats at most one batch: each ack is
   * checkpointed before the next batch goes out, while the caller fills the next batch meanwhile.
   */
  maxInFlight?: number;
  /** kafkajs request timeout per send. */
  timeoutMs?: number;
}

export class BatchProducer {
  private readonly producer: Producer;
  private readonly maxInFlight: number;
  private readonly timeoutMs: number;
  /** Acknowledgement chain: each link resolves after its send and its onAck, in submission order. */
  private readonly inFlight: Promise<void>[] = [];
  private failure: Error | undefined;

  constructor(kafka: Kafka, options: BatchProducerOptions = {}) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Sends are already batched by the caller; kafkajs retries transient broker errors itself.
      retry: { retries: 8, initialRetryTime: 200 },
    });
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /**
   * Queues one batch (possibly spanning topics: records and their dead letters go out together). Resolves once
   * the batch is in flight; `onAck` runs after Kafka acknowledged it and every earlier batch's onAck finished.
   * A failed send (or onAck) rejects the next submit/flush.
   */
  async submit(batch: TopicMessages[], onAck: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    while (this.inFlight.length >= this.maxInFlight) {
      await this.inFlight[0];
      this.throwIfFailed();
    }
    const previous = this.inFlight[this.inFlight.length - 1] ?? Promise.resolve();
    const sent = this.send(batch);
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
    return this.producer.disconnect();
  }

  private async send(batch: TopicMessages[]): Promise<void> {
    const topicMessages = batch.filter((t) => t.messages.length > 0);
    if (topicMessages.length === 0) return;
    // One request at a time keeps each partition's records in order (a retried request cannot overtake).
    for (const { topic, messages } of topicMessages) {
      for (const chunk of requestChunks(messages)) {
        try {
          await this.producer.send({ topic, messages: chunk, acks: -1, timeout: this.timeoutMs });
        } catch (err) {
          throw new Error(`Kafka did not accept a batch for ${topic}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

export type { Message, TopicMessages };
