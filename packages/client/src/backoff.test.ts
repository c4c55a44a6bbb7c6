import { describe, expect, it } from 'vitest';
import { backoffCapMs, backoffDelayMs } from './backoff.js';

const defaults = { minMs: 500, maxMs: 20_000 };

describe('backoffCapMs', () => {
  it.each([
    [0, 500],
    [1, 1000],
    [2, 2000],
    [5, 16_000],
    [6, 20_000], // 32 000 capped
    [1000, 20_000], // huge attempt: no overflow to Infinity/NaN
    [-3, 500], // negative treated as 0
    [Number.NaN, 500],
    [2.7, 2000], // fractional attempts floor
  ])('attempt %s -> %s ms', (attempt, cap) => {
    expect(backoffCapMs(attempt, defaults)).toBe(cap);
  });

  it('is 0 when minMs is 0, even for huge attempts (no 0 * Infinity)', () => {
    expect(backoffCapMs(5000, { minMs: 0, maxMs: 1000 })).toBe(0);
  });
});

describe('backoffDelayMs (full jitter)', () => {
  it.each([
    // attempt, random(), expected delay
    [0, 0, 0],
    [0, 0.5, 250],
    [0, 0.999, 499.5],
    [3, 0.25, 1000],
    [3, 1, 4000],
    [10, 0.5, 10_000], // capped at 20 000, then jittered
    [10, 0, 0], // full jitter can reconnect at once
  ])('attempt %s with random %s -> %s ms', (attempt, r, delay) => {
    expect(backoffDelayMs(attempt, defaults, () => r)).toBeCloseTo(delay, 6);
  });

  it('stays within [0, cap) with the real Math.random', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const d = backoffDelayMs(attempt, defaults);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(backoffCapMs(attempt, defaults));
    }
  });

  it('honours custom bounds', () => {
    expect(backoffDelayMs(4, { minMs: 100, maxMs: 1000 }, () => 1)).toBe(1000);
    expect(backoffDelayMs(2, { minMs: 100, maxMs: 1000 }, () => 1)).toBe(400);
  });
});
