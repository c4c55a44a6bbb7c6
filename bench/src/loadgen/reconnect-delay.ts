/**
 * When a `storm` client tries again, as the hubcast SDK decides it (packages/client
 * reconnect-policy.ts), pure: after a `reconnect` push (PROTOCOL.md §5) a random delay in
 * [0, delay_ms]; otherwise exponential backoff with full jitter, `random · min(max, min · 2^n)`
 * for the n-th failed attempt since the client was last live. The peers' clients use the same
 * backoff, so only the server's advice differs.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */

export interface Backoff {
  minMs: number;
  maxMs: number;
}

/** The SDK's defaults: a 500 ms floor, a 20 s ceiling. */
export const SDK_BACKOFF: Backoff = { minMs: 500, maxMs: 20_000 };

/**
 * The delay before the next attempt: `serverDelayMs` is the `delay_ms` of a `reconnect` push
 * on the connection that just closed (only for the first attempt after it), `attempt` the
 * failed attempts since the client was last live.
 */
export function reconnectDelayMs(
  attempt: number,
  serverDelayMs: number | undefined,
  backoff: Backoff,
  random: () => number = Math.random,
): number {
  if (serverDelayMs !== undefined && serverDelayMs >= 0 && attempt === 0)
    return random() * serverDelayMs;
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  return random() * Math.min(backoff.maxMs, backoff.minMs * 2 ** exponent);
}
