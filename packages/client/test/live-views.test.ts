/**
 * PresenceView and ConnectionView against a real node, across a dropped connection (a socket
 * the test cuts, as a network would): presence reloads on every reconnect because joins and
 * leaves are not replayed; the connection view counts the attempts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionView, LiveCollection, PresenceView } from '../src/index.js';
import { controlledWebSocket } from './helpers/controlled-websocket.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { viewUntil } from './helpers/view-wait.js';
import { waitFor } from './helpers/wait-for.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.close();
});

describe('PresenceView', () => {
  it('reloads after a reconnect and shows who came while the client was away', async () => {
    const sockets = controlledWebSocket();
    const alice = await fx.client('alice', { WebSocket: sockets.WebSocket });
    const bob = await fx.client('bob');
    await alice.connect();
    const view = new PresenceView(alice, 'lobby').start();
    try {
      await viewUntil(view, (s) => s.status === 'ready' && s.count === 1, 'alice alone');

      sockets.hold(); // the next socket waits: alice is away for sure while bob comes
      const dropped = waitFor(alice, 'disconnected');
      sockets.killCurrent();
      await dropped;
      expect(view.getSnapshot().isLive).toBe(false);
      await bob.connect();
      await bob.subscribe('lobby', () => undefined, { presence: true }).ready();
      sockets.release();
      const s = await viewUntil(view, (v) => v.isLive && v.count === 2, 'bob after reconnect');
      expect(s.members.map((m) => m.user)).toEqual(['alice', 'bob']);
    } finally {
      view.stop();
    }
  });
});

describe('ConnectionView', () => {
  it('shows the state, the reconnect attempt and a stable snapshot', async () => {
    const sockets = controlledWebSocket();
    const client = await fx.client('alice', { WebSocket: sockets.WebSocket });
    const view = new ConnectionView(client);
    try {
      expect(view.getSnapshot()).toMatchObject({ state: 'disconnected', reconnectAttempt: 0 });
      await client.connect();
      const connected = view.getSnapshot();
      expect(connected).toMatchObject({ state: 'connected', reconnectAttempt: 0 });
      expect(connected.resumed).toBeUndefined(); // a first connect, without a cursor
      expect(connected.session?.user).toBe('alice');
      expect(view.getSnapshot()).toBe(connected); // nothing changed, same reference

      sockets.hold();
      sockets.killCurrent();
      const away = await viewUntil(view, (s) => s.reconnectAttempt === 1, 'the first attempt');
      expect(away).toMatchObject({ state: 'connecting', willReconnect: true });
      expect(away.lastDisconnect?.code).toBe(1006);
      sockets.release();
      await viewUntil(view, (s) => s.state === 'connected', 'connected again');
      expect(view.getSnapshot()).toMatchObject({ reconnectAttempt: 0, resumed: true });
    } finally {
      view.stop();
    }
  });
});

describe('LiveCollection restart', () => {
  it('follows again after stop() and start() (as under StrictMode double effects)', async () => {
    const client = await fx.client('alice');
    await client.connect();
    let loads = 0;
    const collection = new LiveCollection<{ id: string; n: number }>(client, {
      channel: 'things.>',
      key: (t) => t.id,
      load: () => Promise.resolve([{ id: 'a', n: ++loads }]),
      map: (e) => ({ op: 'patch', key: 'a', patch: { n: e.data as number } }),
    });
    collection.start();
    collection.stop();
    collection.start();
    try {
      await viewUntil(collection, (s) => s.status === 'ready', 'loaded');
      await fx.api.publish({ channel: 'things.a', data: 42 });
      await viewUntil(collection, (s) => s.items[0]?.n === 42, 'the patch');
      expect((await fx.api.stats()).subscriptions).toBe(1);
    } finally {
      collection.stop();
    }
  });
});
