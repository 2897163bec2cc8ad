// Exactly once across a target broker restarted mid-load (issue 11's "a target broker restarted mid-load"), checked by
// content with a read_committed reader. The broker is one of its own, started by the project's script on its own
// ports and folder (DSC_RUN_DIR, DSC_PORT_OFFSET, DSC_SERVICES=kafka-target): the shared brokers are never touched.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, exited, startDscRun } from './dsc-child.js';
import { committedRecords, delivery, loadConf, until } from './eos-helpers.js';
import { csvLines, tempDir, unique } from './file-helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const OFFSET = 3000; // bench/faults.sh's isolated instance uses 2000
const ISOLATED = {
  DSC_RUN_DIR: join(homedir(), '.cache/dsc/run-broker-restart'),
  DSC_PORT_OFFSET: String(OFFSET),
  DSC_SERVICES: 'kafka-target',
};
const BROKERS = `127.0.0.1:${9092 + OFFSET}`;
const script = (name: string) => join(ROOT, 'test/services', name);
const env = { ...process.env, ...ISOLATED };

/**
 * `up.sh --restart kafka-target`: a clean shutdown, then the same broker on its data. Resolves once it is back, with
 * the exit code `child` had when the broker was down (null: still running). A `child` the caller stopped (SIGSTOP) is
 * continued (SIGCONT) once the old broker is gone: it loads on into the outage.
 */
function restartBroker(child: ChildProcess): Promise<number | null | undefined> {
  return new Promise((resolve, reject) => {
    const restart = spawn('bash', [script('up.sh'), '--restart', 'kafka-target'], { cwd: ROOT, env });
    let output = '';
    let atDown: number | null | undefined;
    restart.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // up.sh logs "kafka-target restarting" once the old broker process is gone.
      if (atDown === undefined && output.includes('kafka-target restarting')) {
        atDown = child.exitCode;
        child.kill('SIGCONT');
      }
    });
    restart.on('error', (err) => {
      child.kill('SIGCONT');
      reject(err);
    });
    restart.on('exit', (code) => {
      child.kill('SIGCONT'); // also when up.sh failed before the broker was down
      if (code === 0) resolve(atDown);
      else reject(new Error(`up.sh --restart: ${output}`));
    });
  });
}

/** Runs a services script on the isolated instance; a failure carries the script's own log lines. */
async function services(name: 'up.sh' | 'down.sh'): Promise<void> {
  await promisify(execFile)('bash', [script(name)], { cwd: ROOT, env }).catch((err: { stderr?: string }) => {
    throw new Error(`${name} (isolated broker) failed:\n${err.stderr ?? String(err)}`);
  });
}

describe('file connector: exactly once across a target broker restart', () => {
  beforeAll(async () => {
    await buildCli();
    await services('up.sh');
  }, 600_000); // a first compile of the CLI and a broker start take minutes with both cores busy
  afterAll(() => services('down.sh'), 180_000);

  it('the broker stops (SIGTERM) mid-load and starts again; dsc run again until FINISHED: every line once', async () => {
    const topic = unique('eos-broker');
    // Batches of 20 lines (~40,000 lines/s here), committed every 100 ms.
    const lines = csvLines(300_000, 'broker', 40);
    const dir = tempDir({ 'big.csv': lines.join('\n') + '\n' });
    const conf = loadConf(dir, topic, `${dir}/big.csv`, {
      'file.reader.batch.size': 20,
      'transaction.boundary.interval.ms': 100,
    });
    const state = join(dir, 'state');
    const child = startDscRun(state, conf, true, { KAFKA_BROKERS: BROKERS });
    await until(`${topic} commits`, async () => (await committedRecords(topic, BROKERS)) > 0);
    // Stopped from its first commit until the broker is down (restartBroker continues it): the outage comes mid-load
    // however fast the machine (a broker's shutdown takes 1-3 s; a fast machine could load the file meanwhile).
    child.kill('SIGSTOP');
    expect(await committedRecords(topic, BROKERS)).toBeLessThan(lines.length);
    // The run had not finished when its broker went away: still loading, or failed by the outage.
    expect(await restartBroker(child)).not.toBe(0);
    await exited(child, 300_000); // it rides the restart out, or fails (no broker for longer than it retries)
    // One more run, to FINISHED: a run right after a failed one continues it (the old FAILED rows are of an older
    // epoch, not the connector's state).
    // Deadlines for a fully loaded machine, where the 300,000 lines at a commit per 20 took minutes.
    expect(await exited(startDscRun(state, conf, false, { KAFKA_BROKERS: BROKERS }), 600_000)).toBe(0);
    expect(await delivery(topic, lines, BROKERS)).toEqual({ lost: 0, duplicated: 0 });
    expect(await committedRecords(topic, BROKERS)).toBe(lines.length);
  }, 1_200_000);
});
