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

  it('runs a call id it already had once: a tab sends it again when it cannot know', async () => {
    const { hub, posted } = setup();
    hub.handle(hello('a1', 'alice'));
    hub.dispose(); // no client: every call answers at once, with an error
    const call = (id: number): ToHub => ({ t: 'call', tab: 'a1', id, method: 'ping', args: [] });
    for (const id of [1, 1, 2, 1, 2]) hub.handle(call(id));
    await expect
      .poll(() => posted.filter((m) => m.t === 'result').map((m) => m.t === 'result' && m.id))
      .toEqual([1, 2]);
    // A tab that left and said hello again is a new tab to the hub only by its id: its
    // call ids are forgotten with it.
    hub.handle({ t: 'bye', tab: 'a1' });
    hub.handle(hello('a1', 'alice'));
    hub.dispose();
    hub.handle(call(1));
    await expect.poll(() => posted.filter((m) => m.t === 'result')).toHaveLength(3);
  });

  it('refuses a hello without a user', () => {
    const { hub, posted } = setup();
    hub.handle(hello('x', ''));
    expect(hub.has('x')).toBe(false);
    expect(posted.at(-1)).toMatchObject({ t: 'refused', to: ['x'] });
  });
});
