import { describe, expect, it } from 'vitest';
import { TenantQuotas } from './tenant-quotas.js';

const unlimited = { maxConnections: 0, publishRate: 0, publishBurst: 0 };

describe('TenantQuotas', () => {
  it('applies the defaults to every tenant and the overrides to theirs', () => {
    const q = new TenantQuotas({ ...unlimited, maxConnections: 2 }, [
      { org: 'big', maxConnections: 3 },
      { org: '__proto__', maxConnections: 1 },
    ]);
    expect([q.takeConnection('a'), q.takeConnection('a'), q.takeConnection('a')]).toEqual([
      true,
      true,
      false,
    ]);
    expect([1, 2, 3, 4].map(() => q.takeConnection('big'))).toEqual([true, true, true, false]);
    expect([q.takeConnection('__proto__'), q.takeConnection('__proto__')]).toEqual([true, false]);
    q.releaseConnection('a');
    expect(q.takeConnection('a')).toBe(true);
  });

  it('counts publishes per tenant and says how long to wait', () => {
    let now = 0;
    const q = new TenantQuotas({ ...unlimited, publishRate: 10, publishBurst: 5 }, [], () => now);
    expect(q.takePublishes('a', 5)).toBeUndefined();
    expect(q.takePublishes('a', 1)).toBeCloseTo(0.1);
    // another tenant is not touched by a's burst
    expect(q.takePublishes('b', 1)).toBeUndefined();
    now = 100;
    expect(q.takePublishes('a', 1)).toBeUndefined();
  });

  it('lets an array larger than the burst pass once and charges it', () => {
    let now = 0;
    const q = new TenantQuotas({ ...unlimited, publishRate: 10, publishBurst: 0 }, [], () => now);
    expect(q.takePublishes('a', 50)).toBeUndefined();
    // 20 - 50 = -30 tokens: 3.1 s until one is back
    expect(q.takePublishes('a', 1)).toBeCloseTo(3.1);
    now = 3100;
    expect(q.takePublishes('a', 1)).toBeUndefined();
  });

  it('does not limit a tenant whose rate is 0', () => {
    const q = new TenantQuotas(unlimited, [{ org: 'x', publishRate: 1 }]);
    for (let i = 0; i < 100; i++) expect(q.takePublishes('a', 1000)).toBeUndefined();
    expect(q.takePublishes('x', 2)).toBeUndefined();
    expect(q.takePublishes('x', 1)).toBeGreaterThan(0);
  });
});
