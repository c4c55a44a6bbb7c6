import { describe, expect, it } from 'vitest';
import {
  badRequest,
  conflict,
  forbidden,
  internalError,
  limitExceeded,
  notFound,
  rateLimited,
  tooLarge,
  unauthorized,
  unavailable,
} from '@hubcast/protocol';
import { EngineUnavailableError } from '../engine-error.js';
import { QuotaSlots, backoffMs, judgeJobError, type JobVerdict } from './retry-policy.js';

describe('judgeJobError', () => {
  it.each<[label: string, err: unknown, verdict: JobVerdict]>([
    [
      'an engine outage',
      new EngineUnavailableError('log', 'disk full', { code: 'disk_full' }),
      { kind: 'outage', message: 'log unavailable (disk_full)' },
    ],
    [
      'a 503',
      unavailable('store unavailable (timeout)'),
      { kind: 'outage', message: 'store unavailable (timeout)' },
    ],
    [
      'a tenant quota with retry_after',
      limitExceeded('quota', { details: { retry_after: 0.25 } }),
      { kind: 'quota', retryAfterMs: 250 },
    ],
    [
      'a rate limit with retry_after', // rounds up: never retry before the quota allows
      rateLimited('slow down', { details: { retry_after: 0.0001 } }),
      { kind: 'quota', retryAfterMs: 1 },
    ],
    [
      'a limit that time does not lift',
      limitExceeded('too many users'),
      { kind: 'fail', code: 'limit_exceeded', message: 'too many users' },
    ],
    [
      'a retry_after that is not a number',
      limitExceeded('odd', { details: { retry_after: 'soon' } }),
      { kind: 'fail', code: 'limit_exceeded', message: 'odd', details: { retry_after: 'soon' } },
    ],
    [
      'a bad item, keeping its index',
      badRequest("'channel' is empty", { details: { index: 2 } }),
      { kind: 'fail', code: 'bad_request', message: "'channel' is empty", details: { index: 2 } },
    ],
    ['too large', tooLarge('big'), { kind: 'fail', code: 'too_large', message: 'big' }],
    ['forbidden', forbidden('no'), { kind: 'fail', code: 'forbidden', message: 'no' }],
    ['unauthorized', unauthorized('no'), { kind: 'fail', code: 'unauthorized', message: 'no' }],
    ['not found', notFound('no'), { kind: 'fail', code: 'not_found', message: 'no' }],
    ['a conflict', conflict('no'), { kind: 'fail', code: 'conflict', message: 'no' }],
    ['an internal error', internalError('oops'), { kind: 'error' }],
    ['a plain Error (a bug)', new TypeError('x is undefined'), { kind: 'error' }],
    ['a thrown string', 'boom', { kind: 'error' }],
  ])('%s', (_label, err, verdict) => {
    expect(judgeJobError(err)).toEqual(verdict);
  });
});

describe('backoffMs', () => {
  it.each<[n: number, ms: number]>([
    [1, 1000],
    [2, 2000],
    [5, 16_000],
    [6, 30_000], // capped
    [1000, 30_000], // no overflow to Infinity
    [0, 1000], // a job BullMQ has not counted yet
  ])('try %i waits %i ms', (n, ms) => {
    expect(backoffMs(n)).toBe(ms);
  });
});

describe('QuotaSlots', () => {
  it('lines up one tenant behind its retry_after and leaves others alone', () => {
    let now = 10_000;
    const slots = new QuotaSlots(() => now);
    expect(slots.next('acme', 100)).toBe(10_100);
    expect(slots.next('acme', 100)).toBe(10_200); // behind the first
    expect(slots.next('acme', 100)).toBe(10_300);
    expect(slots.next('other', 100)).toBe(10_100); // its own line
    now = 20_000;
    expect(slots.next('acme', 100)).toBe(20_100); // the line has passed
  });

  it('spreads refusals with a retry_after of 0 by at least a millisecond', () => {
    const slots = new QuotaSlots(() => 5);
    expect([slots.next('a', 0), slots.next('a', 0), slots.next('a', 0)]).toEqual([5, 6, 7]);
  });
});
