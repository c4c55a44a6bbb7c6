import { describe, expect, it } from 'vitest';
import { LagHistogram, lagBucketOf, lagBucketUpperMs } from './lag-histogram.js';
import { Sampler, type NodeCounts } from './sampler.js';
import { OTHER_TENANTS, TenantCounters } from './tenant-counters.js';

/** A sampler over counters a test drives by hand. */
function harness(opts: { maxTenants?: number; idle?: number; ring?: number } = {}) {
  const counters = new TenantCounters(opts.maxTenants ?? 10, opts.idle ?? 600);
  const counts: NodeCounts = { deliveries: 0, queueDrops: 0, ephemeralDrops: 0 };
  const connections = new Map<string, number>();
  const sampler = new Sampler(
    { counters, counts: () => ({ ...counts }), connectionsByOrg: () => new Map(connections) },
    opts.ring ?? 600,
  );
  return { counters, counts, connections, sampler };
}

describe('LagHistogram', () => {
  it.each([
    [0, 0],
    [0.1, 0],
    [0.11, 1],
    [0.125, 1],
    [1e9, 63], // past the last bound: the last bucket
  ])('puts %f ms in bucket %i', (ms, bucket) => {
    expect(lagBucketOf(ms)).toBe(bucket);
  });

  it('answers a p99 at or above the true one, within one bucket (25%)', () => {
    const h = new LagHistogram();
    for (let i = 1; i <= 1000; i++) h.observe(i / 10); // 0.1 .. 100 ms: true p99 is 99 ms
    const p99 = h.quantileMs(0.99) as number;
    expect(p99).toBeGreaterThanOrEqual(99);
    expect(p99).toBeLessThanOrEqual(99 * 1.25);
    expect(new LagHistogram().quantileMs(0.99)).toBeUndefined();
    expect(lagBucketUpperMs(0)).toBeCloseTo(0.1);
  });
});

describe('Sampler', () => {
  it('turns counter deltas into per-second rates over the time since the last sample', () => {
    const { counters, counts, connections, sampler } = harness();
    sampler.sample(10_000);
    connections.set('acme', 3);
    counters.addEvents('acme', 40);
    counters.addDeliveries('acme', 120);
    counts.deliveries += 120;
    counts.queueDrops += 1;
    counters.addQueueDrop('acme');
    counters.observeLag('acme', 5);
    // Two seconds since the last sample (a late tick): rates halve.
    const s = sampler.sample(12_000);
    expect(s).toMatchObject({
      t: 12_000,
      connections: 3,
      events_per_s: 20,
      deliveries_per_s: 60,
      queue_drops: 1,
      ephemeral_drops: 0,
    });
    expect(s.lag_p99_ms).toBeGreaterThanOrEqual(5);
    expect(s.tenants['acme']).toMatchObject({
      connections: 3,
      events_per_s: 20,
      deliveries_per_s: 60,
      queue_drops: 1,
    });
    // The next period starts from zero.
    expect(sampler.sample(13_000)).toMatchObject({ events_per_s: 0, deliveries_per_s: 0 });
  });

  it('keeps at most the ring size of samples and answers those after `since`, oldest first', () => {
    const { sampler } = harness({ ring: 5 });
    for (let t = 1; t <= 12; t++) sampler.sample(t * 1000);
    expect(sampler.size).toBe(5);
    expect(sampler.since(0).map((s) => s.t)).toEqual([8000, 9000, 10000, 11000, 12000]);
    expect(sampler.since(10_000).map((s) => s.t)).toEqual([11000, 12000]);
  });

  it('tracks at most maxTenants tenants; the rest share one tally', () => {
    const { counters, connections, sampler } = harness({ maxTenants: 3 });
    for (let i = 0; i < 100; i++) {
      counters.addEvents(`org${i}`, 1);
      connections.set(`org${i}`, 1);
    }
    const s = sampler.sample(1000);
    expect(Object.keys(s.tenants).sort()).toEqual([OTHER_TENANTS, 'org0', 'org1', 'org2']);
    expect(s.tenants[OTHER_TENANTS]).toMatchObject({ connections: 97 });
    expect(s.connections).toBe(100);
  });

  it('gives the slot of a tenant idle past the idle limit to another', () => {
    const { counters, sampler } = harness({ maxTenants: 1, idle: 2 });
    counters.addEvents('old', 1);
    sampler.sample(1000);
    counters.addEvents('new', 1);
    expect(Object.keys(sampler.sample(2000).tenants)).toEqual([OTHER_TENANTS]);
    sampler.sample(3000);
    sampler.sample(4000);
    counters.addEvents('new', 1);
    expect(Object.keys(sampler.sample(5000).tenants)).toEqual(['new']);
  });

  it('charts a quiet tenant by its connections, and gives its slot to the first with traffic', () => {
    const { counters, connections, sampler } = harness({ maxTenants: 1, idle: 100 });
    connections.set('quiet', 2);
    expect(sampler.sample(1000).tenants).toMatchObject({ quiet: { connections: 2 } });
    counters.addEvents('busy', 3);
    const s = sampler.sample(2000);
    expect(Object.keys(s.tenants).sort()).toEqual([OTHER_TENANTS, 'busy']);
    expect(s.tenants['busy']).toMatchObject({ events_per_s: 3 });
    expect(s.tenants[OTHER_TENANTS]).toMatchObject({ connections: 2 });
  });

  it('keeps the slot of a tenant with traffic from one with connections only', () => {
    const { counters, connections, sampler } = harness({ maxTenants: 1, idle: 100 });
    counters.addEvents('busy', 1);
    connections.set('quiet', 1);
    const s = sampler.sample(1000);
    expect(Object.keys(s.tenants).sort()).toEqual([OTHER_TENANTS, 'busy']);
  });

  it('holds bounded memory whatever tenants do: 10,000 tenants a second for 700 samples', () => {
    const { counters, sampler } = harness({ maxTenants: 10, ring: 600 });
    for (let t = 1; t <= 700; t++) {
      for (let i = 0; i < 10_000; i += 50) counters.addEvents(`t${t}x${i}`, 1);
      sampler.sample(t * 1000);
    }
    const all = sampler.since(0);
    expect(all).toHaveLength(600);
    for (const s of all) expect(Object.keys(s.tenants).length).toBeLessThanOrEqual(11);
  });
});
