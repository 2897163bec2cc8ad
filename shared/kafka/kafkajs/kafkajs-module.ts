// kafkajs, loaded on first use: the default (wire) adapter never needs it, so a run that does not set
// DSC_KAFKA_ADAPTER=kafkajs does not load it. A CommonJS require, so the enums
// that exist only on the CommonJS exports are there. Its producer groups records in one pass: an install-time patch
// (patches/kafkajs+2.2.4.patch, see patches/README.md).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const loadKafkajs = (): typeof import('kafkajs') => require('kafkajs') as typeof import('kafkajs');
