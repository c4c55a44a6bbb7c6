/**
 * Per-tenant quotas: connections and published events per second, so one noisy tenant cannot
 * starve the others. Every tenant gets the defaults (flags); the config file's `tenantQuotas`
 * overrides them per org. A limit of 0 is no limit.
 */
import { SlotCounter } from './slot-counter.js';
import { fullBucket, secondsUntilToken, takeToken, type BucketState } from './token-bucket.js';

export interface TenantQuota {
  maxConnections: number;
  /** Events per second, over the HTTP API and client publishes together. */
  publishRate: number;
  /** Events a tenant may publish at once; 0 is twice the rate. */
  publishBurst: number;
}

/** Past this many tenants with a bucket, full (idle) buckets are dropped: they hold nothing. */
const BUCKETS_BEFORE_SWEEP = 10_000;

export class TenantQuotas {
  private readonly connections = new SlotCounter();
  private readonly buckets = new Map<string, BucketState>();
  private readonly overrides: ReadonlyMap<string, TenantQuota>;

  constructor(
    private readonly defaults: TenantQuota,
    overrides: readonly ({ org: string } & Partial<TenantQuota>)[] = [],
    private readonly now: () => number = Date.now,
  ) {
    // A Map, not an object lookup: `__proto__` is a valid org name.
    this.overrides = new Map(overrides.map(({ org, ...q }) => [org, { ...defaults, ...q }]));
  }

  quotaOf(org: string): TenantQuota {
    return this.overrides.get(org) ?? this.defaults;
  }

  /** Takes a connection slot of the tenant; false past its `maxConnections`. */
  takeConnection(org: string): boolean {
    return this.connections.take(org, this.quotaOf(org).maxConnections);
  }

  releaseConnection(org: string): void {
    this.connections.release(org);
  }

  /** Charges `events` to the tenant: undefined when allowed, else the seconds to wait. */
  takePublishes(org: string, events: number): number | undefined {
    const { publishRate, publishBurst } = this.quotaOf(org);
    if (publishRate <= 0) return undefined;
    const burst = publishBurst > 0 ? publishBurst : 2 * publishRate;
    const nowMs = this.now();
    let bucket = this.buckets.get(org);
    if (bucket === undefined) {
      if (this.buckets.size >= BUCKETS_BEFORE_SWEEP) this.sweep(nowMs);
      bucket = fullBucket(burst, nowMs);
      this.buckets.set(org, bucket);
    }
    if (takeToken(bucket, nowMs, publishRate, burst, events)) return undefined;
    return secondsUntilToken(bucket, publishRate);
  }

  private sweep(nowMs: number): void {
    for (const [org, b] of this.buckets) {
      const { publishRate, publishBurst } = this.quotaOf(org);
      const burst = publishBurst > 0 ? publishBurst : 2 * publishRate;
      const refilled = b.rateTokens + ((nowMs - b.rateRefilledMs) * publishRate) / 1000;
      if (refilled >= burst) this.buckets.delete(org);
    }
  }
}
