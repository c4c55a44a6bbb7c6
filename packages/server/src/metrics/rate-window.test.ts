import { describe, expect, it } from 'vitest';
import { RateWindow } from './rate-window.js';

/** A whole second, so offsets read as seconds into the window. */
const T = 1_700_000_000_000;
const at = (seconds: number): number => T + seconds * 1000;

describe('RateWindow', () => {
  it('reads 0 before anything is counted', () => {
    expect(new RateWindow().perSecond(at(0))).toBe(0);
  });

  it.each<
    [label: string, adds: [count: number, seconds: number][], readAt: number, expected: number]
  >([
    ['one second of counts', [[10, 0]], 0, 1],
    [
      'counts in one second add up',
      [
        [4, 0],
        [6, 0.999],
      ],
      0.5,
      1,
    ],
    [
      'counts across the window add up',
      [
        [5, 0],
        [5, 3],
        [10, 9.5],
      ],
      9.9,
      2,
    ],
    ['a count stays for 10 seconds', [[10, 0]], 9.999, 1], // still in the oldest bucket
    ['and leaves on the 10th second after', [[10, 0]], 10, 0],
    [
      'only the old second leaves',
      [
        [10, 0],
        [20, 5],
      ],
      12,
      2,
    ],
    [
      'a long gap clears everything',
      [
        [10, 0],
        [20, 5],
      ],
      125,
      0,
    ],
    // the gap wiped the first count
    [
      'a late count after a gap',
      [
        [10, 0],
        [30, 40],
      ],
      40,
      3,
    ],
    ['fractional rates', [[3, 0]], 1, 0.3],
  ])('%s', (_label, adds, readAt, expected) => {
    const window = new RateWindow();
    for (const [count, seconds] of adds) window.add(count, at(seconds));
    expect(window.perSecond(at(readAt))).toBeCloseTo(expected, 10);
  });

  it('does not lose counts by reading', () => {
    const window = new RateWindow();
    window.add(10, at(0));
    expect(window.perSecond(at(3))).toBe(1);
    expect(window.perSecond(at(3))).toBe(1);
    window.add(10, at(4));
    expect(window.perSecond(at(9))).toBe(2);
    expect(window.perSecond(at(11))).toBe(1);
  });
});
