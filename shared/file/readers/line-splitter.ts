// Splits a byte stream into physical lines on `file.reader.text.eol`, tracking exact byte offsets and line numbers.
// Every record format is built on it: delimited lines, quoted records (several lines) and JSON lines.
//
// Why bytes and not a string decoder: offsets are checkpoints in the uncompressed file, so they must count BYTES;
// `Buffer.indexOf` on the eol is the fastest split there is, and each line is decoded once, on its own.
//
// What it guarantees:
//   - a line is reported with its first byte's offset and the offset just past its eol (EOF for a last line without
//     eol), both relative to the whole file (`startOffset` + bytes pushed);
//   - with eol `\n`, one trailing `\r` is dropped from the text (CRLF files), but offsets still count it;
//   - a UTF-8 BOM at file start is dropped from the first line's text;
//   - a line longer than `maxLineBytes` (without eol and `\r`) is never held whole: once the pending bytes pass the
//     limit only its first KiB is kept and the rest is skipped until the next eol (discard mode);
//   - when `startOffset > 0` the bytes up to and including the first eol are a partial line owned by the previous
//     byte range and are skipped; line numbers are then unknown (undefined);
//   - empty lines ARE reported (a quoted field may contain one); the record formats decide to skip them;
//   - nothing refers to a pushed chunk once `push` returns: the part of a line that continues in the next chunk is
//     copied, so a reader may reuse its buffers.

/** Receives the lines of one file, in order. */
export interface LineSink {
  /** A complete line: text without eol (and without the `\r` of CRLF), `start`/`end` as described above. */
  line(text: string, lineNo: number | undefined, start: number, end: number): void;
  /** A line longer than `maxLineBytes`: `head` is its first KiB, decoded; `bytes` its full length. */
  tooLong(head: string, bytes: number, lineNo: number | undefined, start: number, end: number): void;
  /** The input ended (after the last line). */
  end?(): void;
  /**
   * When present, complete lines come here as bytes `buf[s, e)` instead of decoded text to `line` (the fast path:
   * no string per line, and bytes reach Kafka unchanged). `buf` is only valid during the call.
   */
  bytes?(buf: Buffer, s: number, e: number, lineNo: number | undefined, start: number, end: number): void;
}

/** How much of a too-long line is kept, for a dead-letter record a human can recognise. */
export const TOO_LONG_HEAD_BYTES = 1024;

const BOM = [0xef, 0xbb, 0xbf];

export class LineSplitter {
  private readonly eol: Buffer;
  /** The eol as a byte value when it is one byte: `indexOf(number)` is a memchr, twice as fast as a Buffer needle. */
  private readonly eolByte: number | undefined;
  private readonly eolLen: number;
  private readonly stripCr: boolean;
  private readonly maxLineBytes: number;
  private readonly sink: LineSink;

  /** Absolute offset of the next byte to be pushed. */
  private offset: number;
  /** Absolute offset of the pending line's first byte. */
  private lineStart: number;
  /** Number of the next line to report; undefined when the file start was not seen. */
  private lineNo: number | undefined;
  /** The next line reported is the file's first: a BOM may lead it. */
  private atFileStart: boolean;

  /** Bytes of the pending (incomplete) line, when not discarding. */
  private parts: Buffer[] = [];
  /** Length of the pending line so far (also counted while discarding). */
  private pendingLen = 0;
  /** 'partial': the first line of a byte range; 'long': a line past maxLineBytes. */
  private discard: 'no' | 'partial' | 'long';
  private longHead: Buffer | undefined;
  /** Last eolLen-1 bytes of the pending line, to find an eol that straddles two chunks (multi-byte eol only). */
  private tail: Buffer = Buffer.alloc(0);

  constructor(options: { eol: string; maxLineBytes: number; startOffset: number }, sink: LineSink) {
    if (options.eol === '') throw new Error('file.reader.text.eol must not be empty');
    this.eol = Buffer.from(options.eol, 'utf8');
    this.eolLen = this.eol.length;
    this.eolByte = this.eolLen === 1 ? this.eol[0] : undefined;
    this.stripCr = options.eol === '\n';
    this.maxLineBytes = options.maxLineBytes;
    this.sink = sink;
    this.offset = options.startOffset;
    this.lineStart = options.startOffset;
    this.atFileStart = options.startOffset === 0;
    this.lineNo = options.startOffset === 0 ? 1 : undefined;
    this.discard = options.startOffset > 0 ? 'partial' : 'no';
  }

  push(chunk: Buffer): void {
    const chunkStart = this.offset;
    this.offset += chunk.length;
    const eol = this.eolByte ?? this.eol;
    const eolLen = this.eolLen;
    let from = 0;

    if (this.pendingLen > 0 || this.discard !== 'no') {
      // Complete the pending line: its eol may begin in the previous chunk when it is longer than one byte.
      let done = false;
      if (eolLen > 1 && this.tail.length > 0) {
        const joint = Buffer.concat([this.tail, chunk.subarray(0, eolLen - 1)]);
        const j = joint.indexOf(this.eol);
        if (j >= 0 && j < this.tail.length) {
          const cut = this.tail.length - j; // eol bytes already in the pending line
          from = eolLen - cut;
          this.finishPending(this.pendingLen - cut, chunkStart + from, undefined, 0);
          done = true;
        }
      }
      if (!done) {
        const i = chunk.indexOf(eol);
        if (i < 0) {
          this.appendPending(chunk, 0);
          return;
        }
        from = i + eolLen;
        this.finishPending(this.pendingLen + i, chunkStart + from, chunk, i);
      }
    }

    for (;;) {
      const i = chunk.indexOf(eol, from);
      if (i < 0) break;
      this.emit(chunk, from, i, chunkStart + from, chunkStart + i + eolLen);
      from = i + eolLen;
    }
    if (from < chunk.length) {
      this.lineStart = chunkStart + from;
      this.appendPending(chunk, from);
    }
  }

  /** The end of the input: a last line without eol is still a line. */
  end(): void {
    if (this.discard === 'partial') return;
    if (this.pendingLen > 0) this.finishPending(this.pendingLen, this.offset, undefined, 0);
  }

  private appendPending(chunk: Buffer, from: number): void {
    const piece = from === 0 ? chunk : chunk.subarray(from);
    this.pendingLen += piece.length;
    if (this.discard === 'no') {
      // A copy: the chunk's buffer may be refilled once the next chunk is asked for (transientChunks reads).
      this.parts.push(Buffer.from(piece));
      // +1: a CRLF line may carry one `\r` past the limit and still fit.
      if (this.pendingLen > this.maxLineBytes + 1) {
        const held = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
        this.longHead = Buffer.from(held.subarray(0, TOO_LONG_HEAD_BYTES));
        this.parts = [];
        this.discard = 'long';
      }
    } else if (this.discard === 'long' && this.longHead && this.longHead.length < TOO_LONG_HEAD_BYTES) {
      const more = piece.subarray(0, TOO_LONG_HEAD_BYTES - this.longHead.length);
      this.longHead = Buffer.concat([this.longHead, more]);
    }
    if (this.eolLen > 1) {
      const keep = this.eolLen - 1;
      const joined = this.tail.length > 0 ? Buffer.concat([this.tail, piece]) : piece;
      this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - keep)));
    }
  }

  /**
   * Ends the pending line at `lineLen` bytes (its text) and `end` (past its eol). `chunk[0, headLen)` holds the
   * line's bytes that arrived in the current chunk.
   */
  private finishPending(lineLen: number, end: number, chunk: Buffer | undefined, headLen: number): void {
    const mode = this.discard;
    const parts = this.parts;
    this.parts = [];
    this.pendingLen = 0;
    this.tail = Buffer.alloc(0);
    this.discard = 'no';
    if (mode === 'partial') {
      this.atFileStart = false;
      return;
    }
    if (mode === 'long') {
      const head = this.longHead ?? Buffer.alloc(0);
      this.longHead = undefined;
      this.reportTooLong(head, 0, head.length, lineLen, this.lineStart, end);
      return;
    }
    if (chunk && headLen > 0) parts.push(chunk.subarray(0, headLen));
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    // lineLen may be shorter than buf when an eol straddled chunks.
    this.emit(buf, 0, lineLen, this.lineStart, end);
  }

  private emit(buf: Buffer, s: number, e: number, start: number, end: number): void {
    const lineNo = this.lineNo;
    if (lineNo !== undefined) this.lineNo = lineNo + 1;
    if (this.stripCr && e > s && buf[e - 1] === 0x0d) e--;
    if (this.atFileStart) {
      this.atFileStart = false;
      if (e - s >= 3 && buf[s] === BOM[0] && buf[s + 1] === BOM[1] && buf[s + 2] === BOM[2]) s += 3;
    }
    if (e - s > this.maxLineBytes) {
      this.reportTooLong(buf, s, Math.min(e, s + TOO_LONG_HEAD_BYTES), e - s, start, end, lineNo);
      return;
    }
    if (this.sink.bytes) this.sink.bytes(buf, s, e, lineNo, start, end);
    else this.sink.line(buf.toString('utf8', s, e), lineNo, start, end);
  }

  private reportTooLong(
    buf: Buffer,
    s: number,
    e: number,
    bytes: number,
    start: number,
    end: number,
    lineNo: number | undefined = this.takeLineNo(),
  ): void {
    if (this.atFileStart) {
      this.atFileStart = false;
      if (e - s >= 3 && buf[s] === BOM[0] && buf[s + 1] === BOM[1] && buf[s + 2] === BOM[2]) s += 3;
    }
    this.sink.tooLong(buf.toString('utf8', s, e), bytes, lineNo, start, end);
  }

  private takeLineNo(): number | undefined {
    const lineNo = this.lineNo;
    if (lineNo !== undefined) this.lineNo = lineNo + 1;
    return lineNo;
  }
}
