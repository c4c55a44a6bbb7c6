/**
 * Per-user chat write rate (docs/chat.md "Limits"): one token bucket (limits/token-bucket.ts)
 * per `org` and user, shared by all their connections on this node. The map is bounded: a
 * bucket that has refilled is the same as no bucket, so idle users are dropped as the map is
 * walked in least-recently-used order, and past `maxUsers` the least recently used bucket goes
 * even if not full (its user gets a fresh burst: memory stays bounded whatever a client does).
 */
import { takeToken, type BucketState } from '../../limits/token-bucket.js';

/** Buckets kept at most; about 100 bytes each. */
export const SEND_RATE_USERS_MAX = 100_000;
/** Oldest buckets looked at per take for eviction, so one take stays O(1). */
const SWEEP_PER_TAKE = 4;

export class SendRate {
  /** In least-recently-used order: a take moves its bucket to the end. */
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxUsers = SEND_RATE_USERS_MAX,
  ) {}

  /** Takes one token of the user's bucket; false when it is empty (`rate_limited`). */
  take(org: string, user: string, nowMs: number): boolean {
    const key = `${org}\0${user}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) bucket = { rateTokens: this.burst, rateRefilledMs: nowMs };
    else this.buckets.delete(key);
    const taken = takeToken(bucket, nowMs, this.ratePerSecond, this.burst);
    this.buckets.set(key, bucket);
    this.sweep(nowMs);
    return taken;
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    let looked = 0;
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size > this.maxUsers || this.isFull(bucket, nowMs)) {
        this.buckets.delete(key);
        continue;
      }
      // The oldest is not idle: the younger ones are not either (most of the time).
      if (++looked >= SWEEP_PER_TAKE) break;
    }
  }

  private isFull(bucket: BucketState, nowMs: number): boolean {
    const elapsedMs = Math.max(0, nowMs - bucket.rateRefilledMs);
    return bucket.rateTokens + (elapsedMs * this.ratePerSecond) / 1000 >= this.burst;
  }
}
