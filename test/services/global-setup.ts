// vitest globalSetup: make the service addresses from `npm run services:up` visible to every test
// worker (workers are spawned after this runs and inherit process.env). Already-set vars win.
import { loadServicesEnv } from './env.js';

export default function setup(): void {
  loadServicesEnv();
}
