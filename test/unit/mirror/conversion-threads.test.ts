// How many conversion threads a mirror connector starts (conversion-pool.ts) and the inline path's reuse of
// acknowledged batch buffers (record-conversion.ts).
import { describe, expect, it } from 'vitest';
import { conversionThreads } from '../../../shared/mirror/conversion-pool.js';
import { BufferRecycler, bufferSize } from '../../../shared/mirror/record-conversion.js';

describe('conversion threads', () => {
  it("one per task up to the cores less one (the tasks' thread), one with a second core, none on one core", () => {
    expect(conversionThreads(1, undefined, 2)).toBe(1);
    expect(conversionThreads(3, undefined, 2)).toBe(1);
    expect(conversionThreads(3, undefined, 4)).toBe(3);
    expect(conversionThreads(6, undefined, 4)).toBe(3);
    expect(conversionThreads(2, undefined, 8)).toBe(2);
    expect(conversionThreads(1, undefined, 1)).toBe(0);
    expect(conversionThreads(4, undefined, 1)).toBe(0);
  });

  it('DSC_MIRROR_CONVERSION_THREADS decides when set; a bad value is named', () => {
    expect(conversionThreads(1, '0', 8)).toBe(0);
    expect(conversionThreads(1, '3', 1)).toBe(3);
    expect(conversionThreads(2, ' ', 2)).toBe(1); // blank: the default
    expect(() => conversionThreads(1, '-1', 2)).toThrow('DSC_MIRROR_CONVERSION_THREADS=-1 is not a thread count');
  });
});

describe('batch buffers', () => {
  it('a released buffer is taken again when big enough; at most `keep` are kept', () => {
    const r = new BufferRecycler(2);
    const [a, b, c] = [Buffer.alloc(10), Buffer.alloc(100), Buffer.alloc(1000)];
    r.give(a);
    r.give(b);
    r.give(c); // over `keep`: dropped
    expect(r.take(50)).toBe(b);
    expect(r.take(50)).toBeUndefined();
    expect(r.take(5)).toBe(a);
    expect(r.take(1)).toBeUndefined();
  });

  it('sizes round up to powers of two from 64 KiB', () => {
    expect([1, 65536, 65537, 300_000].map(bufferSize)).toEqual([65536, 65536, 131072, 524288]);
  });
});
