// The converting path (value.converter is not ByteArrayConverter): the records of a fetched batch are decoded, each
// value goes through the converter, and the results are encoded into a new batch with key, headers and timestamp
// kept. A value that cannot be converted follows errors.tolerance: `none` stops at it (the records before it are
// still sent), `all` skips it and, with a dead-letter topic, sends its original bytes there with the error context.
// A converter failure that is not the record's fault (registry unreachable) is retried; a fatal one fails the task.
import type { MirrorConnectorSpec } from '../config/spec.js';
import { deadLetterMessage } from '../kafka/delivery/dead-letter.js';
import { ConvertedBatchBuilder, encodeBatch, type OutgoingRecord } from '../kafka/batch/forwarded-batch.js';
import { RecordCursor, type WireRecord } from '../kafka/batch/record-batch-reader.js';
import { JsonSink } from './converters/avro-json-writer.js';
import { ConversionError, type Converter } from './converters/index.js';
import { recordsFrom, type SourceBatch } from './committed-batches.js';

export interface ConvertedBatch {
  /** The converted records as one new batch; undefined when none remain. */
  bytes?: Buffer;
  records: number;
  bytesOut: number;
  dead: OutgoingRecord[];
  errors: number;
  /** errors.tolerance=all: why the last skipped record could not be converted, and where it is. */
  lastSkipped?: string;
  /** errors.tolerance=none: the first record that could not be converted. */
  failure?: { offset: bigint; reason: string };
  /** Hands `bytes`' memory back for a later batch: call once the target acknowledged it, and not touch it after. */
  release?: () => void;
}

/** A converter error that retrying cannot fix (credentials refused): the task fails with it. */
export function isFatal(err: unknown): boolean {
  const e = err as { fatal?: boolean; message?: string };
  return e?.fatal === true || /\bHTTP 40[13]\b/.test(e?.message ?? '');
}

export interface ConversionContext {
  spec: MirrorConnectorSpec;
  connector: string;
  taskId: number;
  converter: Converter;
  /** Runs the converter, retrying transient failures (the task shows them in status); throws fatal ones. */
  convert: (value: Buffer | null) => Promise<(Buffer | null)[]>;
}

/** How status names a record the converter refused, whatever errors.tolerance then did with it. */
export function conversionFailure(topic: string, partition: number, offset: bigint, reason: string, outcome: string) {
  return `cannot convert record ${topic}-${partition}@${offset}: ${reason} (errors.tolerance=${outcome})`;
}

const headerPairs = (headers: Record<string, string>): [Buffer, Buffer | null][] =>
  Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]);

/**
 * The fast path's sink: it points into the batch being built (ConvertedBatchBuilder.beginRecord) while one value is
 * written, with no await in between, so one is enough. The start buffer is never written.
 */
const sink = new JsonSink(0);

/** How much larger than its source a converted batch was at most: the next builder's size (growing copies it). */
let expansion = 2.2;
export const sizeFor = (sourceBytes: number) => Math.ceil(sourceBytes * expansion) + 1024;
const noteSize = (sourceBytes: number, built: Buffer | undefined) => {
  if (built && built.length > sourceBytes * expansion) expansion = Math.min(16, (built.length / sourceBytes) * 1.1);
};

export async function convertBatch(
  ctx: ConversionContext,
  topic: string,
  partition: number,
  batch: SourceBatch,
  position: bigint,
): Promise<ConvertedBatch> {
  if (ctx.converter.writeInto) return convertBatchFast(ctx, topic, partition, batch, position);
  const result: ConvertedBatch = { records: 0, bytesOut: 0, dead: [], errors: 0 };
  const out: OutgoingRecord[] = [];
  for (const r of recordsFrom(batch, position)) {
    const emit = (value: Buffer | null) => out.push({ timestamp: r.timestamp, key: r.key, value, headers: r.headers });
    if ((await convertRecord(ctx, topic, partition, r, result, emit)) === 'stop') break;
  }
  result.records = out.length;
  if (out.length > 0) result.bytes = encodeBatch(out);
  return result;
}

/**
 * The converter writes each value's JSON into the scratch sink and the record goes straight into the new batch with
 * the source's key, header bytes and timestamp: no object per record. A value the converter cannot take on this path
 * (schema not fetched yet, an Avro container file) goes through `convert`.
 */
async function convertBatchFast(
  ctx: ConversionContext,
  topic: string,
  partition: number,
  batch: SourceBatch,
  position: bigint,
): Promise<ConvertedBatch> {
  const converter = ctx.converter;
  const result: ConvertedBatch = { records: 0, bytesOut: 0, dead: [], errors: 0 };
  const cursor = new RecordCursor(batch.bytes, batch.header);
  const body = cursor.body;
  const size = sizeFor(body.length);
  const builder = new ConvertedBatchBuilder(size, sendBuffers.take(size));
  // Records before the position (a batch straddling it) are skipped by offset delta.
  const skipBelow = batch.header.baseOffset >= position ? -1 : Number(position - batch.header.baseOffset);
  const o = sink;
  while (cursor.next()) {
    if (cursor.offsetDelta < skipBelow) continue;
    const { timestamp, keyStart, keyEnd, valueStart, valueEnd, headersStart, headersEnd } = cursor;
    if (valueStart < 0) {
      // A tombstone stays a tombstone.
      builder.append(timestamp, body, keyStart, keyEnd, null, 0, 0, headersStart, headersEnd);
      continue;
    }
    builder.beginRecord(o, timestamp, body, keyStart, keyEnd);
    const from = o.pos;
    let written: boolean;
    try {
      written = converter.writeInto!(body, valueStart, valueEnd, o);
    } catch (err) {
      builder.abandonRecord(o);
      if (refused(ctx, topic, partition, cursor.record(), err, result) === 'stop') break;
      continue;
    }
    if (written) {
      result.bytesOut += o.pos - from;
      builder.endRecord(o, timestamp, body, headersStart, headersEnd);
      continue;
    }
    builder.abandonRecord(o);
    const r = cursor.record();
    const emit = (value: Buffer | null) =>
      builder.appendRecord({ timestamp: r.timestamp, key: r.key, value, headers: r.headers });
    if ((await convertRecord(ctx, topic, partition, r, result, emit)) === 'stop') break;
  }
  result.records = builder.recordCount;
  result.bytes = builder.finish();
  noteSize(body.length, result.bytes);
  const built = builder.buffer;
  result.release = () => sendBuffers.give(built);
  return result;
}

/**
 * Buffers of converted batches, given back once the target acknowledged them: a task converting on its own thread
 * builds every batch in one of these instead of a new half-megabyte buffer per batch (external memory that the GC
 * otherwise collects with full mark-compacts). A few are enough: MAX_IN_FLIGHT requests of a fetch's batches.
 */
export class BufferRecycler {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep = 32) {}

  /** A free buffer of at least `size` bytes, or undefined: the builder allocates. */
  take(size: number): Buffer | undefined {
    return takeFitting(this.free, size);
  }

  give(buf: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buf);
  }
}

/** Removes and returns a buffer of `free` holding at least `size` bytes (newest first), or undefined. */
export function takeFitting<B extends { byteLength: number }>(free: B[], size: number): B | undefined {
  for (let i = free.length - 1; i >= 0; i--) {
    if (free[i].byteLength < size) continue;
    const buf = free[i];
    free[i] = free[free.length - 1];
    free.pop();
    return buf;
  }
  return undefined;
}

const sendBuffers = new BufferRecycler();

/** Buffers of a size to be reused by batches of about that size: the next power of two, at least 64 KiB. */
export const bufferSize = (n: number): number => 2 ** Math.max(16, Math.ceil(Math.log2(Math.max(1, n))));

/** A batch the fast path converted whole (a conversion worker's answer). */
export interface FastConvertedBatch {
  bytes?: Buffer;
  records: number;
  bytesOut: number;
  /** As ConvertedBatch's. */
  release?: () => void;
}

/**
 * The fast path alone, synchronous (what a conversion worker thread runs): the converted batch, built in `into` when
 * that is big enough (`buffer`: what it was built in), or undefined as soon as one record needs more (the general
 * path, errors.tolerance, a dead letter): the task then converts the batch itself with convertBatch, so refusals,
 * retries and dead letters are decided in one place.
 */
export function convertBatchSync(
  converter: Converter,
  batch: SourceBatch,
  position: bigint,
  into?: Buffer,
): (FastConvertedBatch & { buffer: Buffer }) | undefined {
  const cursor = new RecordCursor(batch.bytes, batch.header);
  const body = cursor.body;
  const builder = new ConvertedBatchBuilder(sizeFor(body.length), into);
  const skipBelow = batch.header.baseOffset >= position ? -1 : Number(position - batch.header.baseOffset);
  const o = sink;
  let bytesOut = 0;
  while (cursor.next()) {
    if (cursor.offsetDelta < skipBelow) continue;
    const { timestamp, keyStart, keyEnd, valueStart, valueEnd, headersStart, headersEnd } = cursor;
    if (valueStart < 0) {
      builder.append(timestamp, body, keyStart, keyEnd, null, 0, 0, headersStart, headersEnd);
      continue;
    }
    builder.beginRecord(o, timestamp, body, keyStart, keyEnd);
    const from = o.pos;
    try {
      if (!converter.writeInto!(body, valueStart, valueEnd, o)) return undefined;
    } catch {
      return undefined;
    }
    bytesOut += o.pos - from;
    builder.endRecord(o, timestamp, body, headersStart, headersEnd);
  }
  const bytes = builder.finish();
  noteSize(body.length, bytes);
  return { bytes, records: builder.recordCount, bytesOut, buffer: builder.buffer };
}

/**
 * A value the converter refused, under errors.tolerance: `none` notes the failure and stops the batch there; `all`
 * counts it and, with a dead-letter topic, queues its original bytes with the error context. Other errors rethrow.
 */
/** One record through the general converter: each value it gives to `emit`; a refusal follows errors.tolerance. */
async function convertRecord(
  ctx: ConversionContext,
  topic: string,
  partition: number,
  r: WireRecord,
  result: ConvertedBatch,
  emit: (value: Buffer | null) => void,
): Promise<'stop' | 'next'> {
  let values: (Buffer | null)[];
  try {
    values = await ctx.convert(r.value);
  } catch (err) {
    return refused(ctx, topic, partition, r, err, result) === 'stop' ? 'stop' : 'next';
  }
  for (const value of values) {
    result.bytesOut += value?.length ?? 0;
    emit(value);
  }
  return 'next';
}

function refused(
  ctx: ConversionContext,
  topic: string,
  partition: number,
  r: WireRecord,
  err: unknown,
  result: ConvertedBatch,
): 'stop' | 'skip' {
  if (!(err instanceof ConversionError)) throw err;
  const { spec } = ctx;
  if (spec.errors.tolerance === 'none') {
    result.failure = { offset: r.offset, reason: err.message };
    return 'stop';
  }
  result.errors++;
  result.lastSkipped = conversionFailure(topic, partition, r.offset, err.message, 'all: skipped');
  if (spec.errors.deadLetterTopic) {
    const m = deadLetterMessage(
      r.value ?? Buffer.alloc(0),
      {
        topic,
        partition,
        offset: r.offset.toString(),
        connector: ctx.connector,
        taskId: ctx.taskId,
        stage: 'VALUE_CONVERTER',
        reason: err.message,
      },
      { contextHeaders: spec.errors.deadLetterContextHeaders },
    );
    result.dead.push({
      timestamp: r.timestamp,
      key: r.key,
      value: Buffer.isBuffer(m.value) ? m.value : Buffer.from(String(m.value ?? '')),
      headers: headerPairs((m.headers ?? {}) as Record<string, string>),
    });
  }
  return 'skip';
}

/** The dead letters of one request as one batch for the dead-letter topic's partition 0. */
export const deadLetterBatch = (dead: OutgoingRecord[]): Buffer | undefined =>
  dead.length > 0 ? encodeBatch(dead) : undefined;
