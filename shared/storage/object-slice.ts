// Random access to a stored object on top of the storage port's ranged `read` (no adapter needs to know about it):
// hyparquet's AsyncBuffer — `byteLength` and `slice(start, end)` — for every adapter, local, gs:// and any other.
import type { ObjectStorage } from './object-storage.js';

export interface ObjectSlices {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/** `size` and `generation` as the planner saw them: every slice reads exactly that generation. */
export function objectSlices(storage: ObjectStorage, uri: string, size: number, generation?: string): ObjectSlices {
  return {
    byteLength: size,
    async slice(start, end = size) {
      const from = Math.max(0, Math.min(start, size));
      const to = Math.max(from, Math.min(end, size));
      const out = new Uint8Array(to - from);
      if (to === from) return out.buffer;
      let at = 0;
      const stream = storage.read(uri, { range: { start: from, end: to }, ...(generation && { generation }) });
      for await (const chunk of stream) {
        const c = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
        const n = Math.min(c.length, out.length - at);
        out.set(n === c.length ? c : c.subarray(0, n), at);
        at += n;
      }
      // A short read (the object shrank, or a torn stream) must not pass for zeros.
      if (at !== out.length) throw new Error(`short read of ${uri}: ${at} of ${out.length} bytes at ${from}`);
      return out.buffer;
    },
  };
}
