import { describe, expect, it } from 'vitest';
import { consecutiveRuns } from './read-page.js';

describe('consecutiveRuns', () => {
  it.each<[seqs: number[], runs: [lo: number, hi: number][]]>([
    [[], []],
    [[7], [[7, 7]]],
    [[1, 2, 3], [[1, 3]]],
    [[3, 2, 1], [[1, 3]]], // a newest-first read
    [
      [1, 2, 4, 5, 9],
      [
        [1, 2],
        [4, 5],
        [9, 9],
      ],
    ],
    [
      [9, 5, 4, 2, 1],
      [
        [9, 9],
        [4, 5],
        [1, 2],
      ],
    ],
    [
      [1, 3, 5],
      [
        [1, 1],
        [3, 3],
        [5, 5],
      ],
    ],
  ])('%j → %j', (seqs, runs) => {
    expect(consecutiveRuns(seqs).map((r) => [r.lo, r.hi])).toEqual(runs);
  });
});
