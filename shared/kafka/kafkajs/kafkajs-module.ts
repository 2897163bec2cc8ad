// kafkajs, loaded on first use: the default (wire) adapter never needs it, so a run that does not set
// DSC_KAFKA_ADAPTER=kafkajs (nor mirrors with its admin) does not load it. A CommonJS require, so the enums
// that exist only on the CommonJS exports are there, and kafkajs-linear-grouping.ts has patched the cache before.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const loadKafkajs = (): typeof import('kafkajs') => require('kafkajs') as typeof import('kafkajs');
