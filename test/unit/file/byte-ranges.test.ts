// Property-style: however a file is cut into byte ranges, the ranges together yield every record exactly once, in
// order, with the same values and end offsets as one read of the whole file.
import { describe, expect, it } from 'vitest';
import { rangeOpenOffset, splittable } from '../../../shared/file/readers/read-records.js';
import type { ReadResult } from '../../../shared/file/record.js';
import { readAll, readerSpec } from './reader-fixtures.js';

function prng(seed: number): () => number {
  // mulberry32: reproducible cuts, so a failure can be replayed.
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['a', 'bb', 'é', '€uro', '𝄞', 'x,y', '', ' ', 'long-ish-field'];

function makeFile(random: () => number, eol: string, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = Math.floor(random() * 5);
    const fields: string[] = [];
    for (let j = 0; j < n; j++) fields.push(WORDS[Math.floor(random() * WORDS.length)]);
    out.push(`${i}:${fields.join(',')}`.slice(0, random() < 0.1 ? 0 : undefined));
  }
  return out.join(eol) + (random() < 0.5 ? eol : '');
}

const key = (r: ReadResult): string => `${r.kind === 'record' ? r.value : 'bad'}@${r.endOffset}`;

async function readRanges(bytes: Buffer, cuts: number[], eol: string, format: 'delimited' | 'jsonl' = 'delimited') {
  const bounds = [0, ...cuts, bytes.length];
  const all: ReadResult[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [start, end] = [bounds[i], bounds[i + 1]];
    const open = rangeOpenOffset(start, readerSpec({ eol }));
    // The stream runs to the end of the file, as a storage read from `open` would: the reader stops at `end`.
    const part = await readAll(bytes.subarray(open), {
      spec: { eol },
      startOffset: open,
      rangeStart: start,
      endOffset: end,
      chunkSize: 1 + (i % 17),
      format,
    });
    all.push(...part);
  }
  return all;
}

describe('byte ranges', () => {
  for (const eol of ['\n', '\r\n', '\u2028', '<br>']) {
    it(`split anywhere yields every line exactly once, in order (eol ${JSON.stringify(eol)})`, async () => {
      const random = prng(eol.length * 7919);
      for (let round = 0; round < 40; round++) {
        const bytes = Buffer.from(makeFile(random, eol, 1 + Math.floor(random() * 60)), 'utf8');
        const whole = (await readAll(bytes, { spec: { eol } })).map(key);
        // Cuts: random positions (inside multi-byte characters too) plus exact line boundaries and eol insides.
        const cuts = new Set<number>();
        const count = 1 + Math.floor(random() * 8);
        for (let c = 0; c < count; c++) cuts.add(1 + Math.floor(random() * Math.max(1, bytes.length - 1)));
        for (let p = bytes.indexOf(eol); p >= 0 && cuts.size < count + 4; p = bytes.indexOf(eol, p + 1)) {
          if (random() < 0.3) cuts.add(p + eol.length);
          if (random() < 0.2 && eol.length > 1) cuts.add(p + 1);
          if (random() < 0.2) cuts.add(p);
        }
        const sorted = [...cuts].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b);
        const ranged = (await readRanges(bytes, sorted, eol)).map(key);
        expect(ranged, `round ${round} cuts ${sorted.join(',')}`).toEqual(whole);
      }
    });
  }

  it('cuts at every single byte position of a small file', async () => {
    const bytes = Buffer.from('ab\n\nçé€\n𝄞,x\r\nlast', 'utf8');
    const whole = (await readAll(bytes)).map(key);
    for (let cut = 1; cut < bytes.length; cut++) {
      for (let cut2 = cut + 1; cut2 <= bytes.length; cut2++) {
        expect(
          (
            await readRanges(
              bytes,
              [cut, cut2].filter((c) => c < bytes.length),
              '\n',
            )
          ).map(key),
        ).toEqual(whole);
      }
    }
  });

  it('resumes at a checkpoint (a record end offset) without loss or repeat', async () => {
    const text = 'h\n1\n\n2\n3é\n4\n';
    const bytes = Buffer.from(text);
    const whole = await readAll(bytes, { skipHeader: true });
    for (let k = 0; k < whole.length; k++) {
      const checkpoint = whole[k].endOffset;
      const open = rangeOpenOffset(checkpoint, readerSpec());
      const rest = await readAll(bytes.subarray(open), { skipHeader: true, startOffset: open, rangeStart: checkpoint });
      expect(rest.map(key)).toEqual(whole.slice(k + 1).map(key));
    }
  });

  it('refuses byte ranges where they cannot be exact', () => {
    expect(splittable('delimited', readerSpec())).toBe(true);
    expect(splittable('jsonl', readerSpec({ quote: '"' }))).toBe(true);
    expect(splittable('delimited', readerSpec({ quote: '"' }))).toBe(false);
    expect(splittable('delimited', readerSpec({ eol: '||' }))).toBe(false);
  });

  it('drops the partial first line when startOffset > 0, and leaves line numbers undefined', async () => {
    const rs = await readAll('tail of previous\nmine\n', { startOffset: 100 });
    expect(rs).toEqual([{ kind: 'record', value: 'mine', line: undefined, endOffset: 122 }]);
  });
});
