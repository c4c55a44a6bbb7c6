/**
 * Token buckets: per connection for commands (PROTOCOL.md §3), per tenant for publishes. A
 * bucket starts full at `burst` and refills at `ratePerSecond`. The state is two numbers the
 * caller keeps (the session holds them itself, so a connection pays for no extra object);
 * refill is computed on each take, no timers.
 */
export interface BucketState {
  rateTokens: number;
  rateRefilledMs: number;
}

export function fullBucket(burst: number, nowMs: number): BucketState {
  return { rateTokens: burst, rateRefilledMs: nowMs };
}

/**
 * Takes `cost` tokens if at least one is there; time going backwards refills nothing. A cost
 * above one may leave the bucket in debt, which later takes wait out: an array of events
 * larger than the burst still passes once, and the sender then waits its share.
 */
export function takeToken(
  state: BucketState,
  nowMs: number,
  ratePerSecond: number,
  burst: number,
  cost = 1,
): boolean {
  const elapsed = nowMs - state.rateRefilledMs;
  if (elapsed > 0) {
    state.rateTokens = Math.min(burst, state.rateTokens + (elapsed * ratePerSecond) / 1000);
    state.rateRefilledMs = nowMs;
  }
  if (state.rateTokens < 1) return false;
  state.rateTokens -= cost;
  return true;
}

/** Seconds until the bucket holds a token again (0 when it does), as of its last refill. */
export function secondsUntilToken(state: BucketState, ratePerSecond: number): number {
  return state.rateTokens >= 1 ? 0 : (1 - state.rateTokens) / ratePerSecond;
}
