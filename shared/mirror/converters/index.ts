// value.converter → a Converter.
import type { ValueConverterSpec } from '../../config/spec.js';
import { AvroEmbeddedConverter } from './avro-embedded-converter.js';
import { AvroRegistryConverter } from './avro-registry-converter.js';
import { ByteArrayConverter } from './byte-array-converter.js';
import type { Converter } from './converter.js';

import type { ConverterState } from './converter.js';

export { ConversionError, type Converter, type ConverterState } from './converter.js';

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

/**
 * A copy of the converter `spec` names for a conversion worker thread: the schemas the task's converter already
 * has (`state`), no registry fetch or schema file read of its own (what it cannot convert, the task converts).
 */
export async function converterCopy(spec: ValueConverterSpec, state: ConverterState): Promise<Converter> {
  if (spec.kind === 'avro-registry') {
    const c = new AvroRegistryConverter(spec);
    c.adopt(state);
    return c;
  }
  if (spec.kind === 'avro-embedded') return AvroEmbeddedConverter.create({ ...spec, schema: state.schema });
  return new ByteArrayConverter();
}
