/**
 * What the admin console's sampler reads each period, per tenant: events published, messages
 * delivered, slow-consumer and ephemeral drops, and delivery lags. Fed by `Metrics` from the
 * paths that already count them node-wide. Memory is bounded whatever tenants do: at most
 * `maxTenants` tenants get their own tally; the rest share one, under `OTHER_TENANTS`.
 */
import { LagHistogram, lagBucketOf } from './lag-histogram.js';

/** The tally of every tenant past the cap ('*' is never a valid org name). */
export const OTHER_TENANTS = '*';

/** Counts of one tenant in one sample period. */
export interface TenantTally {
  events: number;
  deliveries: number;
  queueDrops: number;
  ephemeralDrops: number;
  lag: LagHistogram;
}

const newTally = (): TenantTally => ({
  events: 0,
  deliveries: 0,
  queueDrops: 0,
  ephemeralDrops: 0,
  lag: new LagHistogram(),
});

export class TenantCounters {
  private period = new Map<string, TenantTally>();
  /** Tracked tenants and the period number they were last active in. */
  private readonly tracked = new Map<string, number>();
  /** Tracked tenants that took their slot by connections and have had no traffic since. */
  private readonly connectedOnly = new Set<string>();
  private periodNumber = 0;
  /** Lags of every tenant this period, for the node's own p99. */
  private nodeLag = new LagHistogram();

  constructor(
    readonly maxTenants: number,
    /** Periods a tenant may stay idle before its slot goes to another. */
    private readonly idlePeriods: number,
  ) {}

  /**
   * The key `org`'s traffic is counted under: itself while it has (or gets) a slot, else the
   * others'. Traffic may take the slot of a tenant that holds one by connections alone.
   */
  keyOf(org: string): string {
    if (this.tracked.has(org)) {
      this.tracked.set(org, this.periodNumber);
      this.connectedOnly.delete(org);
      return org;
    }
    if (this.tracked.size >= this.maxTenants) {
      const weak = this.connectedOnly.values().next();
      if (weak.done === true) return OTHER_TENANTS;
      this.tracked.delete(weak.value);
      this.connectedOnly.delete(weak.value);
    }
    this.tracked.set(org, this.periodNumber);
    return org;
  }

  /**
   * The key `org`'s connections are counted under. Connections take a free slot, so a quiet
   * tenant is still charted, but never keep one from traffic: a tenant holding its slot by
   * connections alone gives it up to the first tenant with traffic that needs it.
   */
  connectionKeyOf(org: string): string {
    if (this.tracked.has(org)) return org;
    if (this.tracked.size >= this.maxTenants) return OTHER_TENANTS;
    this.tracked.set(org, this.periodNumber);
    this.connectedOnly.add(org);
    return org;
  }

  private tally(org: string): TenantTally {
    const key = this.keyOf(org);
    let t = this.period.get(key);
    if (t === undefined) this.period.set(key, (t = newTally()));
    return t;
  }

  addEvents(org: string, n: number): void {
    this.tally(org).events += n;
  }

  addDeliveries(org: string, n: number): void {
    if (n > 0) this.tally(org).deliveries += n;
  }

  addQueueDrop(org: string): void {
    this.tally(org).queueDrops++;
  }

  addEphemeralDrops(org: string, n: number): void {
    if (n > 0) this.tally(org).ephemeralDrops += n;
  }

  observeLag(org: string, ms: number): void {
    const bucket = lagBucketOf(ms);
    this.tally(org).lag.observeBucket(bucket);
    this.nodeLag.observeBucket(bucket);
  }

  /**
   * Ends the period: answers its tallies and the node's lag histogram, starts a new one, and
   * frees the slots of tenants idle for `idlePeriods`.
   */
  takePeriod(): { tenants: Map<string, TenantTally>; nodeLag: LagHistogram } {
    const taken = { tenants: this.period, nodeLag: this.nodeLag };
    this.period = new Map();
    this.nodeLag = new LagHistogram();
    this.periodNumber++;
    for (const [org, last] of this.tracked)
      if (this.periodNumber - last > this.idlePeriods) {
        this.tracked.delete(org);
        this.connectedOnly.delete(org);
      }
    return taken;
  }
}
