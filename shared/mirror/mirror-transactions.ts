// Exactly once for a mirror task: the positions acknowledged in the open transaction go to the offsets topic in the
// same transaction as the records they cover, and the transaction commits every transaction.boundary.interval.ms;
// then the store gets a copy (status, and a fallback for an older version).
import type { KafkaProducer } from '../kafka/port/kafka-port.js';
import type { MirrorPositions } from './mirror-positions.js';

export class MirrorTransactions {
  /** Positions acknowledged in the open transaction, per `topic:partition`, committed with it. */
  private uncommitted = new Map<string, bigint>();
  private openedAt: number | undefined;

  constructor(
    private readonly positions: MirrorPositions,
    private readonly connector: string,
    private readonly intervalMs: number,
  ) {}

  /** A new session: its producer's connect aborted whatever the last one left open. */
  reset(): void {
    this.uncommitted.clear();
    this.openedAt = undefined;
  }

  /** A request with records went into the open transaction. */
  opened(): void {
    this.openedAt ??= Date.now();
  }

  /** A request was acknowledged: its positions wait for the commit (a position-only step opens none but moves on). */
  acknowledged(ends: Map<string, bigint>): void {
    for (const [key, end] of ends) this.uncommitted.set(key, end);
    this.openedAt ??= Date.now();
  }

  get due(): boolean {
    return this.openedAt !== undefined && Date.now() - this.openedAt >= this.intervalMs;
  }

  /** Writes the positions to the offsets topic, commits the transaction and copies the positions to the store. */
  async commit(producer: KafkaProducer): Promise<void> {
    if (this.openedAt === undefined && this.uncommitted.size === 0) return;
    if (this.uncommitted.size > 0) await producer.send([this.positions.offsetRecords(this.uncommitted)]);
    await producer.commitTransaction();
    const committed = this.uncommitted;
    this.uncommitted = new Map();
    this.openedAt = undefined;
    if (committed.size > 0 && !(await this.positions.save(committed))) {
      throw new Error(`connector ${this.connector} no longer exists`);
    }
  }
}
