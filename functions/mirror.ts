// Container entry point of the mirror (Cloud Run job or worker pool, or any host): `node dist/functions/mirror.js`.
// Reads the store and the secret vault from the environment and runs the mirror worker until SIGTERM/SIGINT, or for
// DSC_MIRROR_RUN_SECONDS when set (a Cloud Run job stops itself before its task timeout; Cloud Scheduler runs it
// again, and at-least-once delivery with positions saved after the target's ack makes the hand-over lossless).
import { setFlagsFromString } from 'node:v8';
import { deployedMirror } from '../shared/app/wiring.js';
import { runMirrorWorker } from '../shared/mirror/mirror-worker.js';
import { createLogger } from '../shared/runtime/log.js';

async function main(): Promise<number> {
  // V8 starts a full (mark-compact) collection whenever the old generation's room left is under the young
  // generation's size; with the mirror's small old generation (~13 MB) that was every ~150 ms on the Avro path (31–39
  // per million records, each freeing ~1 MB). An old-generation limit of 4× the live size rather than V8's ~2×
  // halved them (docs/mirror.md, "where the time goes"). Set before the connectors start; applies to later limits.
  setFlagsFromString('--heap-growing-percent=300');
  const log = createLogger({ component: 'mirror' });
  const controller = new AbortController();
  const stop = (why: string) => {
    if (controller.signal.aborted) return;
    log.info('stopping', { why });
    controller.abort();
    // SIGTERM gives Cloud Run 10 s; draining the requests in flight takes far less, this is the backstop.
    setTimeout(() => {
      log.error('drain took longer than 9 s; exiting');
      process.exit(1);
    }, 9_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  const runSeconds = Number(process.env.DSC_MIRROR_RUN_SECONDS || 0);
  if (runSeconds > 0) setTimeout(() => stop(`DSC_MIRROR_RUN_SECONDS=${runSeconds} elapsed`), runSeconds * 1000).unref();

  const { store, vault } = await deployedMirror(process.env);
  try {
    await runMirrorWorker({ store, vault, log, signal: controller.signal });
  } finally {
    await store.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(JSON.stringify({ severity: 'ERROR', message: `mirror: ${(err as Error).message}` }) + '\n');
    process.exit(1);
  },
);
