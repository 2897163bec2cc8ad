// S3 and Azure Blob sources configured as TigerGraph 3.7+ documents them: classes, keys, errors naming key and line,
// secrets redacted.
import { describe, expect, it } from 'vitest';
import { parseConnectorConfig, redactSpec, type FileConnectorSpec } from '../../../shared/config/index.js';

const S3_CLASS = 'connector.class=com.tigergraph.kafka.connect.filesystem.aws.S3SourceConnector';
const AZ_CLASS = 'connector.class=com.tigergraph.kafka.connect.filesystem.azure.AzureBlobSourceConnector';
const parse = (...lines: string[]) => parseConnectorConfig(lines.join('\n'), { fileName: 'x.conf' });
const errors = (lines: string[]) =>
  parse(...lines)
    .issues.filter((i) => i.severity === 'error')
    .map((i) => [i.key, i.line, i.message]);
const warnings = (lines: string[]) =>
  parse(...lines)
    .issues.filter((i) => i.severity === 'warning')
    .map((i) => i.key);

describe('S3 source config', () => {
  const ok = [
    S3_CLASS,
    'topic=t',
    'file.uris=s3a://bucket/people/,s3://other/x.csv',
    'file.reader.settings.fs.s3a.access.key=AKIA123',
    'file.reader.settings.fs.s3a.secret.key=s3cr3t',
    'file.reader.settings.fs.s3a.aws.credentials.provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider',
    'file.reader.settings.fs.s3a.endpoint=http://127.0.0.1:9000',
    'file.reader.settings.fs.s3a.endpoint.region=eu-west-1',
    'file.reader.settings.fs.s3a.path.style.access=true',
    'file.reader.settings.fs.s3a.impl=org.apache.hadoop.fs.s3a.S3AFileSystem',
    'file.reader.settings.fs.AbstractFileSystem.s3a.impl=org.apache.hadoop.fs.s3a.S3A',
    'file.reader.settings.fs.s3a.threads.max=16',
    '[c]',
    'name=c',
  ];

  it('reads the keys into the spec, with no issue, and redacts both keys', () => {
    const p = parse(...ok);
    expect(p.issues).toEqual([]);
    const spec = p.specs[0] as FileConnectorSpec;
    expect(spec.s3).toEqual({
      accessKey: 'AKIA123',
      secretKey: 's3cr3t',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-west-1',
      pathStyle: true,
      maxConnections: 16,
    });
    const shown = JSON.stringify(redactSpec(spec));
    expect(shown).not.toContain('s3cr3t');
    expect(shown).not.toContain('AKIA123');
  });

  it('no keys and the instance profile provider: the default chain, no error', () => {
    const lines = [
      S3_CLASS,
      'topic=t',
      'file.uris=s3a://b/x',
      'file.reader.settings.fs.s3a.aws.credentials.provider=com.amazonaws.auth.InstanceProfileCredentialsProvider',
      '[c]',
      'name=c',
    ];
    expect(errors(lines)).toEqual([]);
    expect(warnings(lines)).toEqual([]);
  });

  it('a missing secret key names the key, the line and S3', () => {
    const e = errors([
      S3_CLASS,
      'topic=t',
      'file.uris=s3a://b/x',
      'file.reader.settings.fs.s3a.access.key=A',
      '[c]',
      'name=c',
    ]);
    expect(e).toHaveLength(1);
    expect(e[0]?.[0]).toBe('file.reader.settings.fs.s3a.secret.key');
    expect(e[0]?.[2]).toMatch(/S3/);
  });

  it('a malformed URI names file.uris and its line', () => {
    const e = errors([S3_CLASS, 'topic=t', 'file.uris=s3a:///nobucket', '[c]', 'name=c']);
    expect(e).toEqual([['file.uris', 3, expect.stringMatching(/names no S3 bucket/)]]);
  });
});

describe('Azure Blob source config', () => {
  const KEY = 'file.reader.settings.fs.azure.account.key.acct.dfs.core.windows.net';
  const ok = [
    AZ_CLASS,
    'topic=t',
    'file.uris=abfss://data@acct.dfs.core.windows.net/people/',
    `${KEY}=c2VjcmV0a2V5`,
    'file.reader.settings.fs.azure.abfs.endpoint=127.0.0.1:10000',
    'file.reader.settings.fs.azure.always.use.https=false',
    'file.reader.settings.fs.abfss.impl=org.apache.hadoop.fs.azurebfs.SecureAzureBlobFileSystem',
    '[c]',
    'name=c',
  ];

  it('reads the shared key and emulator endpoint, with no issue, and redacts the key', () => {
    const p = parse(...ok);
    expect(p.issues).toEqual([]);
    const spec = p.specs[0] as FileConnectorSpec;
    expect(spec.azure).toEqual({
      accountKeys: { acct: 'c2VjcmV0a2V5' },
      abfsEndpoint: '127.0.0.1:10000',
      useHttps: false,
    });
    expect(JSON.stringify(redactSpec(spec))).not.toContain('c2VjcmV0a2V5');
  });

  it('reads a service principal', () => {
    const p = parse(
      AZ_CLASS,
      'topic=t',
      'file.uris=abfs://data@acct.dfs.core.windows.net/x',
      'file.reader.settings.fs.azure.account.auth.type=OAuth',
      'file.reader.settings.fs.azure.account.oauth.provider.type=org.apache.hadoop.fs.azurebfs.oauth2.ClientCredsTokenProvider',
      'file.reader.settings.fs.azure.account.oauth2.client.id=cid',
      'file.reader.settings.fs.azure.account.oauth2.client.secret=csecret',
      'file.reader.settings.fs.azure.account.oauth2.client.endpoint=https://login.microsoftonline.com/tenant-1/oauth2/token',
      '[c]',
      'name=c',
    );
    expect(p.issues).toEqual([]);
    const spec = p.specs[0] as FileConnectorSpec;
    expect(spec.azure).toMatchObject({ clientId: 'cid', clientSecret: 'csecret', tenantId: 'tenant-1' });
    expect(JSON.stringify(redactSpec(spec))).not.toContain('csecret');
  });

  it('an account key for another account names the key and its line', () => {
    const e = errors([
      AZ_CLASS,
      'topic=t',
      'file.uris=abfss://data@acct.dfs.core.windows.net/p',
      'file.reader.settings.fs.azure.account.key.other.dfs.core.windows.net=k',
      '[c]',
      'name=c',
    ]);
    expect(e).toContainEqual([
      'file.reader.settings.fs.azure.account.key.other.dfs.core.windows.net',
      4,
      expect.stringMatching(/account other.*names account acct/),
    ]);
  });

  it("OAuth with Hadoop's MsiTokenProvider: the runtime's identity, no secret needed", () => {
    const p = parse(
      AZ_CLASS,
      'topic=t',
      'file.uris=abfss://c@acct.dfs.core.windows.net/p/',
      'file.reader.settings.fs.azure.account.auth.type=OAuth',
      'file.reader.settings.fs.azure.account.oauth.provider.type=org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider',
      '[c]',
      'name=c',
    );
    expect(p.issues).toEqual([]);
    expect((p.specs[0] as FileConnectorSpec).azure).toMatchObject({ runtimeIdentity: true });
  });

  it('no credential: an error naming Azure and the key to set', () => {
    const e = errors([AZ_CLASS, 'topic=t', 'file.uris=abfss://data@acct.dfs.core.windows.net/p', '[c]', 'name=c']);
    expect(e).toEqual([[KEY, 4, expect.stringMatching(/missing: an Azure storage account key for acct/)]]);
  });

  it('a malformed URI names file.uris', () => {
    const e = errors([AZ_CLASS, 'topic=t', 'file.uris=abfss://data/p', `${KEY}=k`, '[c]', 'name=c']);
    expect(e).toEqual([['file.uris', 3, expect.stringMatching(/not an Azure URI/)]]);
  });
});
