// The Converter port (Kafka Connect's `value.converter`): one source value → the target values it becomes.
// Keys and headers always pass as bytes (ByteArrayConverter), as the seed requires.
import type { JsonSink } from './avro-json-writer.js';

export interface Converter {
  /**
   * One source record value → zero or more target values (an Avro container file yields one per record).
   * A null value (a tombstone) stays null. Throws ConversionError for a value that cannot be converted.
   */
  convert(value: Buffer | null): Promise<(Buffer | null)[]>;

  /**
   * The fast path, synchronous: appends the one value that `value[start, end)` converts to onto `sink` and returns
   * true; returns false (nothing appended) when only `convert` can do it (a schema not fetched yet, a value that
   * becomes several). Throws ConversionError as `convert` does; the sink may then hold part of a value.
   */
  writeInto?(value: Buffer, start: number, end: number, sink: JsonSink): boolean;

  /** What a copy of this converter on a conversion worker thread starts from: the schemas known so far. */
  state?(): ConverterState;
}

/** Schemas as text, so a worker thread can compile its own writers (registry: by schema id). */
export interface ConverterState {
  registrySchemas?: [number, string][];
  schema?: string;
}

/** Why a value could not be converted; the task adds topic/partition/offset. */
export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}
