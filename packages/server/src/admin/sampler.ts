/**
 * The admin console's per-node time series: one sample a second in a ring of the last ten
 * minutes, each with the node's figures and those of the tenants it tracks (at most
 * `TenantCounters.maxTenants`, first come while active, plus '*' for the rest). Memory is
 * bounded by ring size × (tenant cap + 1) whatever tenants do.
 */
import type { Sample, TenantSample } from './admin-types.js';
import type { TenantCounters, TenantTally } from './tenant-counters.js';

/** Monotonic node-wide counts (Metrics.hot), read each tick for their deltas. */
export interface NodeCounts {
  deliveries: number;
  queueDrops: number;
  ephemeralDrops: number;
}

export interface SamplerSource {
  counters: TenantCounters;
  counts(): NodeCounts;
  /** Live connections by org, counted now. */
  connectionsByOrg(): Map<string, number>;
}

export const SAMPLE_INTERVAL_MS = 1000;
/** Ten minutes of one-second samples. */
export const SAMPLE_RING_SIZE = 600;

const rate = (n: number, seconds: number): number => Math.round((n / seconds) * 100) / 100;

export class Sampler {
  private readonly ring: Sample[] = [];
  private next = 0;
  private lastMs: number | undefined;
  private lastCounts: NodeCounts | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: SamplerSource,
    private readonly ringSize = SAMPLE_RING_SIZE,
  ) {}

  start(intervalMs = SAMPLE_INTERVAL_MS): void {
    if (this.timer !== undefined) return;
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one sample now: rates divide by the time since the last one (a late tick is fair). */
  sample(nowMs = Date.now()): Sample {
    const counts = this.source.counts();
    const seconds = Math.max(0.001, (nowMs - (this.lastMs ?? nowMs - 1000)) / 1000);
    const before = this.lastCounts ?? counts;
    const { tenants: tallies, nodeLag } = this.source.counters.takePeriod();
    const tenants: Record<string, TenantSample> = {};
    const tenantOf = (key: string): TenantSample =>
      (tenants[key] ??= {
        connections: 0,
        events_per_s: 0,
        deliveries_per_s: 0,
        queue_drops: 0,
        ephemeral_drops: 0,
        lag_p99_ms: null,
      });
    let connections = 0;
    let events = 0;
    for (const [org, n] of this.source.connectionsByOrg()) {
      connections += n;
      tenantOf(this.source.counters.connectionKeyOf(org)).connections += n;
    }
    for (const [key, tally] of tallies) {
      events += tally.events;
      fillTenant(tenantOf(key), tally, seconds);
    }
    const sample: Sample = {
      t: nowMs,
      connections,
      events_per_s: rate(events, seconds),
      deliveries_per_s: rate(counts.deliveries - before.deliveries, seconds),
      queue_drops: counts.queueDrops - before.queueDrops,
      ephemeral_drops: counts.ephemeralDrops - before.ephemeralDrops,
      lag_p99_ms: nodeLag.quantileMs(0.99) ?? null,
      tenants,
    };
    this.lastMs = nowMs;
    this.lastCounts = counts;
    if (this.ring.length < this.ringSize) this.ring.push(sample);
    else this.ring[this.next] = sample;
    this.next = (this.next + 1) % this.ringSize;
    return sample;
  }

  /** The samples taken after `sinceMs`, oldest first. */
  since(sinceMs: number): Sample[] {
    const ordered =
      this.ring.length < this.ringSize
        ? this.ring
        : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return ordered.filter((s) => s.t > sinceMs);
  }

  get size(): number {
    return this.ring.length;
  }
}

function fillTenant(into: TenantSample, tally: TenantTally, seconds: number): void {
  into.events_per_s = rate(tally.events, seconds);
  into.deliveries_per_s = rate(tally.deliveries, seconds);
  into.queue_drops = tally.queueDrops;
  into.ephemeral_drops = tally.ephemeralDrops;
  into.lag_p99_ms = tally.lag.quantileMs(0.99) ?? null;
}
