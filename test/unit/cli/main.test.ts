// The dsc CLI against the embedded target: the management handler in-process on a temp DSC_STATE_DIR.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteConnectorStore } from '../../../shared/lifecycle/sqlite-store.js';
import { CliHarness } from './cli-harness.js';
import { seedGcsAsPublished } from './seed-configs.js';

let cli: CliHarness;
beforeEach(() => {
  cli = new CliHarness();
});
afterEach(() => cli.cleanUp());

const withStore = async <T>(body: (s: SqliteConnectorStore) => Promise<T>): Promise<T> => {
  const store = await SqliteConnectorStore.openStateDir(cli.stateDir);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
};

const progress = {
  filesDone: 1,
  filesTotal: 4,
  records: 1500,
  bytes: 82_000,
  bytesTotal: 300_000,
  recordsPerSecond: 750,
  errors: 0,
};

describe('dsc usage', () => {
  it('--help and --version exit 0', async () => {
    const help = await cli.run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^usage: dsc <command>/);
    expect(help.out).toContain('DSC_TOKEN=$(gcloud auth print-identity-token)');
    expect((await cli.run('-h')).code).toBe(0);
    const version = await cli.run('--version');
    expect(version).toMatchObject({ code: 0, out: 'dsc 0.1.0' });
  });

  it('exits 2 on usage errors, naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [[], /no command given/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['pause'], /dsc pause needs a connector NAME/],
      [['create'], /dsc create needs --c FILE/],
      [['status', 'a', 'b'], /unexpected argument 'b'/],
      [['list', '--bogus'], /Unknown option '--bogus'/],
      [['create', '--c', 'missing.conf'], /cannot read missing.conf: ENOENT/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli.run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(message);
    }
  });

  it('dsc run delegates to run.ts', async () => {
    const r = await cli.run('run', '--help');
    expect(r.code).not.toBe(1);
  });
});

describe('dsc validate (offline)', () => {
  it('prints the connectors a valid file would create', async () => {
    const r = await cli.run('validate', '--c', 'seed-gcs.conf');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      'seed-gcs.conf is valid; it would create 2 connectors:',
      'NAME                KIND  TASKS.MAX  TOPICS',
      'fs-person-demo-104  file  10         person-demo-104',
      'fs-friend-demo-104  file  10         friend-demo-104',
    ]);
    // Offline: nothing was stored.
    expect(await withStore((s) => s.listConnectors())).toEqual([]);
  });

  it('prints every error with file:line [section] key and exits 1', async () => {
    const r = await cli.run('validate', '--config', 'bad-mirror.conf');
    expect(r.code).toBe(1);
    const lines = r.err.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^bad-mirror\.conf:\d+ \(global\) producer\.sasl\.mechanism: unsupported SASL mechanism/),
    );
  });

  it("the seed's GCS example as published (its key elided with '...'): validate and create name the key and line", async () => {
    writeFileSync(join(cli.dir, 'as-published.conf'), seedGcsAsPublished());
    const expected =
      'as-published.conf:5 (global) file.reader.settings.fs.gs.auth.service.account.private.key: is not a parseable PEM ' +
      "private key (ERR_OSSL_PEM_NOT_PROC_TYPE): paste the whole private_key of the service account's JSON key file; " +
      'this line holds an elided part ("...")';
    expect(await cli.run('validate', '--c', 'as-published.conf')).toMatchObject({ code: 1, err: expected });
    const created = await cli.run('create', '--c', 'as-published.conf');
    expect(created.code).toBe(1);
    expect(created.err.split('\n')).toEqual(['dsc: as-published.conf has 1 error; nothing was created', expected]);
    expect((await cli.run('list')).out).toBe('no connectors');
  });

  it("accepts the seed's mirror example as published (GSSAPI, JKS, ****** passwords)", async () => {
    const r = await cli.run('validate', '--c', 'seed-mirror.conf');
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain('seed-mirror.conf is valid; it would create 1 connector');
  });

  it('--json gives {valid, connectors, issues}', async () => {
    const ok = await cli.run('validate', '-c', 'mirror.conf', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toEqual({
      valid: true,
      connectors: [
        { name: 'avro-test-without-registry', kind: 'mirror', tasksMax: 10, topics: ['avro-without-registry-topic'] },
      ],
      issues: [],
    });
    const bad = await cli.run('validate', '--c', 'bad-mirror.conf', '--json');
    expect(bad.code).toBe(1);
    const body = JSON.parse(bad.out);
    expect(body.valid).toBe(false);
    expect(body.issues[0]).toMatchObject({ severity: 'error', line: expect.any(Number) });
  });
});

describe('dsc create / list / status / pause / resume / delete (embedded)', () => {
  it('runs the whole lifecycle with the exit codes of the README', async () => {
    const created = await cli.run('create', '--c', 'seed-gcs.conf');
    expect(created.code).toBe(0);
    expect(created.out).toContain('created connector fs-person-demo-104');
    expect(created.out).toContain('created connector fs-friend-demo-104');
    expect(created.out).toMatch(/recorded in local state in .*state; start loading with: dsc run/);
    expect((await cli.run('create', '--c', 'mirror.conf')).code).toBe(0);

    const again = await cli.run('create', '--c', 'seed-gcs.conf');
    expect(again.code).toBe(4);
    expect(again.err).toContain('connectors fs-person-demo-104, fs-friend-demo-104 already exist; nothing was created');

    const invalid = await cli.run('create', '--c', 'bad-mirror.conf');
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/bad-mirror\.conf:\d+ \(global\) consumer\.sasl\.mechanism/);

    const list = await cli.run('list');
    expect(list.code).toBe(0);
    expect(list.out.split('\n')).toEqual([
      'NAME                        KIND    STATE       TASKS.MAX  TOPICS',
      'avro-test-without-registry  mirror  UNASSIGNED  10         avro-without-registry-topic',
      'fs-friend-demo-104          file    UNASSIGNED  10         friend-demo-104',
      'fs-person-demo-104          file    UNASSIGNED  10         person-demo-104',
    ]);

    const config = await cli.run('list', 'fs-person-demo-104');
    expect(config.code).toBe(0);
    expect(config.out).toContain('name: fs-person-demo-104');
    expect(config.out).toContain('  file.reader.settings.fs.gs.auth.service.account.private.key=****');
    expect(config.out).toContain('  topic=person-demo-104');
    expect(config.out).not.toContain('PRIVATE KEY');
    // The secret lives in the vault file, never in the state database.
    expect(readFileSync(join(cli.stateDir, 'secrets.json'), 'utf8')).toContain('PRIVATE KEY');
    expect(readFileSync(join(cli.stateDir, 'state.db')).toString('latin1')).not.toContain('PRIVATE KEY');

    expect((await cli.run('list', 'nope')).code).toBe(3);

    await withStore((s) =>
      s.putTasks('fs-person-demo-104', [
        { connector: 'fs-person-demo-104', taskId: 0, epoch: 1, state: 'RUNNING', assignment: {}, progress },
        { connector: 'fs-person-demo-104', taskId: 1, epoch: 1, state: 'RUNNING', assignment: {}, progress },
      ]),
    );
    const status = await cli.run('status');
    expect(status.code).toBe(0);
    expect(status.out.split('\n').slice(0, 4)).toEqual([
      'NAME                        STATE       TASKS  RECORDS  ERRORS',
      'avro-test-without-registry  UNASSIGNED  0/10   0        0',
      'fs-friend-demo-104          UNASSIGNED  0/10   0        0',
      'fs-person-demo-104          RUNNING     2/10   3,000    0',
    ]);
    expect(status.out).toContain('fs-person-demo-104 (file, RUNNING, epoch 1)');
    expect(status.out).toContain('  TASK  STATE    FILES  RECORDS  BYTES    REC/S  ERRORS  LAST ERROR');
    expect(status.out).toContain('  0     RUNNING  1/4    1,500    80.1 KB  750    0');

    const one = await cli.run('status', 'fs-person-demo-104', '--json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out)).toMatchObject({
      name: 'fs-person-demo-104',
      kind: 'file',
      state: 'RUNNING',
      epoch: 1,
      tasksMax: 10,
      totals: { records: 3000, errors: 0 },
      tasks: [{ id: 0, state: 'RUNNING', progress }, { id: 1 }],
    });

    expect((await cli.run('pause', 'fs-person-demo-104')).out).toBe('paused connector fs-person-demo-104 (epoch 1)');
    const paused = await cli.run('pause', 'fs-person-demo-104');
    expect(paused).toMatchObject({ code: 4, err: 'dsc: connector fs-person-demo-104 is already paused' });
    const resumed = await cli.run('resume', 'fs-person-demo-104', '--json');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.out)).toEqual({ name: 'fs-person-demo-104', desired: 'RUNNING', epoch: 2 });
    expect((await cli.run('resume', 'fs-person-demo-104')).code).toBe(4);

    expect(await cli.run('delete', 'fs-person-demo-104')).toMatchObject({
      code: 0,
      out: 'deleted connector fs-person-demo-104',
    });
    const gone = await cli.run('delete', 'fs-person-demo-104');
    expect(gone).toMatchObject({ code: 3, err: 'dsc: connector fs-person-demo-104 not found' });
    expect((await cli.run('status', 'fs-person-demo-104')).code).toBe(3);
  });

  it('status exits 1 when a connector FAILED and prints its last error', async () => {
    await cli.run('create', '--c', 'seed-gcs.conf');
    await withStore((s) =>
      s.putTasks('fs-friend-demo-104', [
        {
          connector: 'fs-friend-demo-104',
          taskId: 0,
          epoch: 1,
          state: 'FAILED',
          assignment: {},
          progress,
          lastError: 'gs://example/f.csv: 403 Forbidden',
        },
      ]),
    );
    const r = await cli.run('status');
    expect(r.code).toBe(1);
    expect(r.out).toContain('fs-friend-demo-104  FAILED');
    expect(r.out).toContain('  last error: task 0: gs://example/f.csv: 403 Forbidden');
    const json = await cli.run('status', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).map((s: { state: string }) => s.state)).toEqual(['FAILED', 'UNASSIGNED']);
  });

  it('restart [--failed-only] names the tasks that start again; the last error stays in status', async () => {
    await cli.run('create', '--c', 'seed-gcs.conf');
    const name = 'fs-friend-demo-104';
    const base = { connector: name, epoch: 1, assignment: {}, progress: { ...progress, errors: 4 } };
    await withStore((s) =>
      s.putTasks(name, [
        { ...base, taskId: 0, state: 'RUNNING' },
        { ...base, taskId: 1, state: 'FAILED', lastError: 'gs://example/f.csv: 403 Forbidden' },
      ]),
    );
    const failedOnly = await cli.run('restart', name, '--failed-only');
    expect(failedOnly.code).toBe(0);
    expect(failedOnly.out.split('\n')[0]).toBe(`restarted connector ${name}: task 1 (epoch 1)`);
    expect(failedOnly.out).toContain('dsc run');
    const all = await cli.run('restart', name, '--json');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.out)).toEqual({ name, desired: 'RUNNING', epoch: 2, restarted: [0, 1] });
    expect((await cli.run('status', name)).out).toContain('last error: task 1: gs://example/f.csv: 403 Forbidden');
    expect((await cli.run('pause', 'fs-person-demo-104')).code).toBe(0);
    expect(await cli.run('restart', 'fs-person-demo-104')).toMatchObject({
      code: 4,
      err: 'dsc: connector fs-person-demo-104 is paused; resume it to run its tasks again',
    });
    expect((await cli.run('restart', 'nope')).code).toBe(3);
    expect((await cli.run('restart')).code).toBe(2);
    expect((await cli.run('pause', name, '--failed-only')).err).toContain('--failed-only is an option of dsc restart');
  });

  it('list and status say so when there is nothing', async () => {
    expect(await cli.run('list')).toMatchObject({ code: 0, out: 'no connectors' });
    expect(await cli.run('status', '--json')).toMatchObject({ code: 0, out: '[]' });
  });
});
