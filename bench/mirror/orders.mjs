/* global Buffer */
// The Avro records of the mirror benchmarks (bench/mirror/avro-source.mjs fills a topic with them,
// bench/mirror-avro-bench.ts converts them alone): an Order of ~160 bytes with a union, a decimal, a timestamp and an array.
export const orderSchema = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: 'string' },
    { name: 'email', type: ['null', 'string'] },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
    { name: 'createdAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'items', type: { type: 'array', items: 'string' } },
    { name: 'note', type: 'string' },
  ],
};

/** The i-th order. */
export const order = (i) => ({
  id: 1_000_000_000 + i,
  customer: `customer-${i}`,
  email: i % 3 ? `c${i}@example.com` : null,
  amount: Buffer.from([0x01, i % 256]),
  createdAt: 1_700_000_000_000 + i,
  items: ['sku-1', 'sku-22', 'sku-333'],
  note: 'x'.repeat(90),
});
