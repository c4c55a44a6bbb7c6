import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, type CloseAction, type ErrorCode } from '@hubcast/protocol';
import { reconnectDecision, type ReconnectContext } from './reconnect-policy.js';

const ctx = (over: Partial<ReconnectContext> = {}): ReconnectContext => ({
  attempt: 0,
  backoff: { minMs: 500, maxMs: 20_000 },
  random: () => 0.5,
  canFetchToken: true,
  ...over,
});

describe('reconnectDecision: every close code of PROTOCOL.md §7', () => {
  it.each<[number, CloseAction, number]>([
    [1000, 'reconnect', 250],
    [1001, 'reconnect', 250],
    [4000, 'reconnect_after_delay', 250], // no `reconnect` push seen: plain backoff
    [4001, 'resume', 250],
    [4002, 'resume', 250],
    [4003, 'reconnect_slow', 3000], // cap 4000 (3 doublings further), equal jitter: 2000 + 0.5 * 2000
    [4501, 'refresh_token', 250],
    // Codes outside the table are network trouble: reconnect.
    [1005, 'reconnect', 250], // no status received
    [1006, 'reconnect', 250], // abnormal closure (socket dropped, watchdog)
    [1011, 'reconnect', 250], // server error
    [4999, 'reconnect', 250], // unknown application code
  ])('%s -> %s after %s ms', (code, action, delayMs) => {
    const d = reconnectDecision(code, ctx());
    expect(d).toEqual({
      kind: 'reconnect',
      action,
      delayMs,
      fetchToken: action === 'refresh_token',
    });
  });

  it.each<[number, ErrorCode]>([
    [4500, 'bad_request'], // protocol violation or auth timeout
    [4502, 'forbidden'], // disconnected by the API
    [4503, 'too_large'],
  ])('%s stops and reports %s', (code, errorCode) => {
    const d = reconnectDecision(code, ctx({ closeReason: 'why' }));
    expect(d.kind).toBe('stop');
    if (d.kind !== 'stop') return;
    expect(d.action).toBe('stop');
    expect(d.error.code).toBe(errorCode);
    expect(d.error.closeCode).toBe(code);
    expect(d.error.message).toContain(`${code}: why`);
  });

  it('covers every code in CLOSE_CODES (the table is the source, not a copy)', () => {
    for (const { code, action } of Object.values(CLOSE_CODES)) {
      const d = reconnectDecision(code, ctx());
      expect(d.action).toBe(action);
    }
  });

  it('4501 without getToken stops with unauthorized', () => {
    const d = reconnectDecision(4501, ctx({ canFetchToken: false, closeReason: 'token expired' }));
    expect(d.kind).toBe('stop');
    if (d.kind !== 'stop') return;
    expect(d.error.code).toBe('unauthorized');
    expect(d.error.closeCode).toBe(4501);
    expect(d.error.message).toContain('no getToken()');
  });

  it.each([
    // server delay_ms, random, expected delay
    [1000, 0, 0],
    [1000, 0.5, 500],
    [10_000, 0.99, 9900],
    [0, 0.7, 0],
  ])(
    '4000 after a reconnect push of %s ms with random %s waits %s ms',
    (serverDelayMs, r, delayMs) => {
      const d = reconnectDecision(4000, ctx({ serverDelayMs, random: () => r }));
      expect(d).toMatchObject({ kind: 'reconnect', delayMs });
    },
  );

  it.each([
    // attempt, random, delay for a plain reconnect (full jitter)
    [0, 1, 500],
    [2, 1, 2000],
    [8, 1, 20_000],
    [8, 0, 0],
  ])('backoff grows with attempt %s (random %s -> %s ms)', (attempt, r, delayMs) => {
    expect(reconnectDecision(1006, ctx({ attempt, random: () => r }))).toMatchObject({ delayMs });
  });

  it.each([
    // attempt, random, delay: 4003 never goes below half its cap
    [0, 0, 2000],
    [0, 1, 4000],
    [2, 0, 8000],
    [5, 1, 20_000],
    [5, 0, 10_000],
  ])('4003 at attempt %s with random %s waits %s ms', (attempt, r, delayMs) => {
    expect(reconnectDecision(4003, ctx({ attempt, random: () => r }))).toMatchObject({ delayMs });
  });
});
