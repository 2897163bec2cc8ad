// The parts of @platformatic/kafka the engine uses, loaded from their own modules rather than the package index:
// the index also loads its clients, schema registries and validators (ajv, avsc), which cost ~0.2 s and ~15 MB
// at every start of a CLI run or a function instance, for nothing the engine calls. The paths are those of the
// pinned version's dist/; types come from the package as usual.
import module, { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as P from '@platformatic/kafka';

const index = pathToFileURL(createRequire(import.meta.url).resolve('@platformatic/kafka'));
const load = <T>(path: string): Promise<T> => import(new URL(path, index).href) as Promise<T>;

/**
 * The connection module imports the package's index of every API (~270 modules) for the five it calls, the
 * clients' option schemas, compiled by ajv at load time, for two constants, and the protocol index (with an LRU
 * library of ~50 modules) for the three SASL mechanisms. Served the slim modules below instead, a start-up loads
 * ~200 ms less CPU (measured: 463 → 157 modules, ~320 → ~110 ms to load this module). The package's utils.js, which
 * the connection and the Writer import for their loggers, builds an ajv instance at load time for the clients'
 * schemas: it gets a stub (84 modules, ~20 ms less) that refuses to compile, so a client loaded in the same process
 * fails loudly rather than validating nothing; and, without DEBUG, loggers that log nothing instead of `debug`.
 * Only these importers are redirected. A later version that imports more fails at link time, loudly
 * (platformatic-slim.test.ts loads it). Without `module.registerHooks` (Node < 22.15) everything loads as before.
 */
function slimConnectionImports(): void {
  const hooks = (module as { registerHooks?: (h: { resolve: ResolveHook; load: LoadHook }) => unknown }).registerHooks;
  if (!hooks) return;
  const at = (path: string): string => new URL(path, index).href;
  const source = (lines: string[]): string => `data:text/javascript,${encodeURIComponent(lines.join('\n'))}`;
  const apis = source([
    `export * from ${JSON.stringify(at('./apis/callbacks.js'))};`,
    `export * from ${JSON.stringify(at('./apis/definitions.js'))};`,
    `export * from ${JSON.stringify(at('./apis/enumerations.js'))};`,
    `export * as apiVersionsV1 from ${JSON.stringify(at('./apis/metadata/api-versions-v1.js'))};`,
    ...[0, 1, 2].map(
      (v) =>
        `export * as saslAuthenticateV${v} from ${JSON.stringify(at(`./apis/security/sasl-authenticate-v${v}.js`))};`,
    ),
    `export * as saslHandshakeV1 from ${JSON.stringify(at('./apis/security/sasl-handshake-v1.js'))};`,
  ]);
  const options = source([
    `export { version as clientSoftwareVersion } from ${JSON.stringify(at('./version.js'))};`,
    `export const clientSoftwareName = 'platformatic-kafka';`,
  ]);
  const mechanisms = { saslOAuthBearer: 'oauth-bearer', saslPlain: 'plain', saslScramSha: 'scram-sha' };
  const protocol = source(
    Object.entries(mechanisms).map(
      ([name, file]) => `export * as ${name} from ${JSON.stringify(at(`./protocol/sasl/${file}.js`))};`,
    ),
  );
  const noAjv = source([
    `const refuse = () => { throw new Error('@platformatic/kafka was loaded without ajv (shared/kafka/wire/platformatic.ts): its clients cannot run in this process'); };`,
    `export class Ajv2020 { addKeyword() { return this; } compile() { refuse(); } validate() { refuse(); } addSchema() { refuse(); } getSchema() { refuse(); } }`,
  ]);
  const redirects = new Map([
    [`${at('./network/connection.js')} ${at('./apis/index.js')}`, apis],
    [`${at('./protocol/sasl/utils.js')} ${at('./apis/index.js')}`, apis],
    [`${at('./network/connection.js')} ${at('./clients/base/options.js')}`, options],
    [`${at('./network/connection.js')} ${at('./protocol/index.js')}`, protocol],
  ]);
  // Its loggers, off unless DEBUG names them: the `debug` package (with supports-color) only loads when DEBUG is set.
  const quietDebug = source([
    `export default function debug() { const log = () => {}; log.enabled = false; return log; }`,
  ]);
  const bySpecifier = new Map([[`${at('./utils.js')} ajv/dist/2020.js`, noAjv]]);
  if (!process.env.DEBUG) bySpecifier.set(`${at('./utils.js')} debug`, quietDebug);
  const connection = at('./network/connection.js');
  hooks({
    resolve(specifier, context, next) {
      const stub = bySpecifier.get(`${context.parentURL} ${specifier}`);
      if (stub) return { url: stub, format: 'module', shortCircuit: true };
      const resolved = next(specifier, context);
      const slim = redirects.get(`${context.parentURL} ${resolved.url}`);
      return slim ? { url: slim, format: 'module', shortCircuit: true } : resolved;
    },
    load(url, context, next) {
      const loaded = next(url, context);
      if (url !== connection) return loaded;
      const text = typeof loaded.source === 'string' ? loaded.source : new TextDecoder().decode(loaded.source);
      const rewritten = writeRequestsUncopied(text);
      requestsWrittenUncopied = rewritten !== text;
      return { ...loaded, source: rewritten };
    },
  });
}

/** Set when the connection module was loaded with {@link writeRequestsUncopied}'s change (checked by a test). */
export let requestsWrittenUncopied = false;

/**
 * The connection joins each request's header and body into one new buffer (`Buffer.concat`) before writing it: a
 * 1 MB allocation and copy per produce request, ~50 ms of CPU per 200 MB sent. Written as its parts instead, corked
 * into one writev, the record batches go to the socket from the buffers they were built in. When the source is not
 * the one this was written for (another version), it is left as it is: slower, never wrong.
 */
export function writeRequestsUncopied(source: string): string {
  const joined = 'payload: writer.buffer,';
  const write = 'let canWrite = this.#socket.write(request.payload);';
  if (source.split(joined).length !== 2 || source.split(write).length !== 2) return source;
  return (
    source
      .replace(joined, 'payload: writer.buffers,')
      .replace(write, 'let canWrite = writeParts(this.#socket, request.payload);') +
    '\nfunction writeParts(socket, parts) {\n' +
    '  if (parts.length === 1) return socket.write(parts[0]);\n' +
    '  socket.cork();\n' +
    '  for (const part of parts) socket.write(part);\n' +
    '  socket.uncork();\n' +
    '  return socket.writableLength < socket.writableHighWaterMark;\n' +
    '}\n'
  );
}
type ResolveHook = (
  specifier: string,
  context: { parentURL?: string },
  next: (specifier: string, context: { parentURL?: string }) => { url: string },
) => { url: string; format?: string; shortCircuit?: boolean };
type LoadResult = { format?: string | null; source?: string | ArrayBuffer | Uint8Array; shortCircuit?: boolean };
type LoadHook = (url: string, context: object, next: (url: string, context: object) => LoadResult) => LoadResult;
slimConnectionImports();

const [compression, crc, definitions, writer, errors, pool, produce, initProducerId, metadata, admin, txn] =
  await Promise.all([
    load<Pick<typeof P, 'compressionsAlgorithms' | 'compressionsAlgorithmsByBitmask'>>('./protocol/compression.js'),
    load<Pick<typeof P, 'crc32c'>>('./protocol/crc32c.js'),
    load<Pick<typeof P, 'createAPI'>>('./apis/definitions.js'),
    load<Pick<typeof P, 'Writer'>>('./protocol/writer.js'),
    load<Pick<typeof P, 'protocolErrors' | 'protocolErrorsCodesById'>>('./protocol/errors.js'),
    load<Pick<typeof P, 'ConnectionPool'>>('./network/connection-pool.js'),
    load<typeof P.produceV9>('./apis/producer/produce-v9.js'),
    load<typeof P.initProducerIdV4>('./apis/producer/init-producer-id-v4.js'),
    load<typeof P.metadataV12>('./apis/metadata/metadata-v12.js'),
    Promise.all([
      load<typeof P.createPartitionsV3>('./apis/admin/create-partitions-v3.js'),
      load<typeof P.createTopicsV7>('./apis/admin/create-topics-v7.js'),
      load<typeof P.describeConfigsV4>('./apis/admin/describe-configs-v4.js'),
      load<typeof P.listOffsetsV7>('./apis/consumer/list-offsets-v7.js'),
    ]),
    // Transactions (exactly once: wire/transaction-coordinator.ts).
    Promise.all([
      load<typeof P.findCoordinatorV4>('./apis/metadata/find-coordinator-v4.js'),
      load<typeof P.addPartitionsToTxnV3>('./apis/producer/add-partitions-to-txn-v3.js'),
      load<typeof P.endTxnV3>('./apis/producer/end-txn-v3.js'),
    ]),
  ]);

export const { compressionsAlgorithms, compressionsAlgorithmsByBitmask } = compression;
export const { crc32c } = crc;
export const { createAPI } = definitions;
export const { Writer } = writer;
export const { protocolErrors, protocolErrorsCodesById } = errors;
export const { ConnectionPool } = pool;
export const produceV9 = produce;
export const initProducerIdV4 = initProducerId;
export const metadataV12 = metadata;
export const [createPartitionsV3, createTopicsV7, describeConfigsV4, listOffsetsV7] = admin;
export type Writer = P.Writer;
export type ConnectionPool = P.ConnectionPool;
export type { Broker, Connection, ConnectionOptions, Reader, SASLCustomAuthenticator } from '@platformatic/kafka';
export const [findCoordinatorV4, addPartitionsToTxnV3, endTxnV3] = txn;
