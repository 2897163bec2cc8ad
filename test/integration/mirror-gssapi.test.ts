// The seed's §3.1.4 mirror example on the real clusters: SASL_SSL + GSSAPI (MIT KDC, keytabs) for admin, consumer and
// producer, JKS key and trust stores; Avro without a registry → JSON, every record compared. Then what goes wrong in
// the field (wrong keytab, wrong principal, wrong JKS password, KDC unreachable, a ticket expiring mid-run): each is
// a clear error naming the key, and after the fix nothing is lost: a repaired file + resume, or a fixed config
// (delete + create). Two connectors with different principals run side by side in one worker, each as its own.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { formatIssue, parseConnectorConfig } from '../../shared/config/index.js';
import type { MirrorConnectorSpec } from '../../shared/config/spec.js';
import { createKafka } from '../../shared/kafka/kafkajs/kafkajs-create.js';
import { ticketCaches } from '../../shared/kafka/security/kerberos-login.js';
import { requireService } from '../services/env.js';
import {
  type Consumed,
  consume,
  createConnector,
  createTopic,
  mirrorWorkerForSuite,
  produce,
  sourceKafka,
  targetKafka,
  unique,
} from './mirror-helpers.js';
import { waitFor } from '../wait-for.js';

const env = (k: string) => requireService(k);
const dir = mkdtempSync(join(tmpdir(), 'dsc-gssapi-'));
const SCHEMA = {
  type: 'record',
  name: 'Person',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'name', type: 'string' },
  ],
};

/** A copy of a keytab under a path of the test's own, so that a test can break and repair it. */
function keytabCopy(name: string, from: string): string {
  const path = join(dir, name);
  copyFileSync(from, path);
  return path;
}

interface SeedOptions {
  topic?: string;
  name?: string;
  adminPrincipal?: string;
  adminKeytab?: string;
  truststore?: string;
  /** One principal and keytab for admin, consumer and producer. */
  everyone?: { principal: string; keytab: string };
}

/** The seed's §3.1.4 text, verbatim except hosts, paths, principals (and so realm) and passwords. */
function seedConfig(o: SeedOptions = {}): string {
  let text = readFileSync(new URL('../fixtures/config/seed-mirror.conf', import.meta.url), 'utf8');
  const swap = (from: string, to: string) => {
    if (!o.everyone) expect(text).toContain(from);
    text = text.split(from).join(to);
  };
  if (o.everyone) {
    for (const role of ['producer', 'consumer', 'admin']) {
      swap(`/path/to/kafka-${role}.keytab`, o.everyone.keytab);
      swap(`kafka-${role}@TIGERGRAPH.COM`, o.everyone.principal);
    }
  }
  swap('source.kafka.server:9092', env('SOURCE_KAFKA_GSSAPI_BROKERS'));
  swap('localhost:30002', env('KAFKA_GSSAPI_BROKERS'));
  swap('/path/to/kafka-producer.keytab', keytabCopy('kafka-producer.keytab', env('DSC_TEST_KEYTAB_2')));
  swap('/path/to/kafka-consumer.keytab', keytabCopy('kafka-consumer.keytab', env('DSC_TEST_KEYTAB')));
  swap('/path/to/kafka-admin.keytab', o.adminKeytab ?? keytabCopy('kafka-admin.keytab', env('DSC_TEST_KEYTAB')));
  swap('kafka-producer@TIGERGRAPH.COM', env('DSC_TEST_PRINCIPAL_2'));
  swap('kafka-consumer@TIGERGRAPH.COM', env('DSC_TEST_PRINCIPAL'));
  swap('kafka-admin@TIGERGRAPH.COM', o.adminPrincipal ?? env('DSC_TEST_PRINCIPAL'));
  swap('/path/to/client.keystore.jks', env('DSC_TEST_KEYSTORE_JKS'));
  swap('/path/to/client.truststore.jks', o.truststore ?? env('DSC_TEST_TRUSTSTORE_JKS'));
  swap('******', env('DSC_TEST_STORE_PASSWORD'));
  if (o.topic) swap('topics=avro-without-registry-topic', `topics=${o.topic}`);
  if (o.name) swap('name=avro-test-without-registry', `name=${o.name}`);
  return text;
}

/** Writes the config to a file and parses that file, as `dsc create --c` does. */
function specFromFile(text: string): MirrorConnectorSpec {
  const file = join(dir, `${unique('seed')}.conf`);
  writeFileSync(file, text);
  const parsed = parseConnectorConfig(readFileSync(file, 'utf8'), { fileName: file });
  expect(parsed.issues.map((i) => formatIssue(i))).toEqual([]);
  return parsed.specs[0] as MirrorConnectorSpec;
}

type Person = { id: number; name: string };
const type = avro.Type.forSchema(SCHEMA as never);

/** An Avro container file (schema embedded: no registry) holding `people`. */
async function containerFile(people: Person[]): Promise<Buffer> {
  const enc = new avro.streams.BlockEncoder(SCHEMA as never, { codec: 'null' });
  const chunks: Buffer[] = [];
  enc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => enc.on('end', r));
  for (const p of people) enc.write(p);
  enc.end();
  await done;
  expect(type.isValid(people[0])).toBe(true);
  return Buffer.concat(chunks);
}

/** `count` messages over 3 partitions; each holds 1–3 records. Returns what the target must hold, per partition. */
async function produceBatch(topic: string, tag: string, count: number): Promise<Map<number, string[]>> {
  const expected = new Map<number, string[]>([0, 1, 2].map((p) => [p, []]));
  const messages = [];
  for (let i = 0; i < count; i++) {
    const people = Array.from({ length: 1 + (i % 3) }, (_, j) => ({ id: i * 10 + j, name: `${tag}-${i}-${j} "é"` }));
    const partition = i % 3;
    messages.push({ key: `${tag}-${i}`, partition, value: await containerFile(people) });
    for (const p of people) expected.get(partition)!.push(`${tag}-${i}|${JSON.stringify(p)}`);
  }
  await produce(sourceKafka(), topic, messages);
  return expected;
}

const merge = (...maps: Map<number, string[]>[]) =>
  new Map([0, 1, 2].map((p) => [p, maps.flatMap((m) => m.get(p) ?? [])]));
const total = (m: Map<number, string[]>) => [...m.values()].reduce((a, v) => a + v.length, 0);

// Generous: on a fully loaded machine, Kerberos logins and the first fetches of a new connector took over a minute.
const TARGET_WITHIN = 180_000;

/**
 * Reads the target topic until every expected record arrived, then compares record by record, in order per
 * partition. The mirror delivers at least once: a record may come again after a rebalance (tasks joining the group),
 * so a repeat of an earlier record is allowed; a missing, reordered or unknown record is not.
 */
async function expectTarget(topic: string, expected: Map<number, string[]>): Promise<void> {
  const want = new Set([...expected.values()].flat());
  const seen = new Set<string>();
  const line = (r: Consumed) => `${r.key}|${r.value}`;
  const got = await consume(targetKafka(), topic, total(expected), TARGET_WITHIN, (r) => {
    seen.add(line(r));
    return [...want].every((w) => seen.has(w));
  });
  const byPartition = new Map<number, string[]>([0, 1, 2].map((p) => [p, []]));
  for (const r of got.sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))) {
    const records = byPartition.get(r.partition)!;
    if (!records.includes(line(r))) records.push(line(r));
  }
  expect(byPartition).toEqual(expected);
}

/** The folder of the process's ticket caches (one file per principal and keytab). */
const cacheFolder = (): string => {
  const folder = dirname(ticketCaches.cacheFile({ principal: '', keyTab: '', serviceName: '', key: '' }));
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return folder;
};

/** `klist -c`: a ticket cache's principal and the services it holds tickets for (krbtgt first). */
function cacheContents(cache: string): { principal: string; services: string[] } {
  const out = execFileSync('klist', ['-c', cache], { env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' });
  const principal = /^Default principal: (\S+)$/m.exec(out)?.[1] ?? '';
  const services = out
    .split('\n')
    .filter((l) => /^\d/.test(l))
    .map((l) => l.trim().split(/\s+/).pop()!);
  return { principal, services };
}

describe('mirror over SASL_SSL + GSSAPI with JKS stores (the seed §3.1.4 config)', () => {
  const worker = mirrorWorkerForSuite();

  const failedTask = (name: string) =>
    waitFor(async () => (await worker.store.listTasks(name)).find((t) => t.state === 'FAILED'), {
      what: `a FAILED task of ${name}`,
    });
  const resume = async (name: string) => {
    const record = await worker.store.getConnector(name);
    await worker.store.updateConnector(name, { desired: 'RUNNING', epoch: record!.epoch + 1 });
  };
  const clearError = (text: string | undefined) => {
    expect(text).toBeDefined();
    expect(text).not.toMatch(/\n\s+at /); // no stack trace
    expect(text).not.toContain(env('DSC_TEST_STORE_PASSWORD'));
    return text!;
  };

  // First in the file: the process's ticket-cache folder then holds only these two connectors' caches, so the
  // service tickets in each show which principal the brokers saw.
  it('two connectors with different principals, at the same time in one worker: each logs in as its own', async () => {
    expect(readdirSync(cacheFolder()).length, 'no GSSAPI login yet in this process').toBe(0);
    // The default cache a process may start with (a user's kinit): valid, for one of the two principals. No client may
    // use it: it must end as it began, with only its TGT.
    const processDefault = join(dir, 'process-default.ccache');
    const kinit = ['-k', '-t', env('DSC_TEST_KEYTAB'), '-c', `FILE:${processDefault}`, env('DSC_TEST_PRINCIPAL')];
    execFileSync('kinit', kinit, { env: process.env, stdio: 'pipe' });
    process.env.KRB5CCNAME = `FILE:${processDefault}`;
    const defaultBefore = readFileSync(processDefault);
    // Every GSSAPI authentication of a client asks the caches for its login first: which key, principal and keytab.
    const ensure = vi.spyOn(ticketCaches, 'ensure');
    onTestFinished(() => ensure.mockRestore());

    const connectors = [
      ['one', env('DSC_TEST_PRINCIPAL'), env('DSC_TEST_KEYTAB')],
      ['two', env('DSC_TEST_PRINCIPAL_2'), env('DSC_TEST_KEYTAB_2')],
    ].map(([tag, principal, keytab]) => {
      const login = { principal, keyTab: keytabCopy(`${unique(tag)}.keytab`, keytab), serviceName: 'kafka', key: '' };
      return { tag, login, topic: unique(`gssapi-${tag}`), name: unique(`m-gssapi-${tag}`) };
    });
    await Promise.all(connectors.map((c) => createTopic(sourceKafka(), c.topic, 3)));
    const before = await Promise.all(connectors.map((c) => produceBatch(c.topic, `${c.tag}-a`, 12)));
    const specs = connectors.map(({ topic, name, login }) =>
      specFromFile(seedConfig({ topic, name, everyone: { principal: login.principal, keytab: login.keyTab } })),
    );
    await Promise.all(specs.map((spec) => createConnector(worker.store, spec)));
    // Paused when the test ends, passed or failed: they do not run on into the next tests.
    onTestFinished(() =>
      Promise.all(connectors.map((c) => worker.store.updateConnector(c.name, { desired: 'PAUSED' }))).then(() => {}),
    );
    const after = await Promise.all(connectors.map((c) => produceBatch(c.topic, `${c.tag}-b`, 12)));
    // Every record of both, compared; a connector whose clients cannot log in fails its tasks: that ends the wait at
    // once, with its error.
    let settled = false;
    const failure = (c: (typeof connectors)[number]) =>
      waitFor(
        async () => settled || (await worker.store.listTasks(c.name)).find((t) => t.state === 'FAILED'),
        // past expectTarget's own deadline: a slow connector is reported by its records
        { timeoutMs: TARGET_WITHIN + 25_000, what: `${c.name} settled or FAILED` },
      ).then((t) => {
        if (t !== true) throw new Error(`${c.name} (${c.login.principal}) failed: ${t.lastError}`);
      });
    const moved = Promise.all(connectors.map((c, i) => expectTarget(`hello.${c.topic}`, merge(before[i], after[i]))));
    moved.catch(() => {}); // reported by the race below
    await Promise.race([moved, ...connectors.map(failure)]).finally(() => (settled = true));
    for (const c of connectors) {
      const tasks = await worker.store.listTasks(c.name);
      expect(tasks.length, c.name).toBeGreaterThan(0);
      expect(tasks.map((t) => t.state)).toEqual(tasks.map(() => 'RUNNING')); // both ran side by side
    }

    const realm = env('DSC_TEST_REALM');
    const tgt = `krbtgt/${realm}@${realm}`;
    // The process default cache: untouched, no service ticket was ever got with it.
    expect(cacheContents(`FILE:${processDefault}`)).toEqual({ principal: env('DSC_TEST_PRINCIPAL'), services: [tgt] });
    expect(readFileSync(processDefault).equals(defaultBefore)).toBe(true);

    // The process environment is as it began: each client's credentials came from its own cache, named only for
    // the moment they were acquired.
    expect(process.env.KRB5CCNAME).toBe(`FILE:${processDefault}`);
    // The process's cache folder: one cache per connector's principal, nothing else; each holds the brokers' service
    // ticket, got with that cache's TGT: the GSSAPI exchanges of that connector's clients ran as its principal.
    // (MIT caches the brokers' principal under its referral name, with an empty realm.)
    const host = env('SOURCE_KAFKA_GSSAPI_BROKERS').split(':')[0];
    expect(env('KAFKA_GSSAPI_BROKERS').split(':')[0]).toBe(host);
    const broker = expect.stringMatching(new RegExp(`^kafka/${host.replace(/\./g, '\\.')}@(${realm})?$`));
    const caches = connectors.map((c) => ticketCaches.cacheFile(c.login));
    expect(readdirSync(cacheFolder()).sort()).toEqual(caches.map((c) => basename(c)).sort());
    for (const [i, c] of connectors.entries()) {
      const { principal, services } = cacheContents(`FILE:${caches[i]}`);
      // Distinct: clients that ask for the service ticket at the same moment each store theirs (MIT appends; a
      // loaded machine makes that overlap likely), which is the same ticket for the same principal.
      expect({ principal, services: [...new Set(services)] }).toEqual({
        principal: c.login.principal,
        services: [tgt, broker],
      });
    }
    // Client by client: the admin, consumers and producers of each connector authenticated with its own login.
    const asked = new Set(ensure.mock.calls.map(([l]) => `${l.key} ${l.principal} ${l.keyTab}`));
    const roles = ['source.admin.', 'consumer.', 'producer.'];
    const own = connectors.flatMap((c) =>
      roles.map((r) => `${r}sasl.jaas.config ${c.login.principal} ${c.login.keyTab}`),
    );
    expect([...asked].sort()).toEqual(own.sort());
  }, 300_000);

  it('moves Avro without a registry from the source GSSAPI listener to the target GSSAPI listener as JSON', async () => {
    // The seed file as given names its connector and topic; run on its own topic and name (the Kafka clusters are
    // shared with other test runs, and the name keys the transactional ids and offsets).
    const seed = specFromFile(seedConfig());
    expect([seed.name, seed.source.security.saslMechanism, seed.target.security.sslKeystoreLocation]).toEqual([
      'avro-test-without-registry',
      'GSSAPI',
      env('DSC_TEST_KEYSTORE_JKS'),
    ]);
    expect(seed.topics).toEqual(['avro-without-registry-topic']);
    const topic = unique('avro-without-registry-topic');
    await createTopic(sourceKafka(), topic, 3);
    const spec = specFromFile(seedConfig({ topic, name: unique('avro-test-without-registry') }));
    const first = await produceBatch(topic, 'a', 60);
    await createConnector(worker.store, spec);
    const second = await produceBatch(topic, 'b', 60);
    await expectTarget(`hello.${topic}`, merge(first, second));

    // Two principals in one process (producer: DSC_TEST_PRINCIPAL_2; admin, consumer: DSC_TEST_PRINCIPAL), each in
    // its own cache of the process's folder; the process environment names none of them.
    const principals = readdirSync(cacheFolder()).map((f) => cacheContents(`FILE:${join(cacheFolder(), f)}`).principal);
    expect(principals).toContain(env('DSC_TEST_PRINCIPAL'));
    expect(principals).toContain(env('DSC_TEST_PRINCIPAL_2'));
    expect(process.env.KRB5CCNAME ?? '').not.toContain(cacheFolder());
    await worker.store.updateConnector(spec.name, { desired: 'PAUSED' });
  });

  /**
   * A connector on its own topic that fails to start; `fix` repairs the cause (a repaired file + resume, or a fixed
   * config: delete + create); every record produced before and during the failure then arrives.
   */
  async function failThenRecover(
    options: SeedOptions,
    expectedError: RegExp,
    fix: (name: string, topic: string) => Promise<void>,
  ): Promise<void> {
    const topic = unique('gssapi-neg');
    const name = unique('m-gssapi-neg');
    await createTopic(sourceKafka(), topic, 3);
    const before = await produceBatch(topic, 'x', 12);
    await createConnector(worker.store, specFromFile(seedConfig({ ...options, topic, name })));
    const failed = await failedTask(name);
    expect(clearError(failed.lastError)).toMatch(expectedError);
    const during = await produceBatch(topic, 'y', 12);
    await fix(name, topic);
    await expectTarget(`hello.${topic}`, merge(before, during));
  }

  /** A fixed config (delete + create): `dsc delete`, then `dsc create` of the same name with the repaired file (the
   *  worker need not see the delete first). Not a resume: the failed connector never ran, so the new one reads from the start. */
  const recreate = (options: SeedOptions) => async (name: string, topic: string) => {
    // No wait for the worker to see the delete: a re-created connector (a new createdAt) is a new instance to it.
    await worker.store.deleteConnector(name);
    await createConnector(worker.store, specFromFile(seedConfig({ ...options, topic, name })));
  };

  it('a wrong keytab: names source.admin.sasl.jaas.config and the cause; repaired keytab file + resume loses nothing', async () => {
    const keytab = keytabCopy(`${unique('admin')}.keytab`, env('DSC_TEST_KEYTAB_2')); // another principal's keys
    await failThenRecover(
      { adminKeytab: keytab },
      new RegExp(
        `^cannot start: source\\.admin\\.sasl\\.jaas\\.config: cannot log in as ${env('DSC_TEST_PRINCIPAL')} ` +
          `with keyTab ${keytab}: Keytab contains no suitable keys`,
      ),
      async (name) => {
        copyFileSync(env('DSC_TEST_KEYTAB'), keytab);
        await resume(name);
      },
    );
  });

  it('a missing keytab file is named with its path', async () => {
    const keytab = join(dir, 'no-such.keytab');
    const name = unique('m-gssapi-nokt');
    await createConnector(worker.store, specFromFile(seedConfig({ adminKeytab: keytab, name, topic: unique('t') })));
    expect(clearError((await failedTask(name)).lastError)).toBe(
      `cannot start: source.admin.sasl.jaas.config: cannot read keyTab ${keytab}: ENOENT`,
    );
  });

  it('a wrong principal: names the key, the principal and the cause; a fixed config (delete + create) loses nothing', async () => {
    await failThenRecover(
      { adminPrincipal: 'nobody@DSC.TEST' },
      /^cannot start: source\.admin\.sasl\.jaas\.config: cannot log in as nobody@DSC\.TEST .*no suitable keys for nobody@DSC\.TEST.*check principal=/,
      recreate({}),
    );
  });

  it('a wrong JKS password: names the password key, not the password; repaired store + resume loses nothing', async () => {
    const store = join(dir, `${unique('trust')}.jks`);
    copyFileSync(env('DSC_TEST_TRUSTSTORE_JKS'), store);
    const pw = env('DSC_TEST_STORE_PASSWORD');
    execFileSync('keytool', ['-storepasswd', '-keystore', store, '-storepass', pw, '-new', 'rotated-elsewhere'], {
      stdio: 'pipe',
    });
    await failThenRecover(
      { truststore: store },
      new RegExp(
        `^cannot start: (consumer|producer|source\\.admin)\\.ssl\\.truststore\\.password: wrong password for ${store} ` +
          `\\(the store's integrity check failed\\)$`,
      ),
      async (name) => {
        copyFileSync(env('DSC_TEST_TRUSTSTORE_JKS'), store);
        await resume(name);
      },
    );
  });

  it('the KDC cannot be reached: names the key, the realm and its KDC setting; a fixed config (delete + create) loses nothing', async () => {
    await failThenRecover(
      {
        adminPrincipal: env('DSC_TEST_UNREACHABLE_PRINCIPAL'),
        adminKeytab: keytabCopy(`${unique('unreach')}.keytab`, env('DSC_TEST_UNREACHABLE_KEYTAB')),
      },
      /^cannot start: source\.admin\.sasl\.jaas\.config: cannot log in as dsc-client@UNREACHABLE\.TEST .*Cannot contact any KDC for realm 'UNREACHABLE\.TEST'.*\(the KDC is unreachable: check the realm's kdc in /,
      recreate({}),
    );
  });

  it('a ticket that expires mid-run: live connections re-authenticate with a renewed ticket; new ones log in again', async () => {
    const topic = unique('gssapi-expiry');
    const name = unique('m-gssapi-expiry');
    const login = {
      principal: env('DSC_TEST_SHORT_PRINCIPAL'),
      keyTab: keytabCopy(`${unique('short')}.keytab`, env('DSC_TEST_SHORT_KEYTAB')),
      serviceName: 'kafka',
      key: 'consumer.sasl.jaas.config',
    };
    await createTopic(sourceKafka(), topic, 3);
    const started = Date.now();
    await createConnector(
      worker.store,
      specFromFile(seedConfig({ topic, name, everyone: { principal: login.principal, keytab: login.keyTab } })),
    );
    const first = await produceBatch(topic, 'p', 9);
    await expectTarget(`hello.${topic}`, first);
    const firstEnd = ticketCaches.endsAt(login)!;
    expect(firstEnd - Date.now()).toBeLessThanOrEqual(Number(env('DSC_TEST_SHORT_TICKET_SECONDS')) * 1000);
    // Past the ticket's end, and past the brokers' re-authentication deadline (connections.max.reauth.ms): every
    // live connection has had to authenticate again, after its ticket expired.
    const reauthMs = Number(env('DSC_TEST_GSSAPI_REAUTH_MS'));
    const until = Math.max(firstEnd + 3000, started + reauthMs + 3000);
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
    const second = await produceBatch(topic, 'q', 9);
    await expectTarget(`hello.${topic}`, merge(first, second));
    expect(ticketCaches.endsAt(login)!).toBeGreaterThan(firstEnd); // renewed from the keytab while running
    // A restart opens new connections: each authentication logs in again from the keytab when the ticket is old.
    await worker.store.updateConnector(name, { desired: 'PAUSED' });
    await waitFor(async () => (await worker.store.listTasks(name)).every((t) => t.state === 'PAUSED'));
    await resume(name);
    const third = await produceBatch(topic, 'r', 9);
    await expectTarget(`hello.${topic}`, merge(first, second, third));
  }, 300_000);

  it("keytool's certificate-only PKCS12 trust store verifies the brokers (SCRAM listener, kafkajs)", async () => {
    const kafka = createKafka(
      {
        brokers: [env('SOURCE_KAFKA_SASL_SSL_BROKERS')],
        security: {
          protocol: 'SASL_SSL',
          keyPrefix: 'consumer.',
          saslMechanism: 'SCRAM-SHA-512',
          saslJaasConfig:
            'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
            `username="${env('SOURCE_KAFKA_SCRAM_USER')}" password="${env('SOURCE_KAFKA_SCRAM_PASSWORD')}";`,
          sslTruststoreLocation: env('DSC_TEST_TRUSTSTORE_P12'),
          sslTruststoreType: 'PKCS12',
          sslTruststorePassword: env('DSC_TEST_STORE_PASSWORD'),
        },
      },
      'p12-trust',
    );
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(Array.isArray(await admin.listTopics())).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });
});
