// Exactly once for a mirror task: the positions acknowledged in the open transaction go to the offsets topic in the
// same transaction as the records they cover, and the transaction commits every transaction.boundary.interval.ms;
// then the store gets a copy (status, and a fallback for an older version).
import type { BatchSender } from '../kafka/wire/idempotent-batch-sender.js';
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

  /** A new session: its sender's init aborted whatever the last one left open. */
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
  async commit(
    sender: BatchSender,
    offsets: { topic: string; partition: number },
    leaders: Map<string, number[]>,
  ): Promise<void> {
    if (this.openedAt === undefined && this.uncommitted.size === 0) return;
    if (this.uncommitted.size > 0) {
      const request = this.positions.offsetRecords(this.uncommitted);
      const node = leaders.get(offsets.topic)?.[offsets.partition] ?? -1;
      if (node < 0) throw new Error(`${offsets.topic}-${offsets.partition} has no leader on the target`);
      await sender.send(node, [{ topic: request.topic, partition: request.partition, bytes: request.batch.bytes }]);
    }
    if (!sender.commit) throw new Error('exactly once needs a transactional sender');
    await sender.commit();
    const committed = this.uncommitted;
    this.uncommitted = new Map();
    this.openedAt = undefined;
    if (committed.size > 0 && !(await this.positions.save(committed))) {
      throw new Error(`connector ${this.connector} no longer exists`);
    }
  }
}
