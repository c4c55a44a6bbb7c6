import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('RecentIds: a tab delivers each event once', () => {
  it.each<[string, number, string[], boolean[]]>([
    ['new ids are first', 3, ['a', 'b', 'c'], [true, true, true]],
    ['a replayed id is not', 3, ['a', 'b', 'a', 'b'], [true, true, false, false]],
    // The oldest id leaves when the window is full: memory stays bounded.
    [
      'an id older than the window counts as new again',
      2,
      ['a', 'b', 'c', 'a'],
      [true, true, true, true],
    ],
    [
      'a recent id inside a full window is still known',
      2,
      ['a', 'b', 'c', 'c'],
      [true, true, true, false],
    ],
  ])('%s', (_name, capacity, ids, expected) => {
    const recent = new RecentIds(capacity);
    expect(ids.map((id) => recent.firstTime(id))).toEqual(expected);
    expect(recent.size).toBeLessThanOrEqual(capacity);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %s', (capacity) => {
    expect(() => new RecentIds(capacity)).toThrow(RangeError);
  });
});
