import { describe, expect, it } from 'vitest';
import { SendRate } from './send-rate.js';

describe('SendRate', () => {
  it('lets a burst through, then refuses until the bucket refills', () => {
    const rate = new SendRate(2, 3);
    expect([1, 2, 3, 4].map(() => rate.take('acme', 'alice', 0))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(rate.take('acme', 'alice', 400)).toBe(false); // 0.8 of a token
    expect(rate.take('acme', 'alice', 500)).toBe(true); // one token after 500 ms at 2/s
  });

  it('keeps users and tenants apart', () => {
    const rate = new SendRate(1, 1);
    expect(rate.take('acme', 'alice', 0)).toBe(true);
    expect(rate.take('acme', 'alice', 0)).toBe(false);
    expect(rate.take('acme', 'bob', 0)).toBe(true);
    expect(rate.take('globex', 'alice', 0)).toBe(true);
  });

  it('forgets users whose bucket has refilled', () => {
    const rate = new SendRate(10, 2);
    for (let i = 0; i < 10; i++) rate.take('acme', `u${i}`, 0);
    expect(rate.size).toBe(10);
    // 200 ms later every bucket is full again: each take sweeps a few of them.
    for (let i = 0; i < 5; i++) rate.take('acme', 'busy', 200);
    expect(rate.size).toBeLessThan(10);
    expect(rate.size).toBeGreaterThan(0);
  });

  it('stays within its bound when every user is busy', () => {
    const rate = new SendRate(1, 5, 100);
    for (let i = 0; i < 1000; i++) rate.take('acme', `u${i}`, 0);
    expect(rate.size).toBeLessThanOrEqual(100);
  });
});
