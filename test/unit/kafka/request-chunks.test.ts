import { describe, expect, it } from 'vitest';
import { recordBytes, requestChunks } from '../../../shared/kafka/request-chunks.js';

describe('requestChunks', () => {
  it('splits a 10,000-record batch of ~150-byte lines into requests under the byte and record limits, in order', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      value: `${i},${'x'.repeat(150)}`,
      headers: { 'dsc.source': 'gs://bucket/a/long/path/file.csv', 'dsc.line': String(i + 1) },
    }));
    const chunks = [...requestChunks(messages, 512 * 1024, 1000)];
    expect(chunks.flat()).toEqual(messages);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(1000);
      expect(c.reduce((n, m) => n + recordBytes(m), 0)).toBeLessThanOrEqual(512 * 1024);
    }
    expect(chunks.length).toBe(10);
  });
  it('counts bytes, not characters, and sends an oversized record on its own', () => {
    const big = { value: Buffer.alloc(600 * 1024) };
    const small = { value: 'é'.repeat(1000) };
    expect(recordBytes(small)).toBeGreaterThanOrEqual(2000);
    const chunks = [...requestChunks([small, big, small], 512 * 1024, 1000)];
    expect(chunks.map((c) => c.length)).toEqual([1, 1, 1]);
  });
  it('yields nothing for no records', () => {
    expect([...requestChunks([])]).toEqual([]);
  });
});
