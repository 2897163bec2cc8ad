// The converting path (value.converter is not ByteArrayConverter): the records of a fetched batch are decoded, each
// value goes through the converter, and the results are encoded into a new batch with key, headers and timestamp
// kept. A value that cannot be converted follows errors.tolerance: `none` stops at it (the records before it are
// still sent), `all` skips it and, with a dead-letter topic, sends its original bytes there with the error context.
// A converter failure that is not the record's fault (registry unreachable) is retried; a fatal one fails the task.
import type { MirrorConnectorSpec } from '../config/spec.js';
import { deadLetterMessage } from '../kafka/delivery/dead-letter.js';
import { encodeBatch, type OutgoingRecord } from '../kafka/batch/forwarded-batch.js';
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

export async function convertBatch(
  ctx: ConversionContext,
  topic: string,
  partition: number,
  batch: SourceBatch,
  position: bigint,
): Promise<ConvertedBatch> {
  const { spec } = ctx;
  const out: OutgoingRecord[] = [];
  const result: ConvertedBatch = { records: 0, bytesOut: 0, dead: [], errors: 0 };
  for (const r of recordsFrom(batch, position)) {
    let values: (Buffer | null)[];
    try {
      values = await ctx.convert(r.value);
    } catch (err) {
      if (!(err instanceof ConversionError)) throw err;
      if (spec.errors.tolerance === 'none') {
        result.failure = { offset: r.offset, reason: err.message };
        break;
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
      continue;
    }
    for (const value of values) {
      result.bytesOut += value?.length ?? 0;
      out.push({ timestamp: r.timestamp, key: r.key, value, headers: r.headers });
    }
  }
  result.records = out.length;
  if (out.length > 0) result.bytes = encodeBatch(out);
  return result;
}

/** The dead letters of one request as one batch for the dead-letter topic's partition 0. */
export const deadLetterBatch = (dead: OutgoingRecord[]): Buffer | undefined =>
  dead.length > 0 ? encodeBatch(dead) : undefined;
