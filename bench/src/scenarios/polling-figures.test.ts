import { describe, expect, it } from 'vitest';
import { changedIds, changeLatencies, pollPhaseMs } from './polling-figures.js';

describe('changeLatencies', () => {
  it('gives the slowest client per change and every client delay', () => {
    // 2 clients × 2 changes, client by client; change 1 at 100 ms, change 2 at 200 ms.
    const seen = Float64Array.from([150, 260, 120, 205]);
    const out = changeLatencies(seen, Float64Array.from([100, 200]), 2);
    expect([...out.timeToAllMs]).toEqual([50, 60]);
    expect([...out.perClientMs].sort((a, b) => a - b)).toEqual([5, 20, 50, 60]);
    expect(out.unseen).toBe(0);
  });

  it('counts a change a client never saw, and has no time-to-all for it', () => {
    const seen = Float64Array.from([150, 0, 120, 205]);
    const out = changeLatencies(seen, Float64Array.from([100, 200]), 2);
    expect(out.unseen).toBe(1);
    expect(out.timeToAllMs[0]).toBe(50);
    expect(out.timeToAllMs[1]).toBeNaN();
    expect(out.perClientMs.length).toBe(3);
  });

  it.each([
    // seen a hair before the changer's clock reading: 0, not negative
    [99.5, 0],
    [100, 0],
    [5100, 5000],
  ])('seen at %d ms after a change at 100 ms is %d ms', (at, delay) => {
    const out = changeLatencies(Float64Array.from([at]), Float64Array.from([100]), 1);
    expect(out.timeToAllMs[0]).toBe(delay);
    expect(out.perClientMs[0]).toBe(delay);
  });
});

describe('pollPhaseMs', () => {
  it.each([
    [0, 4, 5000, 0],
    [1, 4, 5000, 1250],
    [3, 4, 5000, 3750],
    [0, 0, 5000, 0], // no clients: no division by zero
  ])('poller %d of %d, every %d ms, polls first at +%d ms', (i, total, interval, phase) => {
    expect(pollPhaseMs(i, total, interval)).toBe(phase);
  });
});

describe('changedIds', () => {
  it('names distinct ids within the table, wrapping at its end', () => {
    for (const version of [1, 2, 633, 5000]) {
      const ids = changedIds(version, 5, 5000);
      expect(new Set(ids).size).toBe(5);
      for (const id of ids) expect(id >= 1 && id <= 5000).toBe(true);
    }
    expect(changedIds(1, 3, 4)).toEqual([4, 1, 2]); // 7919 mod 4 = 3
    expect(changedIds(1, 10, 4)).toHaveLength(4); // never more rows than the table has
  });
});
