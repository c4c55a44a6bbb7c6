/**
 * Token bucket per connection (PROTOCOL.md §3): starts full at `burst`, refills at
 * `ratePerSecond`. Plain numbers, no timers: refill is computed on each take.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  take(nowMs: number): boolean {
    const elapsed = nowMs - this.lastMs;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
      this.lastMs = nowMs;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
