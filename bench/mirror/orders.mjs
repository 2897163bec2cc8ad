/* global Buffer */
// The Avro records of the mirror benchmarks (bench/mirror/avro-source.mjs fills a topic with them,
// bench/mirror-avro-bench.ts converts them alone, bench/peers/avro/ checks the Java peer against them): a realistic
// Order (~155 bytes of Avro, ~560 of JSON), 14 fields: a nested record, an enum, an array of records, a map, unions with null, decimals,
// timestamps (millis and micros), a date, a boolean, a double, and strings with non-ASCII text and characters JSON escapes.
export const orderSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'bench.shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'orderNumber', type: 'string' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED', 'CANCELLED'] } },
    {
      name: 'customer',
      type: {
        type: 'record',
        name: 'Customer',
        fields: [
          { name: 'id', type: 'long' },
          { name: 'name', type: 'string' },
          { name: 'email', type: ['null', 'string'], default: null },
          { name: 'country', type: 'string' },
        ],
      },
    },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
    { name: 'currency', type: 'string' },
    { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'updatedAt', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }], default: null },
    { name: 'shipDate', type: ['null', { type: 'int', logicalType: 'date' }], default: null },
    {
      name: 'items',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Item',
          fields: [
            { name: 'sku', type: 'string' },
            { name: 'quantity', type: 'int' },
            { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
          ],
        },
      },
    },
    { name: 'attributes', type: { type: 'map', values: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'giftWrap', type: 'boolean' },
    { name: 'weightKg', type: 'double' },
  ],
};

/** Two's complement big-endian bytes of an integer (a decimal's unscaled value). */
const unscaled = (n) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

const COUNTRIES = ['DE', 'FR', 'US', 'JP', 'BR', 'IN'];
const NAMES = ['Ada Lovelace', 'Jürgen Müller', 'Søren Kierkegaard', 'Zoë Saldaña', '李小龙', 'Chloé "Coco" Dubois'];

/** The i-th order (deterministic: the checks recompute it). */
export const order = (i) => ({
  id: 1_000_000_000 + i,
  orderNumber: `ORD-${String(i).padStart(9, '0')}`,
  status: ['NEW', 'PAID', 'SHIPPED', 'CANCELLED'][i % 4],
  customer: {
    id: 500_000 + (i % 9973),
    name: NAMES[i % NAMES.length],
    email: i % 3 ? `customer${i % 9973}@example.com` : null,
    country: COUNTRIES[i % COUNTRIES.length],
  },
  amount: unscaled(((i * 7919) % 1_000_000) - 1000),
  currency: 'EUR',
  createdAt: 1_700_000_000_000 + i * 37,
  updatedAt: i % 2 ? 1_700_000_000_000_000 + i * 37_001 : null,
  shipDate: i % 5 ? 19_700 + (i % 365) : null,
  items: Array.from({ length: 1 + (i % 3) }, (_, j) => ({
    sku: `SKU-${(i + j) % 1000}`,
    quantity: 1 + ((i + j) % 4),
    price: unscaled(199 + ((i * 31 + j) % 50_000)),
  })),
  attributes: i % 2 ? { channel: 'web', campaign: `spring-${i % 7}` } : { channel: 'store' },
  note: i % 4 === 0 ? `Leave at the door\n"fragile" ✓ ${i}` : null,
  giftWrap: i % 7 === 0,
  weightKg: ((i % 400) + 1) / 8,
});
