/**
 * The tab side against a scripted hub: what it tells a new hub, and that a replay overlapping
 * what it already delivered reaches each handler once. The browser tests run the real hub.
 */
import type { WireEvent } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import type { FromHub, ToHub } from './messages.js';
import { SharedConnection } from './tab-connection.js';

const TAB = 'tab-1';

function setup(attached = true): {
  conn: SharedConnection;
  sent: ToHub[];
  attach: () => void;
} {
  const conn = new SharedConnection({
    tab: TAB,
    user: 'alice',
    wire: { url: 'ws://hub.test/ws' },
    token: 'fixed-token',
    getToken: undefined,
    cursorKey: undefined,
    cursor: undefined,
  });
  const sent: ToHub[] = [];
  const attach = (): void => conn.attach({ send: (m) => sent.push(m), close: () => undefined });
  if (attached) attach();
  return { conn, sent, attach };
}

const state = (
  hub: string,
  s: 'connecting' | 'connected',
  reason: string,
): Extract<FromHub, { t: 'state' }> => ({
  hub,
  t: 'state',
  state: s,
  reason,
  session: undefined,
  cursor: undefined,
});

function event(hub: string, n: number, ids: number[], tab = TAB): FromHub {
  const e: WireEvent = {
    event_id: `e${n}`,
    channel: 'inv.a',
    data: { n },
    ts: '2026-01-01T00:00:00Z',
    cursor: `c${n}`,
  };
  return { hub, t: 'event', event: e, routes: [{ tab, ids }], cursor: `c${n}` };
}

describe('SharedConnection, the tab side', () => {
  it('delivers an event replayed by a new hub once, and keeps the order of new ones', async () => {
    const { conn, sent } = setup();
    const got: number[] = [];
    const all: string[] = [];
    conn.on('event', (e) => all.push(e.event_id));
    conn.subscribe('inv.*', (e) => got.push((e.data as { n: number }).n));
    const ready = conn.connect();
    conn.receive(state('h1', 'connected', 'hello'));
    await ready;
    for (const n of [1, 2, 3]) conn.receive(event('h1', n, [1]));
    expect(conn.cursor).toBe('c3');
    // The new leader saw up to c1 only: it replays 2 and 3, then goes on with 4.
    conn.receive(state('h2', 'connecting', 'new hub'));
    for (const n of [2, 3, 4]) conn.receive(event('h2', n, [1]));
    // A straggler of the old hub, after the switch.
    conn.receive(event('h1', 3, [1]));
    expect(got).toEqual([1, 2, 3, 4]);
    expect(all).toEqual(['e1', 'e2', 'e3', 'e4']);
    const hellos = sent.filter((m) => m.t === 'hello');
    expect(hellos.at(-1)).toMatchObject({
      cursor: 'c3',
      wants: true,
      subs: [{ id: 1, pattern: 'inv.*', presence: false }],
    });
  });

  it('sends a publish in flight again to a new hub with the same key, and fails an rpc', async () => {
    const { conn, sent } = setup();
    const ready = conn.connect();
    conn.receive(state('h1', 'connected', 'hello'));
    await ready;
    const published = conn.publish('inv.a', { n: 1 });
    const called = conn.rpc('notifications.list', {});
    const calls = (): Extract<ToHub, { t: 'call' }>[] =>
      sent.filter((m): m is Extract<ToHub, { t: 'call' }> => m.t === 'call');
    expect(calls()).toHaveLength(2);
    conn.receive(state('h2', 'connecting', 'new hub'));
    await expect(called).rejects.toMatchObject({ code: 'unavailable' });
    const publishes = calls().filter((c) => c.method === 'publish');
    expect(publishes).toHaveLength(2);
    expect(publishes[1]!.args).toEqual(publishes[0]!.args);
    const key = (publishes[0]!.args[2] as { key: string }).key;
    expect(key).toMatch(/.{16,}/);
    const result = { event_id: 'e1', cursor: 'c1', duplicate: false };
    conn.receive({ hub: 'h2', t: 'result', id: publishes[1]!.id, value: result });
    await expect(published).resolves.toEqual(result);
  });

  const callsIn = (sent: ToHub[]): Extract<ToHub, { t: 'call' }>[] =>
    sent.filter((m): m is Extract<ToHub, { t: 'call' }> => m.t === 'call');

  it('holds a call made before the link until a hub answers the hello, then sends it once', async () => {
    const { conn, sent, attach } = setup(false);
    void conn.connect();
    const called = conn.rpc('chat.profile');
    attach();
    expect(callsIn(sent)).toEqual([]); // no hub known yet: it could not be told apart later
    conn.receive(state('h1', 'connected', 'hello'));
    expect(callsIn(sent).map((c) => c.method)).toEqual(['rpc']);
    conn.receive({ hub: 'h1', t: 'result', id: callsIn(sent)[0]!.id, value: { zone: 'UTC' } });
    await expect(called).resolves.toEqual({ zone: 'UTC' });
  });

  it('a call made while the worker never answered goes to the leader the tab falls back to', async () => {
    const first: ToHub[] = [];
    const { conn, sent } = setup(false);
    conn.attach({ send: (m) => first.push(m), close: () => undefined }); // the silent worker
    void conn.connect();
    const called = conn.publish('inv.a', { n: 1 });
    conn.attach({ send: (m) => sent.push(m), close: () => undefined }); // leader election
    conn.receive(state('h1', 'connected', 'hello'));
    expect([callsIn(first), callsIn(sent).map((c) => c.method)]).toEqual([[], ['publish']]);
    const result = { event_id: 'e1', cursor: 'c1', duplicate: false };
    conn.receive({ hub: 'h1', t: 'result', id: callsIn(sent)[0]!.id, value: result });
    await expect(called).resolves.toEqual(result);
  });

  it('a call made before any hub announced itself goes to the first one that does, once', async () => {
    const { conn, sent } = setup();
    void conn.connect();
    const called = conn.rpc('chat.profile');
    conn.receive(state('h1', 'connecting', 'new hub'));
    expect(callsIn(sent)).toHaveLength(1);
    conn.receive({ hub: 'h1', t: 'result', id: callsIn(sent)[0]!.id, value: 1 });
    await expect(called).resolves.toBe(1);
  });

  it('fails an rpc the first hub had once that hub is gone, even if it never said so', async () => {
    const { conn } = setup();
    void conn.connect();
    const called = conn.rpc('chat.send', {});
    conn.receive(state('h1', 'connected', 'hello'));
    conn.receive(state('h2', 'connecting', 'new hub'));
    await expect(called).rejects.toMatchObject({ code: 'unavailable' });
  });

  it("takes an old hub's answer to a call, and a hub it left cannot take it back", async () => {
    const { conn, sent } = setup();
    void conn.connect();
    conn.receive(state('h1', 'connected', 'hello'));
    const published = conn.publish('inv.a', { n: 1 });
    conn.receive(state('h2', 'connecting', 'new hub'));
    // h1 ran it before it went; its answer comes after the switch, and settles the call.
    const result = { event_id: 'e1', cursor: 'c1', duplicate: false };
    conn.receive({ hub: 'h1', t: 'result', id: callsIn(sent)[0]!.id, value: result });
    await expect(published).resolves.toEqual(result);
    // A late state of h1 is a straggler: the tab stays with h2 and says no new hello.
    const hellos = sent.filter((m) => m.t === 'hello').length;
    conn.receive(state('h1', 'connected', 'resumed'));
    expect(sent.filter((m) => m.t === 'hello')).toHaveLength(hellos);
    expect(conn.state).toBe('connecting');
  });

  it("emits 'connected' once per connection: joining one that is up, and when the hub's comes", () => {
    const session = {
      id: 's1',
      user: 'alice',
      org: 'o',
      expiresAtSeconds: 0,
      pingIntervalSeconds: 25,
    };
    const ctx = { session, resumed: undefined, cursor: 'c0', subscriptions: [], rejected: [] };
    const joined: unknown[] = [];
    const late = setup();
    late.conn.on('connected', (c) => joined.push(c));
    void late.conn.connect();
    // Joining a connection already up: the hello's answer carries its context.
    late.conn.receive({ ...state('h1', 'connected', 'hello'), connected: ctx });
    expect(joined).toEqual([ctx]);
    // Asking again after letting go: what the hub said before may be stale (it may stop the
    // socket on the tab's let-go), so the tab waits for the hub's answer to its new `want`.
    late.conn.disconnect();
    void late.conn.connect();
    expect([joined.length, late.conn.state]).toEqual([1, 'connecting']);
    late.conn.receive({ ...state('h1', 'connected', 'want'), connected: ctx, to: [TAB] });
    expect(joined).toEqual([ctx, ctx]);

    const seen: string[] = [];
    const first = setup();
    first.conn.on('state', (c) => seen.push(c.to));
    first.conn.on('connected', () => seen.push('connected event'));
    void first.conn.connect();
    first.conn.receive(state('h1', 'connecting', 'hello'));
    first.conn.receive(state('h1', 'connected', 'handshake done'));
    first.conn.receive({ hub: 'h1', t: 'emit', ev: { name: 'connected', ctx } });
    // A reconnect: the old context does not stand in for the new connection's.
    first.conn.receive(state('h1', 'connecting', 'closed with 1006'));
    first.conn.receive(state('h1', 'connected', 'resumed'));
    expect(seen).toEqual(['connecting', 'connected', 'connected event', 'connecting', 'connected']);
    first.conn.receive({ hub: 'h1', t: 'emit', ev: { name: 'connected', ctx } });
    expect(seen.filter((s) => s === 'connected event')).toHaveLength(2);
  });

  it('answers a token request with its own token', () => {
    const { conn, sent } = setup();
    conn.receive(state('h1', 'connecting', 'hello'));
    conn.receive({ hub: 'h1', t: 'token-request', id: 7 });
    return expect
      .poll(() => sent.find((m) => m.t === 'token'))
      .toEqual({ t: 'token', tab: TAB, id: 7, token: 'fixed-token' });
  });

  it('ignores messages meant for other tabs', () => {
    const { conn } = setup();
    const got: unknown[] = [];
    conn.subscribe('inv.*', (e) => got.push(e));
    void conn.connect();
    conn.receive({ ...state('h1', 'connected', 'hello'), to: ['other-tab'] });
    expect(conn.state).toBe('connecting');
    conn.receive(event('h1', 1, [1], 'other-tab'));
    expect(got).toEqual([]);
  });
  it('a hub of another user refuses the tab: connect() rejects with forbidden, now and later', async () => {
    const { conn, sent } = setup();
    const errors: string[] = [];
    conn.on('error', ({ error }) => errors.push(error.code));
    const ready = conn.connect();
    conn.receive({
      hub: 'h1',
      to: [TAB],
      t: 'refused',
      error: { code: 'forbidden', message: 'x' },
    });
    await expect(ready).rejects.toMatchObject({ code: 'forbidden' });
    await expect(conn.connect()).rejects.toMatchObject({ code: 'forbidden' });
    expect([errors, conn.state]).toEqual([['forbidden'], 'disconnected']);
    expect(sent[0]).toMatchObject({ t: 'hello', user: 'alice' });
  });
});
