/* global process, console, URL */
// Launcher for the Firestore emulator used by the tests (npm package @firestore-emulator/server,
// an in-memory implementation of the Firestore v1 gRPC API).
//
//   node test/services/firestore-emulator.mjs --host 127.0.0.1 --port 8080 --admin-port 8086
//
// Clients connect with FIRESTORE_EMULATOR_HOST=127.0.0.1:8080 (gRPC, insecure).
// The package's own start() binds 0.0.0.0; we bind the same grpc Server to the given host only.
// A tiny admin HTTP server (loopback) is added for the test scripts:
//   GET  /healthz  -> 200 "ok"
//   POST /reset    -> clears all data (all projects)     (also DELETE /)
//   GET  /state    -> JSON dump of the emulator state
import { createRequire } from 'node:module';
import http from 'node:http';

const require = createRequire(import.meta.url);
const { FirestoreServer } = require('@firestore-emulator/server');
// the grpc-js instance the emulator itself uses (ServerCredentials must come from the same copy)
const { ServerCredentials } = createRequire(require.resolve('@firestore-emulator/server'))('@grpc/grpc-js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const host = arg('host', '127.0.0.1');
const port = Number(arg('port', '8080'));
const adminPort = Number(arg('admin-port', '8086'));

const emulator = new FirestoreServer();
// `server` is a private field of FirestoreServer (a @grpc/grpc-js Server with the service added).
const grpcServer = emulator.server;
await new Promise((resolve, reject) =>
  grpcServer.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err) =>
    err ? reject(err) : resolve(undefined),
  ),
);

const admin = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'GET' && url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  } else if ((req.method === 'POST' && url.pathname === '/reset') || req.method === 'DELETE') {
    emulator.state.clear();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('cleared');
  } else if (req.method === 'GET' && url.pathname === '/state') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(emulator.state.toJSON()));
  } else {
    res.writeHead(404).end();
  }
});
await new Promise((resolve, reject) => {
  admin.once('error', reject);
  admin.listen(adminPort, host, () => resolve(undefined));
});
console.log(`firestore emulator listening on ${host}:${port} (gRPC), admin http://${host}:${adminPort}`);

function shutdown(signal) {
  console.log(`firestore emulator: ${signal}, shutting down`);
  admin.close();
  emulator.stop();
  process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
