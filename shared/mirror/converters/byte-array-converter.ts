// org.apache.kafka.connect.converters.ByteArrayConverter: bytes pass unchanged.
import type { Converter } from './converter.js';

export class ByteArrayConverter implements Converter {
  async convert(value: Buffer | null): Promise<(Buffer | null)[]> {
    return [value];
  }
}
