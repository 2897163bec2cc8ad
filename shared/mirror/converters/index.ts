// value.converter → a Converter.
import type { ValueConverterSpec } from '../../config/spec.js';
import { AvroEmbeddedConverter } from './avro-embedded-converter.js';
import { AvroRegistryConverter } from './avro-registry-converter.js';
import { ByteArrayConverter } from './byte-array-converter.js';
import type { Converter } from './converter.js';

export { ConversionError, type Converter } from './converter.js';

export async function createConverter(spec: ValueConverterSpec | undefined): Promise<Converter> {
  switch (spec?.kind ?? 'bytearray') {
    case 'avro-registry':
      return new AvroRegistryConverter(spec!);
    case 'avro-embedded':
      return AvroEmbeddedConverter.create(spec!);
    default:
      // bytearray, and the string/json converters: the bytes of a string or a JSON document pass unchanged.
      return new ByteArrayConverter();
  }
}
