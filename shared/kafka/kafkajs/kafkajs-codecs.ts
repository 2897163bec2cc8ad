// kafkajs ships gzip only; its codec registry takes others. These come from @platformatic/kafka's codecs (the ones
// the wire adapter uses), so both adapters produce and read snappy, lz4 and zstd alike.
import { compressionsAlgorithms } from '../wire/platformatic.js';
import { loadKafkajs } from './kafkajs-module.js';

let registered = false;

export function registerKafkajsCodecs(): void {
  if (registered) return;
  registered = true;
  const { CompressionCodecs, CompressionTypes } = loadKafkajs();
  const codecs = [
    [CompressionTypes.Snappy, compressionsAlgorithms.snappy],
    [CompressionTypes.LZ4, compressionsAlgorithms.lz4],
    [CompressionTypes.ZSTD, compressionsAlgorithms.zstd],
  ] as const;
  for (const [type, codec] of codecs) {
    // kafkajs's own entries for these only throw "not implemented".
    if (codec.available === false) continue;
    CompressionCodecs[type] = () => ({
      compress: async (encoder: { buffer: Buffer }) => codec.compressSync(encoder.buffer),
      decompress: async (buffer: Buffer) => codec.decompressSync(buffer),
    });
  }
}
