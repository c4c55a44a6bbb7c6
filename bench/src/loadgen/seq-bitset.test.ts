import { describe, expect, it } from 'vitest';
import { SeqBitset } from './seq-bitset.js';

describe('SeqBitset', () => {
  it.each([
    ['in order', [1, 2, 3, 4], 4, { missing: 0, duplicates: 0 }],
    // A restart's retried publishes may land far out of order: nothing is declared lost early.
    [
      'hundreds out of order',
      [500, ...Array.from({ length: 499 }, (_, i) => i + 1)],
      500,
      { missing: 0, duplicates: 0 },
    ],
    ['a gap', [1, 3], 3, { missing: 1, duplicates: 0 }],
    ['the tail missing', [1, 2], 5, { missing: 3, duplicates: 0 }],
    ['nothing arrived', [], 3, { missing: 3, duplicates: 0 }],
    ['a repeat', [1, 2, 2], 2, { missing: 0, duplicates: 1 }],
    // A client that resumes must not get again what it had before the restart.
    ['a repeat long after', [1, 2, 3, 700, 2], 3, { missing: 0, duplicates: 1 }],
    [
      'growing past the first bytes',
      [1, 129, 1025, 100_000],
      100_000,
      { missing: 99_996, duplicates: 0 },
    ],
  ])('%s', (_name, seqs, last, expected) => {
    const b = new SeqBitset();
    for (const s of seqs) b.record(s);
    expect({ missing: b.missing(1, last), duplicates: b.duplicates }).toEqual(expected);
    expect(b.distinct).toBe(new Set(seqs).size);
  });

  it('says whether a delivery is the first, and counts a range', () => {
    const b = new SeqBitset(1);
    expect(b.record(9)).toBe(true);
    expect(b.record(9)).toBe(false);
    expect(b.has(9)).toBe(true);
    expect(b.has(8)).toBe(false);
    expect(b.has(1_000_000)).toBe(false);
    expect(b.missing(5, 10)).toBe(5);
    expect(b.missing(9, 9)).toBe(0);
    expect(b.missing(11, 10)).toBe(0); // an empty range
  });
});
