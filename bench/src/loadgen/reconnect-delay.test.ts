import { describe, expect, it } from 'vitest';
import { reconnectDelayMs, SDK_BACKOFF } from './reconnect-delay.js';

describe('reconnectDelayMs', () => {
  it.each([
    // attempt, server delay_ms, random, expected
    [0, 10_000, 0.5, 5000], // the `reconnect` push's window, [0, delay_ms]
    [0, 10_000, 0.999, 9990],
    [0, 0, 0.7, 0], // delay_ms 0: at once
    [0, undefined, 1, 500], // no push (a kill, a peer): the backoff floor
    [1, 10_000, 1, 1000], // the push only decides the first attempt; then backoff
    [3, undefined, 0.5, 2000], // 500 · 2^3 = 4000, half of it
    [10, undefined, 1, 20_000], // capped at the ceiling
    [1e6, undefined, 1, 20_000], // a huge attempt count neither overflows nor goes NaN
  ])('attempt %i, delay_ms %s, random %f → %f ms', (attempt, serverDelayMs, random, expected) => {
    expect(reconnectDelayMs(attempt, serverDelayMs, SDK_BACKOFF, () => random)).toBeCloseTo(
      expected,
      6,
    );
  });
});
