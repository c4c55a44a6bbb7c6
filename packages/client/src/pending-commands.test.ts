import { afterEach, describe, expect, it, vi } from 'vitest';
import { HubcastError, type ErrorReply } from '@hubcast/protocol';
import { PendingCommands, errorFromReply } from './pending-commands.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('errorFromReply', () => {
  it.each<[ErrorReply, string, string, Record<string, unknown> | undefined]>([
    [{ type: 'error', id: 1, code: 'forbidden', message: 'no' }, 'forbidden', 'no', undefined],
    [
      { type: 'error', code: 'bad_request', message: 'bad', index: 2 },
      'bad_request',
      'bad',
      { index: 2 },
    ],
    // An unknown code from a newer server maps to internal, message kept.
    [
      { type: 'error', code: 'weird' as ErrorReply['code'], message: 'm' },
      'internal',
      'm',
      undefined,
    ],
  ])('%j', (reply, code, message, details) => {
    const e = errorFromReply(reply);
    expect(e).toBeInstanceOf(HubcastError);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
    expect(e.details).toEqual(details);
  });
});

describe('PendingCommands', () => {
  it('hands ids out in order and settles by id', async () => {
    const p = new PendingCommands();
    const results: string[] = [];
    const a = p.register(
      'ping',
      { resolve: () => results.push('a'), reject: () => results.push('a!') },
      0,
    );
    const b = p.register(
      'publish',
      { resolve: (r) => results.push(r.event_id), reject: () => results.push('b!') },
      0,
    );
    expect([a, b]).toEqual([1, 2]);
    expect(
      p.settle(b, { type: 'published', id: b, event_id: 'e1', cursor: 'c', duplicate: false }),
    ).toBe(true);
    expect(p.settle(a, { type: 'error', id: a, code: 'rate_limited', message: 'slow down' })).toBe(
      true,
    );
    expect(p.settle(a, { type: 'pong', id: a })).toBe(false); // already settled
    await Promise.resolve();
    expect(results).toEqual(['e1', 'a!']);
  });

  it('rejects a reply of the wrong type', () => {
    const p = new PendingCommands();
    let error: HubcastError | undefined;
    const id = p.register('history', { resolve: () => undefined, reject: (e) => (error = e) }, 0);
    p.settle(id, { type: 'pong', id });
    expect(error?.code).toBe('internal');
    expect(error?.message).toContain("unexpected 'pong'");
  });

  it('times out with unavailable, or calls onTimeout', () => {
    vi.useFakeTimers();
    const p = new PendingCommands();
    let error: HubcastError | undefined;
    let timedOut = false;
    const id = p.register('ping', { resolve: () => undefined, reject: (e) => (error = e) }, 100);
    p.register(
      'subscribe',
      { resolve: () => undefined, reject: () => undefined, onTimeout: () => (timedOut = true) },
      100,
    );
    vi.advanceTimersByTime(99);
    expect(error).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(error?.code).toBe('unavailable');
    expect(error?.details).toEqual({ timeout: true });
    expect(timedOut).toBe(true);
    expect(p.settle(id, { type: 'pong', id })).toBe(false);
  });

  it('on connection loss runs onLost newest first, rejects the rest', () => {
    const p = new PendingCommands();
    const order: string[] = [];
    p.register(
      'publish',
      { resolve: () => undefined, reject: () => order.push('p1!'), onLost: () => order.push('p1') },
      0,
    );
    p.register(
      'history',
      { resolve: () => undefined, reject: (e) => order.push(`h!${e.code}`) },
      0,
    );
    p.register(
      'publish',
      { resolve: () => undefined, reject: () => order.push('p2!'), onLost: () => order.push('p2') },
      0,
    );
    p.connectionLost(new HubcastError('unavailable', 'gone'));
    expect(order).toEqual(['p2', 'h!unavailable', 'p1']);
    p.connectionLost(new HubcastError('unavailable', 'again'));
    expect(order).toHaveLength(3);
  });
});
