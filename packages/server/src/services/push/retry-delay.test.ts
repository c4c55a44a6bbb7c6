import { describe, expect, it } from 'vitest';
import { outcomeOf, retryAfterMs } from './web-push-provider.js';
import { pushRetryDelayMs } from './retry-delay.js';

describe('pushRetryDelayMs', () => {
  it.each([
    [1, undefined, 30_000],
    [2, undefined, 60_000],
    [5, undefined, 480_000],
    [20, undefined, 3_600_000], // capped at an hour
    [1, 120_000, 120_000], // Retry-After wins
    [1, 0, 1000], // but never below a second
    [1, 86_400_000, 3_600_000], // nor past an hour
  ])('after %i failures (Retry-After %s ms): %i ms', (attempts, after, expected) => {
    expect(pushRetryDelayMs(attempts, after)).toBe(expected);
  });
});

describe('outcomeOf', () => {
  it.each([
    [201, undefined, { type: 'delivered' }],
    [200, undefined, { type: 'delivered' }],
    [410, undefined, { type: 'gone', reason: 'push service answered 410' }],
    [404, undefined, { type: 'gone', reason: 'push service answered 404' }],
    [429, '7', { type: 'retry', reason: 'push service answered 429', retryAfterMs: 7000 }],
    [500, undefined, { type: 'retry', reason: 'push service answered 500' }],
    [503, 'soon', { type: 'retry', reason: 'push service answered 503' }], // bad header ignored
    [400, undefined, { type: 'rejected', reason: 'push service answered 400' }],
    [413, undefined, { type: 'rejected', reason: 'push service answered 413' }],
  ])('%i (Retry-After %s)', (status, after, expected) => {
    expect(outcomeOf(status, after)).toEqual(expected);
  });

  it('reads Retry-After as an HTTP date too', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });
});
