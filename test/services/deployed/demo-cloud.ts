// The middle of `npm run demo:cloud` (examples/demo-cloud.sh): start the deployed shape, create the seed's example
// connectors with `dsc create` over HTTP, wait until both are FINISHED, print their status, stop what was started.
import { loadServicesEnv } from '../env.js';
import { DeployedShape } from './deployed-shape.js';

const CONNECTORS = ['fs-person-demo-104', 'fs-friend-demo-104'];

async function main(): Promise<number> {
  loadServicesEnv();
  const shape = await DeployedShape.start({ mirror: true });
  try {
    console.log(`deployed shape up (project ${shape.projectId}, logs in ${shape.logDir}):`);
    for (const [name, url] of Object.entries(shape.urls)) console.log(`  ${name.padEnd(7)} ${url}`);
    console.log('  mirror  node dist/functions/mirror.js');
    for (const r of shape.standIn.routeList) console.log(`  ${r.topic} -> ${r.function} (${r.format})`);
    console.log(`\n$ DSC_URL=${shape.manageUrl} DSC_TOKEN=… dsc create --c examples/social.conf`);
    process.stdout.write(await shape.dscOk('create', '--c', 'examples/social.conf'));
    for (const name of CONNECTORS) await shape.waitForState(name, 'FINISHED', 120_000);
    console.log('\n$ dsc status');
    process.stdout.write(await shape.dscOk('status'));
    const work = shape.standIn.deliveriesTo('work');
    console.log(`\n${work.length} work invocations, at most ${Math.max(...work.map((d) => d.concurrent))} at once`);
    for (const name of CONNECTORS) await shape.dscOk('delete', name);
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    await shape.stop();
  }
}

process.exitCode = await main();
