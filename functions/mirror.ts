// Container entry point of the mirror (Cloud Run job or worker pool, or any host): `node dist/functions/mirror.js`.
// Reads the store and the secret vault from the environment and runs the mirror worker until SIGTERM/SIGINT, or for
// DSC_MIRROR_RUN_SECONDS when set (a Cloud Run job stops itself before its task timeout; Cloud Scheduler runs it
// again, and at-least-once delivery with positions saved after the target's ack makes the hand-over lossless).
import { deployedMirror } from '../shared/app/wiring.js';
import { runMirrorWorker } from '../shared/mirror/mirror-worker.js';
import { createLogger } from '../shared/runtime/log.js';

async function main(): Promise<number> {
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
