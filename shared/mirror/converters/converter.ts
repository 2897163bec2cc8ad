// The Converter port (Kafka Connect's `value.converter`): one source value → the target values it becomes.
// Keys and headers always pass as bytes (ByteArrayConverter), as the seed requires.

export interface Converter {
  /**
   * One source record value → zero or more target values (an Avro container file yields one per record).
   * A null value (a tombstone) stays null. Throws ConversionError for a value that cannot be converted.
   */
  convert(value: Buffer | null): Promise<(Buffer | null)[]>;
}

/** Why a value could not be converted; the task adds topic/partition/offset. */
export class ConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConversionError';
  }
}
