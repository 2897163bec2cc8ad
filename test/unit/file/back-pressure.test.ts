// The reader pulls: a slow consumer slows reading, and memory stays flat however big the file.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readRecords } from '../../../shared/file/readers/read-records.js';
import { readerSpec } from './reader-fixtures.js';

describe('back-pressure', () => {
  it('reads a 50 MB stream with a slow consumer without running ahead or growing memory', async () => {
    const total = 50 * 1024 * 1024;
    const line = Buffer.from('0123456789,abcdefghij,ABCDEFGHIJ,0123456789,abcdefghi\n'); // 55 bytes
    const chunk = Buffer.concat(Array.from({ length: Math.ceil(65536 / line.length) }, () => line));
    let produced = 0;
    const input = new Readable({
      read() {
        if (produced >= total) return void this.push(null);
        produced += chunk.length;
        this.push(chunk);
      },
    });
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let maxHeapGrowth = 0;
    let maxAhead = 0;
    let count = 0;
    for await (const r of readRecords(input, { format: 'delimited', reader: readerSpec(), skipHeader: false })) {
      count++;
      if (count % 2000 === 0) {
        // The slow part of a consumer: a network send.
        await new Promise((resolve) => setImmediate(resolve));
        maxAhead = Math.max(maxAhead, produced - r.endOffset);
        maxHeapGrowth = Math.max(maxHeapGrowth, process.memoryUsage().heapUsed - heapBefore);
      }
    }
    expect(count).toBe(Math.ceil(total / chunk.length) * (chunk.length / line.length));
    // Only the stream's buffers (a few 64 KiB chunks) are ahead of the consumer, never the file.
    expect(maxAhead).toBeLessThan(1024 * 1024);
    expect(maxHeapGrowth).toBeLessThan(100 * 1024 * 1024);
  });
});
