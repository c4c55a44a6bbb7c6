/**
 * What queue ingest does with a job that threw (issue 11): a failure that may pass is tried
 * again, one that never passes goes to the failed-jobs queue at once. Pure functions and a
 * clock-driven planner, so tables pin every case (STYLE rule 7); queue-ingest.ts does the I/O.
 *
 * hubcast owns the retry policy rather than the producer's `attempts`/`backoff` job options: a
 * job added with BullMQ's defaults (one attempt) would otherwise be lost to a database blip, and
 * a tenant over its quota is flow control, not a failure that should use up attempts.
 */
import { isHubcastError, type ErrorCode } from '@hubcast/protocol';
import { engineOutage } from '../engine-error.js';

export type JobVerdict =
  /** An engine of this node is down (503): the node stops taking jobs for a while. */
  | { kind: 'outage'; message: string }
  /** The tenant's publish rate is spent: this job waits, other tenants' jobs go on. */
  | { kind: 'quota'; retryAfterMs: number }
  /** Not a hubcast error (a bug, a driver surprise): tried `MAX_ERROR_ATTEMPTS` times. */
  | { kind: 'error' }
  /** Can never succeed (bad data, channel or tenant, too large): failed at once. */
  | { kind: 'fail'; code: ErrorCode; message: string; details?: Record<string, unknown> };

/** Starts of a job that keeps failing unexpectedly before it goes to the failed-jobs queue. */
export const MAX_ERROR_ATTEMPTS = 5;
/** First pause after a failure that may pass; each further one doubles, up to the cap. */
export const RETRY_BASE_MS = 1000;
export const RETRY_CAP_MS = 30_000;

export function judgeJobError(err: unknown): JobVerdict {
  const e = isHubcastError(err) ? err : engineOutage(err);
  if (e === undefined) return { kind: 'error' };
  switch (e.code) {
    case 'unavailable':
      return { kind: 'outage', message: e.message };
    case 'limit_exceeded':
    case 'rate_limited': {
      // A quota that refills says when; a limit without `retry_after` (a size) never lifts.
      const retryAfter = e.details?.['retry_after'];
      if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0)
        return { kind: 'quota', retryAfterMs: Math.ceil(retryAfter * 1000) };
      return fail(e.code, e.message, e.details);
    }
    case 'internal':
      return { kind: 'error' };
    case 'bad_request':
    case 'unauthorized':
    case 'forbidden':
    case 'not_found':
    case 'too_large':
    case 'conflict':
      return fail(e.code, e.message, e.details);
    default: {
      const never: never = e.code;
      return fail('internal', `unknown error code ${String(never)}`);
    }
  }
}

function fail(code: ErrorCode, message: string, details?: Record<string, unknown>): JobVerdict {
  return details === undefined
    ? { kind: 'fail', code, message }
    : { kind: 'fail', code, message, details };
}

/** The pause before try `n` (1-based) of a failure that may pass: 1 s, 2 s, 4 s, ... 30 s. */
export function backoffMs(n: number): number {
  const exponent = Math.min(Math.max(n, 1) - 1, 30);
  return Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** exponent);
}

/** Past this many tenants with a slot, the ones whose slot has passed are forgotten. */
const SLOTS_BEFORE_SWEEP = 10_000;

/**
 * When jobs refused by a tenant's quota try again. Each waits at least its `retry_after`, and
 * each later refusal of the same tenant lines up `retry_after` behind the one before, so a
 * backlog of one tenant comes back at about its rate instead of all at once, refused again.
 */
export class QuotaSlots {
  private readonly slots = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The time (ms since the epoch) a job of `org` refused now may run again. */
  next(org: string, retryAfterMs: number): number {
    const nowMs = this.now();
    if (this.slots.size >= SLOTS_BEFORE_SWEEP)
      for (const [o, at] of this.slots) if (at <= nowMs) this.slots.delete(o);
    const previous = this.slots.get(org) ?? 0;
    // Never less than 1 ms apart, so a zero retry_after still spreads a backlog.
    const at = Math.max(nowMs + retryAfterMs, previous + Math.max(retryAfterMs, 1));
    this.slots.set(org, at);
    return at;
  }
}
