/** Reconnect delay bounds in milliseconds. */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

/** Past this exponent `2 ** attempt` stops mattering and only risks `0 * Infinity`. */
const MAX_EXPONENT = 50;

/** The ceiling of the delay for an attempt: `min(maxMs, minMs * 2^attempt)`. */
export function backoffCapMs(attempt: number, { minMs, maxMs }: BackoffOptions): number {
  const exponent = Number.isFinite(attempt)
    ? Math.min(Math.max(0, Math.floor(attempt)), MAX_EXPONENT)
    : 0;
  return Math.max(0, Math.min(maxMs, minMs * 2 ** exponent));
}

/**
 * Exponential backoff with full jitter: `random() * min(maxMs, minMs * 2^attempt)`, so clients
 * that lost the same server do not come back in lockstep.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  return random() * backoffCapMs(attempt, options);
}
