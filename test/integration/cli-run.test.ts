// `dsc run --c FILE` on the real Kafka: it runs FILE's connectors only (and names the others it leaves alone), and a
// mode=eof run stopped by SIGTERM before FINISHED exits 130, not 0 like a finished one; a run after a failed one
// continues it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteConnectorStore } from '../../shared/lifecycle/sqlite-store.js';
import { CliHarness } from '../unit/cli/cli-harness.js';
import { BROKERS, loadServiceEnv, unique } from './file-helpers.js';

loadServiceEnv();
const cli = new CliHarness();
cli.env = { ...cli.env, KAFKA_BROKERS: BROKERS(), DSC_LOG_LEVEL: 'ERROR' };
afterAll(() => cli.cleanUp());

function fileConfig(name: string, csv: string): string {
  writeFileSync(join(cli.dir, `${name}.csv`), 'a,b\n1,2\n3,4\n');
  return [
    'connector.class=com.tigergraph.kafka.connect.filesystem.FsSourceConnector',
    'mode=eof',
    'file.reader.text.header=true',
    `[${name}]`,
    `name=${name}`,
    `topic=${unique('run-topic')}`,
    `file.uris=${join(cli.dir, csv)}`,
  ].join('\n');
}

async function tasksOf(name: string) {
  const store = await SqliteConnectorStore.openStateDir(cli.stateDir);
  try {
    return await store.listTasks(name);
  } finally {
    await store.close();
  }
}

describe('dsc run', () => {
  it("runs only its file's connectors, naming the others it leaves alone", async () => {
    // a.conf's mirror connector is created in the same state folder, but never run.
    expect((await cli.run('create', '--c', 'mirror.conf')).code).toBe(0);
    const b = unique('b');
    writeFileSync(join(cli.dir, 'b.conf'), fileConfig(b, `${b}.csv`));
    const r = await cli.run('run', '--c', 'b.conf', '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain("dsc run: not running avro-test-without-registry: only b.conf's connectors run here");
    expect(JSON.parse(r.out).map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([[b, 'FINISHED']]);
    expect(await tasksOf('avro-test-without-registry')).toEqual([]);
  });

  it('a mode=eof run stopped by SIGTERM before FINISHED exits 130', async () => {
    const c = unique('c');
    writeFileSync(join(cli.dir, 'c.conf'), fileConfig(c, `${c}.csv`));
    const before = process.listenerCount('SIGTERM');
    const running = cli.run('run', '--c', 'c.conf', '--json');
    while (process.listenerCount('SIGTERM') === before) await new Promise((r) => setImmediate(r));
    // Call only the handler dsc run installed: the test runner's own SIGTERM handlers must not fire.
    const handler = process.listeners('SIGTERM').at(-1)!;
    handler('SIGTERM');
    const r = await running;
    expect(r.code, r.err).toBe(130);
    expect(r.err).toContain('dsc run: interrupted before every connector FINISHED');
  });

  it('a run after a FAILED one continues it at once, not exits on the old FAILED state', async () => {
    const d = unique('d');
    writeFileSync(join(cli.dir, 'd.conf'), fileConfig(d, `${d}-later.csv`));
    const failed = await cli.run('run', '--c', 'd.conf', '--json');
    expect(failed.code, failed.err).toBe(1);
    expect(failed.err).toContain(`dsc run: ${d} FAILED`);
    writeFileSync(join(cli.dir, `${d}-later.csv`), 'a,b\n5,6\n');
    const again = await cli.run('run', '--c', 'd.conf', '--json');
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out).map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      [d, 'FINISHED'],
    ]);
  });
});
