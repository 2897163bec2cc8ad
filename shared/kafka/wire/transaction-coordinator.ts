// The client side of one `transactional.id`: finds its transaction coordinator, gets a producer id and epoch
// (InitProducerId; a second instance with the same id bumps the epoch and so fences the first, whose open
// transaction the coordinator aborts), adds partitions to the open transaction before records are produced to them
// (AddPartitionsToTxn), and commits or aborts it (EndTxn). Kafka's transaction protocol v1 (KIP-98), which every
// broker since 0.11 speaks; the same calls as @platformatic/kafka's own Producer, without its per-record path.
//
// Retries: a coordinator that moved or is loading, and CONCURRENT_TRANSACTIONS (the previous transaction's markers
// are still being written, or a fenced instance's transaction is being aborted) are retried with a short backoff.
// PRODUCER_FENCED / INVALID_PRODUCER_EPOCH are final: another instance owns the id, and this one must stop
// without writing anything more.
import {
  addPartitionsToTxnV3,
  endTxnV3,
  findCoordinatorV4,
  initProducerIdV4,
  type Connection,
} from './platformatic.js';
import { KafkaError, type TopicPartition } from '../port/kafka-port.js';
import { positionKey } from '../port/assigned-partitions.js';

/** How the coordinator client reaches brokers (the wire adapter's connection pool). */
export interface CoordinatorConnections {
  /** Any broker (to ask where the coordinator is). */
  any(): Promise<Connection>;
  /** A broker by address. */
  at(host: string, port: number): Promise<Connection>;
}

export interface TransactionCoordinatorOptions {
  transactionalId: string;
  /** The broker aborts a transaction left open this long (a crashed task's). Default 60 s. */
  transactionTimeoutMs?: number;
  /** How long retriable errors are retried before the call fails. Default 60 s (covers a broker restart). */
  retryForMs?: number;
}

const TRANSACTION_KEY_TYPE = 1;

const CODES: Record<number, string> = {
  7: 'REQUEST_TIMED_OUT',
  14: 'COORDINATOR_LOAD_IN_PROGRESS',
  15: 'COORDINATOR_NOT_AVAILABLE',
  16: 'NOT_COORDINATOR',
  47: 'INVALID_PRODUCER_EPOCH',
  48: 'INVALID_TXN_STATE',
  49: 'INVALID_PRODUCER_ID_MAPPING',
  50: 'INVALID_TRANSACTION_TIMEOUT',
  51: 'CONCURRENT_TRANSACTIONS',
  53: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  55: 'OPERATION_NOT_ATTEMPTED',
  90: 'PRODUCER_FENCED',
};
const codeName = (code: number): string => CODES[code] ?? `KAFKA_ERROR_${code}`;

/** Errors after which the coordinator must be looked up again. */
const MOVED = new Set([15, 16]);
/** Errors worth the same request again after a pause. */
const WAIT = new Set([7, 14, 51]);
/** Another instance took the transactional id: final. */
const FENCED = new Set([47, 90]);

/** The error a fenced producer gets: another instance with the same transactional.id took over. */
export class ProducerFencedError extends KafkaError {
  constructor(transactionalId: string, code: number) {
    super(
      `transactional.id ${transactionalId} was taken over by another instance (${codeName(code)}); this one stops`,
      'PRODUCER_FENCED',
      false,
    );
    this.name = 'ProducerFencedError';
  }
}

/** A protocol answer whose error codes we read ourselves: the library throws on any non-zero code. */
async function answer<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    const response = (err as { response?: T }).response;
    if (response) return response;
    throw err;
  }
}

class Retry extends Error {
  constructor(
    readonly code: number | undefined,
    readonly moved: boolean,
    message: string,
  ) {
    super(message);
  }
}

export class TransactionCoordinator {
  producerId = -1n;
  producerEpoch = -1;
  private connection: Connection | undefined;
  /** Partitions already part of the open transaction (topic\0partition). */
  private readonly added = new Set<string>();
  /** AddPartitionsToTxn calls are serialised: the coordinator wants one at a time per transactional id. */
  private adding: Promise<unknown> = Promise.resolve();
  private fenced: ProducerFencedError | undefined;
  readonly transactionalId: string;
  private readonly timeoutMs: number;
  private readonly retryForMs: number;

  constructor(
    private readonly connections: CoordinatorConnections,
    options: TransactionCoordinatorOptions,
  ) {
    this.transactionalId = options.transactionalId;
    this.timeoutMs = options.transactionTimeoutMs ?? 60_000;
    this.retryForMs = options.retryForMs ?? 60_000;
  }

  /**
   * InitProducerId for the transactional id: fences every earlier instance (their open transaction is aborted
   * before this returns) and starts this one's epoch.
   */
  async init(): Promise<{ producerId: bigint; producerEpoch: number }> {
    const r = await this.call('InitProducerId', (c) =>
      answer(initProducerIdV4.api.async(c, this.transactionalId, this.timeoutMs)),
    );
    this.producerId = r.producerId;
    this.producerEpoch = r.producerEpoch;
    this.added.clear();
    this.fenced = undefined;
    return { producerId: r.producerId, producerEpoch: r.producerEpoch };
  }

  /** Makes `partitions` part of the open transaction (only the ones not added yet are sent). */
  addPartitions(partitions: TopicPartition[]): Promise<void> {
    const run = this.adding.then(() => this.addNew(partitions));
    this.adding = run.catch(() => {});
    return run;
  }

  private async addNew(partitions: TopicPartition[]): Promise<void> {
    if (this.fenced) throw this.fenced;
    const byTopic = new Map<string, Set<number>>();
    for (const { topic, partition } of partitions) {
      if (this.added.has(positionKey(topic, partition))) continue;
      let set = byTopic.get(topic);
      if (!set) byTopic.set(topic, (set = new Set()));
      set.add(partition);
    }
    if (byTopic.size === 0) return;
    const topics = [...byTopic].map(([name, set]) => ({ name, partitions: [...set] }));
    await this.call('AddPartitionsToTxn', async (c) => {
      const r = await answer(
        addPartitionsToTxnV3.api.async(c, [
          {
            transactionalId: this.transactionalId,
            producerId: this.producerId,
            producerEpoch: this.producerEpoch,
            verifyOnly: false,
            topics,
          },
        ]),
      );
      // One error code decides: OPERATION_NOT_ATTEMPTED only marks partitions skipped because of another's error.
      const codes = r.resultsByTransaction.flatMap((t) =>
        t.topicResults.flatMap((x) => x.resultsByPartition.map((p) => p.partitionErrorCode)),
      );
      return { errorCode: codes.find((c) => c !== 0 && c !== 55) ?? 0 };
    });
    for (const t of topics) for (const p of t.partitions) this.added.add(positionKey(t.name, p));
  }

  /** Ends the open transaction: commit makes its records (and offsets) visible to read_committed readers at once. */
  async end(commit: boolean): Promise<void> {
    await this.adding;
    if (this.fenced) throw this.fenced;
    if (this.added.size === 0) return; // nothing was produced: there is no transaction to end
    await this.call(commit ? 'EndTxn(commit)' : 'EndTxn(abort)', (c) =>
      answer(endTxnV3.api.async(c, this.transactionalId, this.producerId, this.producerEpoch, commit)),
    );
    this.added.clear();
  }

  /** Runs one coordinator request, retrying what is retriable until `retryForMs` has passed. */
  private async call<T extends { errorCode: number }>(
    what: string,
    request: (c: Connection) => Promise<T>,
  ): Promise<T> {
    const deadline = Date.now() + this.retryForMs;
    let backoff = 10;
    for (;;) {
      try {
        const connection = await this.coordinator();
        let r: T;
        try {
          r = await request(connection);
        } catch (err) {
          // A dropped connection or a timeout: the coordinator may have moved (broker restart).
          throw new Retry(undefined, true, (err as Error).message);
        }
        if (r.errorCode === 0) return r;
        if (FENCED.has(r.errorCode)) throw (this.fenced = new ProducerFencedError(this.transactionalId, r.errorCode));
        if (MOVED.has(r.errorCode) || WAIT.has(r.errorCode)) {
          throw new Retry(r.errorCode, MOVED.has(r.errorCode), codeName(r.errorCode));
        }
        throw new KafkaError(
          `${what} for transactional.id ${this.transactionalId} failed: ${codeName(r.errorCode)}`,
          codeName(r.errorCode),
        );
      } catch (err) {
        if (!(err instanceof Retry)) throw err;
        if (err.moved) this.connection = undefined;
        if (Date.now() + backoff > deadline) {
          throw new KafkaError(
            `${what} for transactional.id ${this.transactionalId} failed after retrying: ${err.message}`,
            err.code !== undefined ? codeName(err.code) : undefined,
            true,
          );
        }
        await new Promise((r) => setTimeout(r, backoff));
        // CONCURRENT_TRANSACTIONS clears in milliseconds (markers being written); a moved coordinator takes longer.
        backoff = Math.min(backoff * 2, err.code === 51 ? 100 : 1_000);
      }
    }
  }

  private async coordinator(): Promise<Connection> {
    if (this.connection) return this.connection;
    let any: Connection;
    try {
      any = await this.connections.any();
    } catch (err) {
      throw new Retry(undefined, true, (err as Error).message);
    }
    let r;
    try {
      r = await answer(findCoordinatorV4.api.async(any, TRANSACTION_KEY_TYPE, [this.transactionalId]));
    } catch (err) {
      throw new Retry(undefined, true, (err as Error).message);
    }
    const found = r.coordinators[0];
    if (!found || found.errorCode !== 0) {
      const code = found?.errorCode ?? 15;
      if (MOVED.has(code) || WAIT.has(code)) throw new Retry(code, true, codeName(code));
      throw new KafkaError(`FindCoordinator for ${this.transactionalId} failed: ${codeName(code)}`, codeName(code));
    }
    try {
      this.connection = await this.connections.at(found.host, found.port);
    } catch (err) {
      throw new Retry(undefined, true, (err as Error).message);
    }
    return this.connection;
  }
}
