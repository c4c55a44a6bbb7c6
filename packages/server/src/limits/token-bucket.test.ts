import { describe, expect, it } from 'vitest';
import { fullBucket, secondsUntilToken, takeToken } from './token-bucket.js';

/** A bucket as the session keeps it, with the old class's shape for readable tables. */
class TokenBucket {
  private readonly state;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.state = fullBucket(burst, nowMs);
  }
  take(nowMs: number): boolean {
    return takeToken(this.state, nowMs, this.rate, this.burst);
  }
}

/** Runs `take` at each time and returns which were allowed. */
function takes(bucket: TokenBucket, timesMs: readonly number[]): boolean[] {
  return timesMs.map((t) => bucket.take(t));
}

describe('TokenBucket', () => {
  it('starts full at burst and refuses once empty', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect(takes(bucket, [0, 0, 0, 0, 0])).toEqual([true, true, true, false, false]);
  });

  it.each<[rate: number, burst: number, timesMs: number[], expected: boolean[]]>([
    [10, 1, [0, 0, 100, 100, 200], [true, false, true, false, true]], // one token per 100 ms
    [10, 1, [0, 50, 99, 100], [true, false, false, true]],
    [10, 1, [0, 50, 100], [true, false, true]], // a refused take keeps the part-token it earned
    [100, 2, [0, 0, 0, 10, 20, 30], [true, true, false, true, true, true]], // sustains exactly the rate
    [0.5, 1, [0, 1000, 1999, 2000], [true, false, false, true]], // less than one per second
    // refill stops at burst
    [
      10,
      3,
      [0, 0, 0, 3_600_000, 3_600_000, 3_600_000, 3_600_000],
      [true, true, true, true, true, true, false],
    ],
  ])('rate %s/s, burst %s at %j → %j', (rate, burst, timesMs, expected) => {
    expect(takes(new TokenBucket(rate, burst, 0), timesMs)).toEqual(expected);
  });

  it('gives nothing for time going backwards and refills from the latest time seen', () => {
    const bucket = new TokenBucket(10, 1, 1000);
    expect(bucket.take(1000)).toBe(true);
    expect(bucket.take(500)).toBe(false);
    expect(bucket.take(1050)).toBe(false);
    expect(bucket.take(1100)).toBe(true);
  });

  it('counts from the creation time, not from zero', () => {
    const bucket = new TokenBucket(1, 1, 1_700_000_000_000);
    expect(bucket.take(1_700_000_000_000)).toBe(true);
    expect(bucket.take(1_700_000_000_500)).toBe(false);
    expect(bucket.take(1_700_000_001_000)).toBe(true);
  });
});

describe('takeToken with a cost', () => {
  it('lets a cost above the burst pass once, then waits out the debt', () => {
    const state = fullBucket(10, 0);
    expect(takeToken(state, 0, 10, 10, 25)).toBe(true);
    expect(state.rateTokens).toBe(-15);
    // 16 tokens at 10/s: refused until 1.6 s later
    expect(takeToken(state, 1500, 10, 10)).toBe(false);
    expect(secondsUntilToken(state, 10)).toBeCloseTo(0.1);
    expect(takeToken(state, 1600, 10, 10)).toBe(true);
  });

  it('says 0 s while a token is there', () => {
    expect(secondsUntilToken(fullBucket(3, 0), 1)).toBe(0);
  });
});
