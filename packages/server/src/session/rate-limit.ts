/**
 * Token bucket per connection (PROTOCOL.md §3): starts full at `burst`, refills at
 * `ratePerSecond`. The state is two numbers the caller keeps (the session holds them itself,
 * so a connection pays for no extra object); refill is computed on each take, no timers.
 */
export interface BucketState {
  rateTokens: number;
  rateRefilledMs: number;
}

export function fullBucket(burst: number, nowMs: number): BucketState {
  return { rateTokens: burst, rateRefilledMs: nowMs };
}

/** Takes one token if there is one; time going backwards refills nothing. */
export function takeToken(
  state: BucketState,
  nowMs: number,
  ratePerSecond: number,
  burst: number,
): boolean {
  const elapsed = nowMs - state.rateRefilledMs;
  if (elapsed > 0) {
    state.rateTokens = Math.min(burst, state.rateTokens + (elapsed * ratePerSecond) / 1000);
    state.rateRefilledMs = nowMs;
  }
  if (state.rateTokens < 1) return false;
  state.rateTokens -= 1;
  return true;
}
