/**
 * What the client does after its socket closed: a pure function of the close code, derived
 * from `closeActionFor` (CLOSE_CODES in @hubcast/protocol, docs/protocol.md §7), not re-typed.
 */
import {
  CLOSE_CODES,
  HubcastError,
  closeActionFor,
  type CloseAction,
  type ErrorCode,
} from '@hubcast/protocol';
import { backoffCapMs, backoffDelayMs, type BackoffOptions } from './backoff.js';

export interface ReconnectContext {
  /** Failed attempts since the last `connected` (0 for the first reconnect). */
  attempt: number;
  backoff: BackoffOptions;
  random: () => number;
  /** `delay_ms` of the server's last `reconnect` push on the closed connection, if any. */
  serverDelayMs?: number;
  /** Whether a `getToken()` callback can supply a new token (4501). */
  canFetchToken: boolean;
  /** The close reason, quoted in the stop error. */
  closeReason?: string;
}

export type ReconnectDecision =
  | { kind: 'reconnect'; action: CloseAction; delayMs: number; fetchToken: boolean }
  | { kind: 'stop'; action: CloseAction; error: HubcastError };

/** 4003 starts this many doublings further along the backoff curve. */
export const SLOW_BACKOFF_EXTRA_ATTEMPTS = 3;

/** The error code a stopping close code is reported with. */
const STOP_ERROR_CODES: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [CLOSE_CODES.protocolViolation.code, 'bad_request'],
  [CLOSE_CODES.unauthorized.code, 'unauthorized'],
  [CLOSE_CODES.forbidden.code, 'forbidden'],
  [CLOSE_CODES.tooLarge.code, 'too_large'],
]);

export function reconnectDecision(closeCode: number, ctx: ReconnectContext): ReconnectDecision {
  const action = closeActionFor(closeCode);
  const plainDelayMs = (): number => backoffDelayMs(ctx.attempt, ctx.backoff, ctx.random);
  switch (action) {
    case 'reconnect':
    case 'resume':
      // Both resume: every connect carries the cursor, so they differ only in intent.
      return { kind: 'reconnect', action, delayMs: plainDelayMs(), fetchToken: false };
    case 'reconnect_after_delay': {
      const delayMs =
        ctx.serverDelayMs !== undefined && ctx.serverDelayMs >= 0
          ? ctx.random() * ctx.serverDelayMs
          : plainDelayMs();
      return { kind: 'reconnect', action, delayMs, fetchToken: false };
    }
    case 'reconnect_slow': {
      // Equal jitter on a curve shifted right: never sooner than half the cap, so a client
      // over its limits backs off for real instead of drawing a near-zero delay.
      const capMs = backoffCapMs(ctx.attempt + SLOW_BACKOFF_EXTRA_ATTEMPTS, ctx.backoff);
      return {
        kind: 'reconnect',
        action,
        delayMs: capMs / 2 + (ctx.random() * capMs) / 2,
        fetchToken: false,
      };
    }
    case 'refresh_token':
      if (ctx.canFetchToken)
        return { kind: 'reconnect', action, delayMs: plainDelayMs(), fetchToken: true };
      return {
        kind: 'stop',
        action,
        error: stopError(closeCode, ctx.closeReason, ' and no getToken() was given'),
      };
    case 'stop':
      return { kind: 'stop', action, error: stopError(closeCode, ctx.closeReason, '') };
    default: {
      const unhandled: never = action;
      throw new Error(`unhandled close action ${String(unhandled)}`);
    }
  }
}

function stopError(closeCode: number, reason: string | undefined, suffix: string): HubcastError {
  const code = STOP_ERROR_CODES.get(closeCode) ?? 'unavailable';
  const why = reason ? `: ${reason}` : '';
  return new HubcastError(code, `connection closed with ${closeCode}${why}${suffix}`, {
    closeCode,
  });
}
