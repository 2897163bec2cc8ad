// Every secret of a config leaves the state database: `dsc create` stores references, the values live in the vault.
// The test greps the store's files (the database and its write-ahead log) for each secret value.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliHarness } from './cli-harness.js';

const cli = new CliHarness();
afterAll(() => cli.cleanUp());

const SECRETS = {
  sourceJaas: 'src-jaas-pw-1',
  targetJaas: 'dst-jaas-pw-2',
  keystore: 'keystore-pw-3',
  key: 'key-pw-4',
  truststore: 'truststore-pw-5',
  userInfo: 'user-info-pw-6',
  registryUrl: 'registry-url-pw-7',
};

const MIRROR = `connector.class=org.apache.kafka.connect.mirror.MirrorSourceConnector
source.cluster.alias=a
target.cluster.alias=b
source.cluster.bootstrap.servers=127.0.0.1:19092
target.cluster.bootstrap.servers=127.0.0.1:9092
source->target.enabled=true
topics=t
consumer.security.protocol=SASL_PLAINTEXT
consumer.sasl.mechanism=PLAIN
consumer.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="s" password="${SECRETS.sourceJaas}";
producer.security.protocol=SASL_SSL
producer.sasl.mechanism=PLAIN
producer.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="t" password="${SECRETS.targetJaas}";
producer.ssl.keystore.password=${SECRETS.keystore}
producer.ssl.key.password=${SECRETS.key}
producer.ssl.truststore.password=${SECRETS.truststore}
value.converter=com.tigergraph.kafka.connect.converters.TigerGraphAvroConverter
value.converter.schema.registry.url=http://reg-user:${SECRETS.registryUrl}@127.0.0.1:8081
value.converter.basic.auth.credentials.source=USER_INFO
value.converter.basic.auth.user.info=reg-user:${SECRETS.userInfo}
[m]
name=secret-mirror
`;

function storeText(stateDir: string): string {
  // state.db plus its -wal/-shm: a secret written to the log but not yet checkpointed counts too.
  return readdirSync(stateDir)
    .filter((f) => f.startsWith('state.db'))
    .map((f) => readFileSync(join(stateDir, f)).toString('latin1'))
    .join('\n');
}

describe('secrets at rest', () => {
  it('the state database holds no secret of a mirror config, the vault holds each one', async () => {
    writeFileSync(join(cli.dir, 'secret-mirror.conf'), MIRROR);
    const v = await cli.run('validate', '--c', 'secret-mirror.conf');
    expect(v.code, v.err).toBe(0);
    const created = await cli.run('create', '--c', 'secret-mirror.conf');
    expect(created.code).toBe(0);
    expect(existsSync(join(cli.stateDir, 'state.db'))).toBe(true);
    const store = storeText(cli.stateDir);
    expect(store).toContain('secret-mirror');
    const vault = readFileSync(join(cli.stateDir, 'secrets.json'), 'utf8');
    for (const [what, secret] of Object.entries(SECRETS)) {
      expect(store.includes(secret), `${what} in state.db`).toBe(false);
      expect(vault.includes(secret), `${what} in secrets.json`).toBe(true);
    }
    const shown = await cli.run('list', 'secret-mirror');
    for (const secret of Object.values(SECRETS)) expect(shown.out).not.toContain(secret);
  });
});
