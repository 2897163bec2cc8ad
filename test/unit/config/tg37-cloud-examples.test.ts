// TigerGraph 3.7's S3 and Azure example configs (placeholders for keys, bucket and account) parse clean, with every
// key known and both secrets redacted. test/integration/file-cloud-process.test.ts loads them against the emulators.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue, parseConnectorConfig, redactSpec, type FileConnectorSpec } from '../../../shared/config/index.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/config/${name}`, import.meta.url), 'utf8');

describe('TigerGraph 3.7 cloud examples', () => {
  it('S3: two connectors, no issue, keys read, secrets redacted', () => {
    const parsed = parseConnectorConfig(fixture('tg37-s3.conf'), { fileName: 'tg37-s3.conf' });
    expect(parsed.issues.map((i) => formatIssue(i, 'tg37-s3.conf'))).toEqual([]);
    const specs = parsed.specs as FileConnectorSpec[];
    expect(specs.map((s) => [s.name, s.uris])).toEqual([
      ['s3-person-demo-104', ['s3a://example-bucket/persons.csv']],
      ['s3-friend-demo-104', ['s3a://example-bucket/friends/']],
    ]);
    expect(specs[0]!.s3).toMatchObject({ accessKey: 'AKIAXXXXXXXXXXXXXXXX', maxConnections: 16 });
    expect(JSON.stringify(redactSpec(specs[0]!))).not.toContain('R8bli/');
  });

  it('Azure: two connectors, no issue, the account key read and redacted', () => {
    const parsed = parseConnectorConfig(fixture('tg37-azure.conf'), { fileName: 'tg37-azure.conf' });
    expect(parsed.issues.map((i) => formatIssue(i, 'tg37-azure.conf'))).toEqual([]);
    const specs = parsed.specs as FileConnectorSpec[];
    expect(specs.map((s) => s.name)).toEqual(['azure-person-demo-104', 'azure-friend-demo-104']);
    expect(Object.keys(specs[0]!.azure?.accountKeys ?? {})).toEqual(['exampleaccount']);
    expect(JSON.stringify(redactSpec(specs[0]!))).not.toContain('XXXXXXXXXXXXXXXX==');
  });
});
