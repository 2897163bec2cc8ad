// `dsc run` as a process on s3a:// and abfss://: TigerGraph 3.7's example configs (keys, bucket, account and the
// emulator's endpoint substituted) load every record, and a run SIGKILLed twice mid-load resumes to exactly once.
// The run's log never holds a secret.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, exited, startDscRun } from './dsc-child.js';
import { delivery, killMidLoadTwice } from './eos-helpers.js';
import { azureContainer, azureEnv, s3Bucket, s3Env } from './cloud-helpers.js';
import { consumeAll, csvLines, gzip, tempDir, unique, values } from './file-helpers.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/config/${name}`, import.meta.url), 'utf8').split('\n');

const PERSONS = 'name,age\nTom,40\nDan,31\nAnn,22\n';
const FRIENDS = { 'friends/f1.csv': 'a,b\nTom,Dan\n', 'friends/f2.csv.gz': gzip('a,b\nDan,Ann\nAnn,Tom\n') };

interface Example {
  conf: string;
  secret: string;
  topics: { person: string; friend: string };
}

/** The example's text with the emulator's keys, a fresh bucket/container and unique topics in place. */
async function s3Example(dir: string): Promise<Example> {
  const s = s3Env();
  const bucket = await s3Bucket({ 'persons.csv': PERSONS, ...FRIENDS });
  const topics = { person: unique('tg37-s3-person'), friend: unique('tg37-s3-friend') };
  const lines = fixture('tg37-s3.conf').map((l) =>
    l
      .replace('AKIAXXXXXXXXXXXXXXXX', s.accessKey)
      .replace('R8bli/XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', s.secretKey)
      .replace('example-bucket', bucket)
      .replace('person-demo-104', topics.person)
      .replace('friend-demo-104', topics.friend),
  );
  // The emulator's endpoint: what a private endpoint takes (TigerGraph's fs.s3a.* names).
  lines.splice(
    1,
    0,
    `file.reader.settings.fs.s3a.endpoint=${s.endpoint}`,
    `file.reader.settings.fs.s3a.endpoint.region=${s.region}`,
    'file.reader.settings.fs.s3a.path.style.access=true',
  );
  const conf = join(dir, 'tg37-s3.conf');
  writeFileSync(conf, lines.join('\n'));
  return { conf, secret: s.secretKey, topics };
}

async function azureExample(dir: string): Promise<Example> {
  const a = azureEnv();
  const container = await azureContainer({ 'persons.csv': PERSONS, ...FRIENDS });
  const topics = { person: unique('tg37-az-person'), friend: unique('tg37-az-friend') };
  const lines = fixture('tg37-azure.conf').map((l) =>
    l
      .replace(/"X+=="/, `"${a.key}"`)
      .replace('exampleaccount', a.account)
      .replace('example-container', container)
      .replace('person-demo-104', topics.person)
      .replace('friend-demo-104', topics.friend),
  );
  lines.splice(
    1,
    0,
    `file.reader.settings.fs.azure.abfs.endpoint=${a.hostPort}`,
    'file.reader.settings.fs.azure.always.use.https=false',
  );
  const conf = join(dir, 'tg37-azure.conf');
  writeFileSync(conf, lines.join('\n'));
  return { conf, secret: a.key, topics };
}

const EXAMPLES = { s3: s3Example, azure: azureExample };

// Compiled once for both clouds, without blocking the worker.
beforeAll(() => buildCli(), 300_000);

describe.each(['s3', 'azure'] as const)('dsc run on %s', (which) => {
  it("TigerGraph 3.7's example config loads both connectors: every record, the header skipped", async () => {
    const dir = tempDir();
    const example = await EXAMPLES[which](dir);
    const state = join(dir, 'state');
    expect(await exited(startDscRun(state, example.conf, true), 120_000)).toBe(0);
    expect(values(await consumeAll(example.topics.person))).toEqual(['Tom,40', 'Dan,31', 'Ann,22']);
    expect(values(await consumeAll(example.topics.friend)).sort()).toEqual(['Ann,Tom', 'Dan,Ann', 'Tom,Dan']);
    expect(readFileSync(join(state, 'run.log'), 'utf8')).not.toContain(example.secret);
  });

  it('SIGKILLed twice mid-load, then run to the end: every line exactly once', async () => {
    const dir = tempDir();
    const topic = unique(`eos-proc-${which}`);
    const lines = csvLines(100_000, `proc-${which}`, 40);
    const body = lines.join('\n') + '\n';
    let uri: string;
    let keys: string[];
    let secret: string;
    if (which === 's3') {
      const s = s3Env();
      uri = `s3a://${await s3Bucket({ 'big.csv': body })}/big.csv`;
      secret = s.secretKey;
      keys = [
        'connector.class=com.tigergraph.kafka.connect.filesystem.aws.S3SourceConnector',
        `file.reader.settings.fs.s3a.access.key=${s.accessKey}`,
        `file.reader.settings.fs.s3a.secret.key=${s.secretKey}`,
        `file.reader.settings.fs.s3a.endpoint=${s.endpoint}`,
        'file.reader.settings.fs.s3a.path.style.access=true',
      ];
    } else {
      const a = azureEnv();
      uri = `abfss://${await azureContainer({ 'big.csv': body })}@${a.account}.dfs.core.windows.net/big.csv`;
      secret = a.key;
      keys = [
        'connector.class=com.tigergraph.kafka.connect.filesystem.azure.AzureBlobSourceConnector',
        `file.reader.settings.fs.azure.account.key.${a.account}.dfs.core.windows.net=${a.key}`,
        `file.reader.settings.fs.azure.abfs.endpoint=${a.hostPort}`,
        'file.reader.settings.fs.azure.always.use.https=false',
      ];
    }
    const conf = join(dir, 'load.conf');
    writeFileSync(
      conf,
      [
        ...keys,
        'mode=eof',
        `topic=${topic}`,
        `file.uris=${uri}`,
        'file.reader.batch.size=20',
        'transaction.boundary.interval.ms=100',
        `[${topic}]`,
        `name=${topic}`,
        '',
      ].join('\n'),
    );
    const state = join(dir, 'state');
    await killMidLoadTwice(state, conf, topic, lines.length);
    expect(await exited(startDscRun(state, conf, false), 180_000)).toBe(0);
    expect(await delivery(topic, lines)).toEqual({ lost: 0, duplicated: 0 });
    expect(readFileSync(join(state, 'run.log'), 'utf8')).not.toContain(secret);
  });
});

describe('dsc run on s3 without keys in the config', () => {
  it("the AWS SDK's default chain: the keys from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)", async () => {
    const s = s3Env();
    const dir = tempDir();
    const topic = unique('s3-chain');
    const bucket = await s3Bucket({ 'in/a.csv': 'a1\na2\n' });
    const conf = join(dir, 'chain.conf');
    writeFileSync(
      conf,
      [
        'connector.class=com.tigergraph.kafka.connect.filesystem.aws.S3SourceConnector',
        'file.reader.settings.fs.s3a.aws.credentials.provider=com.amazonaws.auth.InstanceProfileCredentialsProvider',
        `file.reader.settings.fs.s3a.endpoint=${s.endpoint}`,
        'file.reader.settings.fs.s3a.path.style.access=true',
        'mode=eof',
        `topic=${topic}`,
        `file.uris=s3a://${bucket}/in/`,
        `[${topic}]`,
        `name=${topic}`,
        '',
      ].join('\n'),
    );
    const state = join(dir, 'state');
    const run = startDscRun(state, conf, true, {
      AWS_ACCESS_KEY_ID: s.accessKey,
      AWS_SECRET_ACCESS_KEY: s.secretKey,
      AWS_REGION: s.region,
    });
    expect(await exited(run, 120_000)).toBe(0);
    expect(values(await consumeAll(topic))).toEqual(['a1', 'a2']);
    expect(readFileSync(join(state, 'run.log'), 'utf8')).not.toContain(s.secretKey);
  });
});
