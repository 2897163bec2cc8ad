// How Avro data travels inside a Kafka message without a registry: object container files ("Obj\x01" + header with
// the writer schema + blocks) and single-object encoding (C3 01 + the schema's CRC-64-AVRO fingerprint + datum).
import { inflateRawSync } from 'node:zlib';
import { AvroDecodeError, readBytes, readCount, readLong, type Tap } from './avro-json.js';

export const CONTAINER_MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);

const EMPTY = 0xc15d213aa4d7a795n;
const FP_TABLE: bigint[] = [];
for (let i = 0; i < 256; i++) {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  FP_TABLE.push(fp);
}

/** The Avro spec's CRC-64-AVRO (Rabin) fingerprint of a schema's Parsing Canonical Form. */
export function fingerprint64(canonical: string | Buffer): bigint {
  let fp = EMPTY;
  for (const b of Buffer.from(canonical)) fp = (fp >> 8n) ^ FP_TABLE[Number((fp ^ BigInt(b)) & 0xffn)];
  return fp;
}

export interface ContainerFile {
  schema: unknown;
  codec: string;
  /** Each block's decompressed bytes with its record count. */
  blocks: { count: number; data: Buffer }[];
}

/** Splits a whole Avro object container file (held in one Kafka message) into its schema and blocks. */
export function readContainerFile(buf: Buffer): ContainerFile {
  if (!buf.subarray(0, 4).equals(CONTAINER_MAGIC)) throw new AvroDecodeError('not an Avro container file');
  const tap: Tap = { buf, pos: 4 };
  const meta: Record<string, Buffer> = {};
  for (let n = readCount(tap); n !== 0; n = readCount(tap)) {
    if (n < 0) {
      n = -n;
      readLong(tap);
    }
    for (let i = 0; i < n; i++) meta[readBytes(tap).toString('utf8')] = Buffer.from(readBytes(tap));
  }
  if (tap.pos + 16 > buf.length) throw new AvroDecodeError('truncated Avro container header');
  const sync = buf.subarray(tap.pos, tap.pos + 16);
  tap.pos += 16;
  if (!meta['avro.schema']) throw new AvroDecodeError('Avro container file without avro.schema');
  const schema = JSON.parse(meta['avro.schema'].toString('utf8'));
  const codec = meta['avro.codec']?.toString('utf8') || 'null';
  if (codec !== 'null' && codec !== 'deflate') {
    throw new AvroDecodeError(`Avro container codec ${codec} is not supported (use null or deflate)`);
  }
  const blocks: ContainerFile['blocks'] = [];
  while (tap.pos < buf.length) {
    const count = readCount(tap);
    const size = readCount(tap);
    if (size < 0 || tap.pos + size + 16 > buf.length) throw new AvroDecodeError('truncated Avro container block');
    const raw = buf.subarray(tap.pos, tap.pos + size);
    tap.pos += size;
    if (!buf.subarray(tap.pos, tap.pos + 16).equals(sync))
      throw new AvroDecodeError('Avro container block sync marker mismatch');
    tap.pos += 16;
    blocks.push({ count, data: codec === 'deflate' ? inflateRawSync(raw) : raw });
  }
  return { schema, codec, blocks };
}
