import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry-schedule.js';

const schedule = { baseMs: 1000, capMs: 600_000, maxAttempts: 8 };

describe('retryDelayMs', () => {
  it.each([
    // [failed attempts, random, delay]
    [1, 0.999_999, 999],
    [1, 0, 0],
    [2, 0.5, 1000],
    [3, 0.5, 2000],
    [7, 0.5, 32_000],
    [4, 0.25, 2000],
  ])('after %i failed attempt(s) with random %f waits %i ms', (failed, random, delay) => {
    expect(retryDelayMs(failed, schedule, () => random)).toBe(delay);
  });

  it('stops at maxAttempts: no retry after the last attempt', () => {
    expect(retryDelayMs(8, schedule, () => 0.5)).toBeUndefined();
    expect(retryDelayMs(9, schedule, () => 0.5)).toBeUndefined();
  });

  it('never goes past the cap, even where 2^n overflows', () => {
    const long = { baseMs: 1000, capMs: 600_000, maxAttempts: 5000 };
    expect(retryDelayMs(21, long, () => 0.5)).toBe(300_000);
    expect(retryDelayMs(2000, long, () => 0.999)).toBe(599_400);
  });
});
