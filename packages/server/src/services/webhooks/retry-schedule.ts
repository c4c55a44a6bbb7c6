/**
 * When a failed webhook is tried again: exponential backoff with full jitter (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"): a uniform wait in [0, min(cap, base * 2^(n-1))]
 * after the n-th failed attempt, so endpoints coming back are not hit by every node at once.
 */
export interface RetrySchedule {
  baseMs: number;
  capMs: number;
  /** Attempts in all; the one that fails last makes the delivery a dead letter. */
  maxAttempts: number;
}

/** The wait after the `failedAttempts`-th failure, or undefined when no attempt is left. */
export function retryDelayMs(
  failedAttempts: number,
  schedule: RetrySchedule,
  random: () => number = Math.random,
): number | undefined {
  if (failedAttempts >= schedule.maxAttempts) return undefined;
  // 2^(n-1) overflows to Infinity past n = 1024; min() keeps it at the cap.
  const ceilingMs = Math.min(schedule.capMs, schedule.baseMs * 2 ** (failedAttempts - 1));
  return Math.floor(random() * ceilingMs);
}
