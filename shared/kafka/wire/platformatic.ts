// The parts of @platformatic/kafka the engine uses, loaded from their own modules rather than the package index:
// the index also loads its clients, schema registries and validators (ajv, avsc), which cost ~0.2 s and ~15 MB
// at every start of a CLI run or a function instance, for nothing the engine calls. The paths are those of the
// exactly pinned version's dist/; its connection module is slimmed and writes requests uncopied by an
// install-time patch (patches/@platformatic+kafka+*.patch, see patches/README.md); types come from the package.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as P from '@platformatic/kafka';

const index = pathToFileURL(createRequire(import.meta.url).resolve('@platformatic/kafka'));
const load = <T>(path: string): Promise<T> => import(new URL(path, index).href) as Promise<T>;

const [compression, crc, definitions, writer, errors, pool, produce, initProducerId, metadata, admin, txn, groups] =
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
    // Consumer groups (the mirror's legacy positions: wire/wire-admin.ts).
    Promise.all([
      load<typeof P.offsetFetchV8>('./apis/consumer/offset-fetch-v8.js'),
      load<typeof P.deleteGroupsV2>('./apis/admin/delete-groups-v2.js'),
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
export const [offsetFetchV8, deleteGroupsV2] = groups;
