// Decides which records of a file a reader emits: the header, and the byte range a task owns.
// A record belongs to the range holding its FIRST byte; so the ranges [0,a) [a,b) [b,∞) of one file together emit
// every record exactly once, in order.
import type { ReadResult } from '../record.js';

export interface GateOptions {
  /** Skip the first record of the file (only seen when the input starts at the file start). */
  skipHeader: boolean;
  /** Where the input starts in the file. */
  startOffset: number;
  /** Emit only records whose first byte is >= rangeStart. */
  rangeStart: number;
  /** Emit only records whose first byte is < rangeEnd. */
  rangeEnd: number;
}

export class RecordGate {
  /** A record at or past rangeEnd was seen: nothing more will pass, the reader can stop. */
  done = false;
  /** Results that passed, waiting to be handed to the consumer. */
  out: ReadResult[] = [];
  private headerPending: boolean;

  constructor(private readonly options: GateOptions) {
    this.headerPending = options.skipHeader && options.startOffset === 0;
  }

  /** Whether the record starting at byte `start` is emitted; call once per record, in file order. */
  pass(start: number): boolean {
    if (this.done) return false;
    if (start >= this.options.rangeEnd) {
      this.done = true;
      return false;
    }
    if (this.headerPending) {
      this.headerPending = false;
      return false;
    }
    return start >= this.options.rangeStart;
  }

  take(): ReadResult[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}
