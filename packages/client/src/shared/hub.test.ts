/**
 * The hub's one-user rule, driven through its message door: a tab of another user is refused
 * and never asked for a token. The browser tests run the hub against a real node.
 */
import { describe, expect, it } from 'vitest';
import type { WebSocketConstructor } from '../transport.js';
import { Hub } from './hub.js';
import type { FromHub, ToHub } from './messages.js';

/** A socket that never opens: the client stays connecting, after asking for a token. */
class SilentSocket {
  readonly readyState = 0;
  binaryType = 'arraybuffer';
  onopen = null;
  onclose = null;
  onmessage = null;
  onerror = null;
  send(): void {}
  close(): void {}
}

const hello = (tab: string, user: string, wants = false): ToHub => ({
  t: 'hello',
  tab,
  user,
  options: { url: 'ws://hub.test/ws' },
  cursor: undefined,
  wants,
  subs: [],
});

function setup(): { hub: Hub; posted: FromHub[] } {
  const posted: FromHub[] = [];
  const hub = new Hub({
    id: 'h1',
    post: (m) => posted.push(m),
    watchTab: () => undefined,
    WebSocket: SilentSocket as unknown as WebSocketConstructor,
  });
  return { hub, posted };
}

describe('Hub, one user per hub', () => {
  it('refuses a tab of another user, and asks only tabs of its own user for a token', async () => {
    const { hub, posted } = setup();
    hub.handle(hello('a1', 'alice'));
    hub.handle(hello('b1', 'bob'));
    hub.handle(hello('a2', 'alice'));
    expect([hub.has('a1'), hub.has('b1'), hub.has('a2')]).toEqual([true, false, true]);
    expect(posted.filter((m) => m.to?.includes('b1'))).toMatchObject([
      { t: 'refused', error: { code: 'forbidden' } },
    ]);
    // Bob's later messages are not heard: his want does not start alice's socket.
    hub.handle({ t: 'want', tab: 'b1', wants: true });
    expect(hub.connection?.state).toBe('disconnected');
    hub.handle({ t: 'want', tab: 'a1', wants: true });
    await expect
      .poll(() => posted.filter((m) => m.t === 'token-request').map((m) => m.to))
      .toEqual([['a1']]);
    hub.dispose();
  });

  it('serves the next user once every tab of the last one is gone', () => {
    const { hub } = setup();
    hub.handle(hello('a1', 'alice'));
    hub.handle({ t: 'bye', tab: 'a1' });
    hub.handle(hello('b1', 'bob'));
    expect(hub.has('b1')).toBe(true);
  });

  it('answers a want with its state, and its own stop for want of tabs stops no tab', () => {
    const { hub, posted } = setup();
    hub.handle(hello('a1', 'alice', true));
    expect(hub.connection?.state).toBe('connecting');
    const before = posted.length;
    hub.handle({ t: 'want', tab: 'a1', wants: false });
    expect(hub.connection?.state).toBe('disconnected');
    const after = posted.slice(before);
    // A tab that asked again meanwhile must not hear a stop it would obey (willReconnect false).
    expect(after.filter((m) => m.t === 'emit' && m.ev.name === 'disconnected')).toEqual([]);
    expect(after.at(-1)).toMatchObject({ t: 'state', to: ['a1'], reason: 'want' });
    expect(after.at(-1)).toMatchObject({ state: 'disconnected' });
    hub.handle({ t: 'want', tab: 'a1', wants: true });
    expect(posted.at(-1)).toMatchObject({ t: 'state', to: ['a1'], state: 'connecting' });
    hub.dispose();
  });

  it('refuses a hello without a user', () => {
    const { hub, posted } = setup();
    hub.handle(hello('x', ''));
    expect(hub.has('x')).toBe(false);
    expect(posted.at(-1)).toMatchObject({ t: 'refused', to: ['x'] });
  });
});
