/* global process, console, Buffer */
// dsc's Avro → JSON output checked against an independent decoder: Apache Avro's Java GenericDatumReader in the peer
// (bench/peers/avro/TigerGraphStyleAvroConverter.java), whose JSON (GenericData.toString) is first brought into dsc's
// documented form by these rules, the by-design differences (docs/mirror.md):
//   null record fields and null map entries   Java: "f": null         dsc: left out
//   bytes                                     Java: ISO-8859-1 chars  dsc: base64
//   fixed                                     Java: [signed bytes]    dsc: base64
//   decimal (bytes or fixed)                  Java: its bytes         dsc: exact decimal string "12.34"
//   timestamp-millis/-micros (local-*)        Java: the number        dsc: ISO-8601 "…T…Z" (local: no Z)
//   date / time-millis / time-micros          Java: the number        dsc: "YYYY-MM-DD" / "HH:MM:SS.fff(fff)"
//   map key order                             Java: hash order        dsc: the datum's order (compared as sets)
//   float                                     Java: Float.toString    dsc: shortest text of the same float32
//   spacing                                   Java: ", " and ": "     dsc: none (compared parsed)
// Two modes:
//   node avro-json-check.mjs topics BROKERS SCHEMA_FILE DSC_TOPIC PEER_TOPIC
//       every record of two mirrored topics, partition by partition in offset order: key, headers and timestamp
//       byte-equal, value equal after the rules; prints `checked=<n> different=<n>` (+ the first difference)
//   node avro-json-check.mjs types JAVA_CLASSPATH [RECORDS]
//       no Kafka: random values of a schema holding every Avro type and logical type dsc converts, decoded by dsc's
//       compiled writer and by the Java peer (its main), compared after the rules; prints the same line
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { AvroJsonWriter, JsonSink } from '../../dist/shared/mirror/converters/avro-json-writer.js';

/** Canonical text of a parsed JSON value: object keys sorted (map order differs by design). */
const canonical = (v) =>
  v === null || typeof v !== 'object'
    ? JSON.stringify(v)
    : Array.isArray(v)
      ? `[${v.map(canonical).join(',')}]`
      : `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
          .join(',')}}`;

function decimalOf(bytes, scale) {
  if (bytes.length === 0) return '0';
  let v = BigInt('0x' + bytes.toString('hex'));
  if (bytes[0] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return (neg ? '-' : '') + digits;
}

function isoOf(units, perMs, fraction, zone) {
  const u = BigInt(units);
  let ms = u / perMs;
  let rest = u % perMs;
  if (rest < 0n) {
    rest += perMs;
    ms -= 1n;
  }
  const iso = new Date(Number(ms)).toISOString();
  return iso.slice(0, -1) + (perMs > 1n ? rest.toString().padStart(fraction - 3, '0') : '') + (zone ? 'Z' : '');
}

function timeOf(units, perSecond, fraction) {
  const seconds = Math.floor(units / perSecond);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}.${String(units - seconds * perSecond).padStart(fraction, '0')}`;
}

/** The shortest decimal that reads back as the same 32-bit float (dsc's form; Java's Float.toString may add digits). */
function shortestFloat(x) {
  for (let p = 1; p < 10; p++) {
    const n = Number(x.toPrecision(p));
    if (Math.fround(n) === x) return n;
  }
  return x;
}

/** Named types of a schema (JSON), by name and full name, for references. */
function namedTypes(schema, named = new Map(), ns = '') {
  if (Array.isArray(schema)) schema.forEach((s) => namedTypes(s, named, ns));
  else if (schema && typeof schema === 'object') {
    if (schema.name && ['record', 'enum', 'fixed', 'error'].includes(schema.type)) {
      const space = schema.namespace ?? ns;
      const full = schema.name.includes('.') || !space ? schema.name : `${space}.${schema.name}`;
      named.set(full, schema);
      named.set(schema.name, schema);
      ns = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
    }
    for (const f of schema.fields ?? []) namedTypes(f.type, named, ns);
    if (schema.items) namedTypes(schema.items, named, ns);
    if (schema.values) namedTypes(schema.values, named, ns);
    if (typeof schema.type === 'object') namedTypes(schema.type, named, ns);
  }
  return named;
}

/** Java's GenericData.toString form of a value of `schema` (JSON), brought into dsc's form. */
function normalize(v, schema, named) {
  if (v === null) return null;
  if (typeof schema === 'string' && named.has(schema)) schema = named.get(schema);
  if (Array.isArray(schema)) {
    // Only ['null', X] unions here: Java writes X's value unwrapped.
    return normalize(
      v,
      schema.find((t) => t !== 'null'),
      named,
    );
  }
  if (typeof schema === 'object' && typeof schema.type === 'object') return normalize(v, schema.type, named);
  const name = typeof schema === 'string' ? schema : schema.type;
  const lt = typeof schema === 'object' ? schema.logicalType : undefined;
  const rawBytes = () => (name === 'fixed' ? Buffer.from(v.map((b) => b & 0xff)) : Buffer.from(v, 'latin1'));
  if (lt === 'decimal' && (name === 'bytes' || name === 'fixed')) return decimalOf(rawBytes(), schema.scale ?? 0);
  if (name === 'bytes' || name === 'fixed') return rawBytes().toString('base64');
  if (name === 'long' && lt) {
    const zone = !lt.startsWith('local-');
    if (/timestamp-millis$/.test(lt)) return isoOf(v, 1n, 3, zone);
    if (/timestamp-micros$/.test(lt)) return isoOf(v, 1000n, 6, zone);
    if (lt === 'time-micros') return timeOf(v, 1_000_000, 6);
  }
  if (name === 'int' && lt === 'date') return new Date(v * 86_400_000).toISOString().slice(0, 10);
  if (name === 'int' && lt === 'time-millis') return timeOf(v, 1000, 3);
  if (name === 'float') return shortestFloat(Math.fround(v));
  if (name === 'record' || name === 'error') {
    const out = {};
    for (const f of schema.fields) {
      const x = normalize(v[f.name], f.type, named);
      if (x !== null) out[f.name] = x;
    }
    return out;
  }
  if (name === 'map') {
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x, schema.values, named);
      if (n !== null) out[k] = n;
    }
    return out;
  }
  if (name === 'array') return v.map((x) => normalize(x, schema.items, named));
  return v;
}

/** Compares one dsc JSON text with one Java JSON text; undefined when equal under the rules, else both forms. */
function compare(dscText, javaText, schema, named) {
  const want = canonical(normalize(JSON.parse(javaText), schema, named));
  const got = canonical(JSON.parse(dscText));
  return want === got ? undefined : `dsc ${got}\n    java (normalized) ${want}\n    java ${javaText}`;
}

const mode = process.argv[2];
if (mode === 'types') await types(process.argv[3], Number(process.argv[4] ?? 20000));
else if (mode === 'topics') await topics(...process.argv.slice(3));
else {
  console.error(
    'usage: avro-json-check.mjs topics BROKERS SCHEMA_FILE DSC_TOPIC PEER_TOPIC | types JAVA_CLASSPATH [N]',
  );
  process.exit(2);
}

async function types(classpath, n) {
  const dec = (p, s) => ({ type: 'bytes', logicalType: 'decimal', precision: p, scale: s });
  const schema = {
    type: 'record',
    name: 'AllTypes',
    fields: [
      { name: 'b', type: 'boolean' },
      { name: 'i', type: 'int' },
      { name: 'l', type: 'long' },
      { name: 'f', type: 'float' },
      { name: 'd', type: 'double' },
      { name: 's', type: 'string' },
      { name: 'by', type: 'bytes' },
      { name: 'fx', type: { type: 'fixed', name: 'F4', size: 4 } },
      { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B', 'C'] } },
      { name: 'arr', type: { type: 'array', items: ['null', 'long'] } },
      { name: 'm', type: { type: 'map', values: ['null', 'string'] } },
      { name: 'u', type: ['null', 'string'] },
      { name: 'nested', type: { type: 'record', name: 'N', fields: [{ name: 'x', type: ['null', 'int'] }] } },
      { name: 'dec', type: dec(20, 4) },
      { name: 'decf', type: { type: 'fixed', name: 'D8', size: 8, logicalType: 'decimal', precision: 18, scale: 2 } },
      { name: 'date', type: { type: 'int', logicalType: 'date' } },
      { name: 'tms', type: { type: 'int', logicalType: 'time-millis' } },
      { name: 'tus', type: { type: 'long', logicalType: 'time-micros' } },
      { name: 'tsms', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'tsus', type: { type: 'long', logicalType: 'timestamp-micros' } },
      { name: 'ltsms', type: { type: 'long', logicalType: 'local-timestamp-millis' } },
      { name: 'uuid', type: { type: 'string', logicalType: 'uuid' } },
    ],
  };
  let seed = 24;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const int = (k) => Math.floor(rnd() * k);
  const bytes = (k) => Buffer.from(Array.from({ length: k }, () => int(256)));
  const pieces = ['a', 'é', '"', '\\', '\n', '\t', '\u0001', '€', '😀', '/', ' ', 'Z'];
  const str = () => Array.from({ length: int(10) }, () => pieces[int(pieces.length)]).join('');
  const value = () => ({
    b: rnd() < 0.5,
    i: int(2 ** 32) - 2 ** 31,
    l: Math.floor((rnd() - 0.5) * 2 ** 53),
    f: Math.fround((rnd() - 0.5) * 10 ** int(12)),
    d: (rnd() - 0.5) * 10 ** (int(40) - 20),
    s: str(),
    by: bytes(int(8)),
    fx: bytes(4),
    e: ['A', 'B', 'C'][int(3)],
    arr: Array.from({ length: int(4) }, () => (rnd() < 0.3 ? null : int(1e9))),
    m: Object.fromEntries(Array.from({ length: int(4) }, () => [str(), rnd() < 0.3 ? null : str()])),
    u: rnd() < 0.5 ? null : str(),
    nested: { x: rnd() < 0.5 ? null : int(100) },
    dec: bytes(1 + int(9)),
    decf: bytes(8),
    date: int(2_900_000) - 700_000,
    tms: int(86_400_000),
    tus: int(86_400_000) * 1000 + int(1000),
    tsms: Math.floor((rnd() - 0.2) * 2e14),
    tsus: Math.floor((rnd() - 0.2) * 2e15),
    ltsms: Math.floor(rnd() * 2e12),
    uuid: '123e4567-e89b-12d3-a456-426614174000',
  });
  const type = avro.Type.forSchema(schema);
  const named = namedTypes(schema);
  const writer = new AvroJsonWriter(schema);
  const dir = mkdtempSync(join(tmpdir(), 'dsc-avro-check-'));
  writeFileSync(join(dir, 'schema.avsc'), JSON.stringify(schema));
  const buffers = Array.from({ length: n }, () => type.toBuffer(value()));
  const java = spawnSync(
    process.env.JAVA || 'java',
    ['-cp', classpath, 'dsc.bench.TigerGraphStyleAvroConverter', join(dir, 'schema.avsc')],
    { input: buffers.map((b) => b.toString('hex')).join('\n') + '\n', maxBuffer: 1 << 30, encoding: 'utf8' },
  );
  if (java.status !== 0) throw new Error(`java peer failed: ${java.stderr}`);
  const lines = java.stdout.split('\n');
  const sink = new JsonSink();
  let different = 0;
  let first;
  buffers.forEach((buf, k) => {
    sink.pos = 0;
    writer.writeAll(buf, 0, buf.length, sink);
    const diff = compare(sink.buf.toString('utf8', 0, sink.pos), lines[k], schema, named);
    if (diff) {
      different++;
      first ??= `record ${k}: ${diff}`;
    }
  });
  console.log(`checked=${n} different=${different} (every Avro type; Java GenericDatumReader vs dsc, after the rules)`);
  if (first) console.log(`  first difference: ${first}`);
}

async function topics(brokers, schemaFile, dscTopic, peerTopic) {
  const { batchesIn, decodeRecords } = await import('../../dist/shared/kafka/batch/record-batch-reader.js');
  const { wireClient } = await import('../../dist/shared/kafka/wire/wire-client.js');
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
  const named = namedTypes(schema);
  const client = wireClient({ brokers: brokers.split(','), security: { protocol: 'PLAINTEXT' } }, 'dsc-avro-check');
  const admin = client.admin();
  await admin.connect();
  /** Every committed record of one partition, in offset order. */
  async function* read(topic, partition, end) {
    const consumer = client.consumer({ maxBytes: 16 << 20, partitionMaxBytes: 16 << 20, maxWaitMs: 100 });
    await consumer.connect();
    consumer.assign([{ topic, partition, offset: 0n }]);
    try {
      while (consumer.positions()[0].offset < end) {
        for (const f of await consumer.fetch()) {
          if (f.error) throw new Error(`${topic}-${partition}: ${f.error}`);
          for (const b of batchesIn(f.records)) if (!b.header.control) yield* decodeRecords(b.bytes, b.header);
        }
      }
    } finally {
      await consumer.close();
    }
  }
  const same = (a, b) => (a === null ? b === null : b !== null && a.equals(b));
  let checked = 0;
  let different = 0;
  let first;
  try {
    const ends = new Map((await admin.latestOffsets(peerTopic)).map((p) => [p.partition, p.offset]));
    for (const { partition, offset } of await admin.latestOffsets(dscTopic)) {
      const peer = read(peerTopic, partition, ends.get(partition) ?? 0n);
      for await (const r of read(dscTopic, partition, offset)) {
        const p = (await peer.next()).value;
        checked++;
        let diff;
        if (!p) diff = 'missing in the peer topic';
        else if (!same(r.key, p.key) || r.timestamp !== p.timestamp) diff = 'key or timestamp differs';
        else if (
          r.headers.length !== p.headers.length ||
          r.headers.some(([k, v], i) => !same(k, p.headers[i][0]) || !same(v, p.headers[i][1]))
        )
          diff = 'headers differ';
        else diff = compare(r.value.toString('utf8'), p.value.toString('utf8'), schema, named);
        if (diff) {
          different++;
          first ??= `partition ${partition} record ${checked}: ${diff}`;
        }
      }
      if (!(await peer.next()).done) {
        different++;
        first ??= `partition ${partition}: the peer topic has more records`;
      }
    }
  } finally {
    await admin.close();
  }
  console.log(`checked=${checked} different=${different}`);
  if (first) console.log(`  first difference: ${first}`);
}
