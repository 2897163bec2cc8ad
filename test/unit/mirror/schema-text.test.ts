import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSchemaText } from '../../../shared/mirror/converters/avro-embedded-converter.js';

describe('value.converter.schema sources', () => {
  const schema = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}';
  const dir = mkdtempSync(join(tmpdir(), 'dsc-schema-'));
  const file = join(dir, 'r.avsc');
  writeFileSync(file, schema);

  it('takes inline JSON as it is', async () => {
    expect(await loadSchemaText(`  ${schema}`)).toBe(schema);
  });
  it('reads a plain path and a file:// URI', async () => {
    expect(await loadSchemaText(file)).toBe(schema);
    expect(await loadSchemaText(pathToFileURL(file).href)).toBe(schema);
  });
  it('names the key and the path when the file is missing', async () => {
    await expect(loadSchemaText(join(dir, 'missing.avsc'))).rejects.toThrow(
      /value\.converter\.schema: cannot read .*missing\.avsc/,
    );
  });
});
