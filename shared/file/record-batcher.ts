// Encodes a file task's records into RecordBatch v2 as the reader hands them over (bytes in, bytes out): no object
// per record. Provenance headers are encoded once per file (dsc.source, dsc.generation) plus one number per record
// (dsc.line, or dsc.offset where the line is unknown), written as digits straight into the batch.
import type { EncodedBatch } from '../kafka/port/kafka-port.js';
import {
  encodeHeaderKey,
  encodeHeaders,
  RecordBatchBuilder,
  type EncodedHeaders,
} from '../kafka/batch/record-batch.js';

const LINE_KEY = encodeHeaderKey('dsc.line');
const OFFSET_KEY = encodeHeaderKey('dsc.offset');
/** The largest number header: up to 16 digits plus its length byte. */
const NUMBER_HEADER_MAX = 17;

/** Provenance of one record as plain header pairs (dead letters and tests). */
export function provenanceHeaders(
  source: string,
  generation: string | undefined,
  line: number | undefined,
  endOffset: number,
): Record<string, string> {
  const headers: Record<string, string> = { 'dsc.source': source };
  if (line !== undefined) headers['dsc.line'] = String(line);
  else headers['dsc.offset'] = String(endOffset);
  if (generation) headers['dsc.generation'] = generation;
  return headers;
}

export class RecordBatcher {
  private builder: RecordBatchBuilder;
  private finished: EncodedBatch[] = [];
  private fixed: EncodedHeaders = { bytes: Buffer.alloc(0), count: 0 };
  /** Records appended since the last `take()`. */
  records = 0;

  /**
   * @param maxBatchBytes each RecordBatch stays under it (the topic's max.message.bytes, less a margin)
   * @param headers whether records carry provenance headers (`file.reader.provenance.headers`)
   */
  constructor(
    private readonly maxBatchBytes: number,
    private readonly headers: boolean,
  ) {
    this.builder = new RecordBatchBuilder(Math.min(maxBatchBytes, 1 << 20));
  }

  /** The file (or archive entry) the next records come from. */
  startSource(source: string, generation: string | undefined): void {
    if (!this.headers) return;
    const pairs: [string, string][] = [['dsc.source', source]];
    if (generation) pairs.push(['dsc.generation', generation]);
    this.fixed = encodeHeaders(pairs);
  }

  /** Appends one record whose value is `buf[s, e)`. */
  append(buf: Buffer, s: number, e: number, line: number | undefined, endOffset: number): void {
    const b = this.builder;
    const headerBytes = this.headers ? this.fixed.bytes.length + LINE_KEY.length + NUMBER_HEADER_MAX : 0;
    const size = RecordBatchBuilder.recordSize(e - s, null, headerBytes, this.fixed.count + 1);
    if (b.recordCount > 0 && b.size + size > this.maxBatchBytes) this.finished.push(b.finish()!);
    if (!this.headers) b.append(buf, s, e);
    else if (line !== undefined) b.append(buf, s, e, this.fixed, LINE_KEY, line);
    else b.append(buf, s, e, this.fixed, OFFSET_KEY, endOffset);
    this.records++;
  }

  /** Batches Kafka acknowledged: their buffers are reused (see RecordBatchBuilder.recycle). */
  recycle(batches: EncodedBatch[]): void {
    for (const b of batches) this.builder.recycle(b);
  }

  /** The record batches of everything appended since the last call (in order); empty when nothing was. */
  take(): EncodedBatch[] {
    const last = this.builder.finish();
    const out = this.finished;
    if (last) out.push(last);
    this.finished = [];
    this.records = 0;
    return out;
  }
}
