/**
 * Which ioredis failures mean "Redis cannot answer now" (503, /readyz) rather than a bug, and
 * how to say why in words of our own: the driver's may name a host.
 */
import { EngineUnavailableError } from '../engine-error.js';
import { engineReasonOf, type EngineReason } from '../engine-reason.js';

/** Error replies (their first word) of a server that is there but cannot serve now. */
const REPLY_ERRORS: Readonly<Record<string, readonly [EngineReason, string]>> = {
  LOADING: ['unreachable', 'loading its data'],
  BUSY: ['timeout', 'busy running a script'],
  MASTERDOWN: ['unreachable', 'a replica without its master'],
  CLUSTERDOWN: ['unreachable', 'cluster down'],
  TRYAGAIN: ['unreachable', 'keys being migrated'],
  READONLY: ['read_only', 'a read-only replica'],
  MISCONF: ['error', 'cannot persist to disk'],
  OOM: ['error', 'out of memory'],
  NOAUTH: ['error', 'authentication required'],
  WRONGPASS: ['error', 'authentication failed'],
};

/** ioredis's own messages when it has no connection or got no reply in time. */
const CLIENT_ERRORS: readonly (readonly [RegExp, EngineReason, string])[] = [
  [/^Stream isn't writeable|cannot be queued/, 'unreachable', 'not connected'],
  [/^Connection is closed/, 'unreachable', 'connection closed'],
  [/^Command timed out|^Socket timeout/, 'timeout', 'no reply in time'],
];

/**
 * The error to throw for a failed Redis call: an `EngineUnavailableError` for `part` when
 * Redis is away, busy or refusing, else `err` itself (a bad script or argument is a bug, not an
 * outage).
 */
export function redisFailure(part: string, err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof EngineUnavailableError) return err;
  if (err.name === 'ReplyError') {
    const known = REPLY_ERRORS[err.message.split(' ', 1)[0] ?? ''];
    return known === undefined
      ? err
      : new EngineUnavailableError(part, known[1], { cause: err, code: known[0] });
  }
  if (err.name === 'MaxRetriesPerRequestError')
    return new EngineUnavailableError(part, 'connection lost', { cause: err, code: 'unreachable' });
  for (const [pattern, code, reason] of CLIENT_ERRORS)
    if (pattern.test(err.message))
      return new EngineUnavailableError(part, reason, { cause: err, code });
  // Socket errors of a connect attempt (ECONNREFUSED, ETIMEDOUT, ...) carry node's code.
  const code = engineReasonOf(err);
  return code === 'error' ? err : new EngineUnavailableError(part, code, { cause: err, code });
}
