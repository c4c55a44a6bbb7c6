import { describe, expect, it } from 'vitest';
import { AHEAD_BITS, DUPLICATE, recordSeq, settleSeq, type SeqWindow } from './seq-window.js';

/** Feeds `seqs` in order, then settles at `last`: [sum of lost, duplicates]. */
function account(seqs: number[], last: number): [number, number] {
  const w: SeqWindow = { nextSeq: 1, ahead: 0 };
  let lost = 0;
  let dup = 0;
  for (const s of seqs) {
    const r = recordSeq(w, s);
    if (r === DUPLICATE) dup++;
    else lost += r;
  }
  return [lost + settleSeq(w, last), dup];
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('recordSeq and settleSeq', () => {
  it.each([
    ['in order', [1, 2, 3, 4], 4, [0, 0]],
    ['reordered within the window', [2, 1, 4, 3], 4, [0, 0]],
    ['20 concurrent publishes reversed', range(1, 20).reverse(), 20, [0, 0]],
    ['a gap', [1, 3], 3, [1, 0]],
    ['the tail missing', [1, 2], 5, [3, 0]],
    ['nothing arrived', [], 3, [3, 0]],
    ['a repeat', [1, 2, 2], 2, [0, 1]],
    ['a repeat ahead of a gap', [1, 3, 3, 2], 3, [0, 1]],
    // A jump past the window counts the hole at once; what was marked ahead is not lost.
    ['a jump past the window', [2, 3, AHEAD_BITS + 10], AHEAD_BITS + 10, [AHEAD_BITS + 7, 0]],
    ['a straggler after a jump', [AHEAD_BITS + 5, 1], AHEAD_BITS + 5, [AHEAD_BITS + 4, 1]],
  ])('%s', (_name, seqs, last, expected) => {
    expect(account(seqs, last)).toEqual(expected);
  });

  it('keeps what arrived beyond the settled sequence', () => {
    const w: SeqWindow = { nextSeq: 1, ahead: 0 };
    for (const s of [1, 4, 6]) recordSeq(w, s);
    expect(settleSeq(w, 4)).toBe(2); // 2 and 3
    expect(w.nextSeq).toBe(5);
    expect(recordSeq(w, 5)).toBe(0);
    expect(w.nextSeq).toBe(7); // 6 was remembered
    expect(recordSeq(w, 3)).toBe(DUPLICATE); // a straggler after settling
  });

  it('settling twice at the same sequence counts nothing more', () => {
    const w: SeqWindow = { nextSeq: 1, ahead: 0 };
    expect(settleSeq(w, 10)).toBe(10);
    expect(settleSeq(w, 10)).toBe(0);
  });
});
