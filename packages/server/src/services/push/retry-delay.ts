/**
 * When a push that failed for now (429, 5xx, network) is tried again: exponential backoff from
 * 30 s, doubling to at most an hour, or what the push service's `Retry-After` asked for within
 * the same bounds. After `PUSH_MAX_ATTEMPTS` failed sends it is dropped (docs/push.md).
 */
export const PUSH_MAX_ATTEMPTS = 6;
const FIRST_DELAY_MS = 30_000;
const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 3_600_000;

/** The wait before send number `attempts + 1`, once `attempts` sends (1 or more) have failed. */
export function pushRetryDelayMs(attempts: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined)
    return Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, retryAfterMs));
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}
