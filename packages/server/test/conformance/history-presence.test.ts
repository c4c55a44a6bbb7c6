/**
 * Conformance: the `history` and `presence` commands and `join` / `leave` pushes
 * (PROTOCOL.md §4, §5), with a raw `ws` client.
 */
import { describe, expect, it } from 'vitest';
import type { EventPush, PresenceMember, ServerMessage, WireEvent } from '@hubcast/protocol';
import type { TestNode } from '../helpers/test-node.js';
import { errorReply } from '../helpers/conformance-fixtures.js';
import {
  anyArray,
  asType,
  connectClient,
  httpRequest,
  publishHttp,
  useTestNodes,
  type ConnectedClient,
  type PublishedBody,
} from '../helpers/ws-client.js';

const start = useTestNodes();

interface Log {
  /** Events as history must return them (the pushed event without `type`), by name. */
  ev: Record<'n1' | 's1' | 'n2' | 'n3' | 'n4' | 'n5' | 'w1', WireEvent>;
  pub: Record<'n1' | 's1' | 'n2' | 'n3' | 'n4' | 'n5' | 'w1', PublishedBody>;
}

function wire(e: EventPush): WireEvent {
  const { type: _type, ...rest } = e;
  if (rest.ephemeral === true) throw new Error('an ephemeral event is not a logged one');
  return rest;
}

/** n1 s1 n2 n3 n4 n5 (news.*, sports.a) via HTTP, then w1 on news.a by alice over WebSocket. */
async function seed(node: TestNode): Promise<Log> {
  const watch = await connectClient(
    node,
    { sub: 'watcher', org: 'acme' },
    { subscriptions: ['>'] },
  );
  const n1 = await publishHttp(node, 'acme', 'news.a', 'n1');
  const s1 = await publishHttp(node, 'acme', 'sports.a', 's1');
  const n2 = await publishHttp(node, 'acme', 'news.b', 'n2');
  const n3 = await publishHttp(node, 'acme', 'news.a', { n: 3 });
  const n4 = await publishHttp(node, 'acme', 'news.b', null);
  const n5 = await publishHttp(node, 'acme', 'news.a', [5]);
  const writer = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['news.>'] });
  const w1 = asType(
    await writer.request({ type: 'publish', id: 1, channel: 'news.a', data: 'w1' }),
    'published',
  );
  const names = ['n1', 's1', 'n2', 'n3', 'n4', 'n5', 'w1'] as const;
  const pubs = [n1, s1, n2, n3, n4, n5, w1];
  const ev = {} as Log['ev'];
  const pub = {} as Log['pub'];
  for (const [i, name] of names.entries()) {
    const e = await watch.next('event');
    const p = pubs[i] as PublishedBody;
    expect(e.event_id).toBe(p.event_id);
    ev[name] = wire(e);
    pub[name] = { event_id: p.event_id, cursor: p.cursor, duplicate: p.duplicate };
  }
  watch.close();
  writer.close();
  return { ev, pub };
}

/**
 * A `history` query on `news.>` unless it names a channel, and the exact page it must answer:
 * with `more`, the `cursor` to go on from (the event just past the page, in its direction).
 */
type PageCase = [query: Record<string, unknown>, events: WireEvent[], more: false | PublishedBody];

/** Sends each query as a `history` command (ids 1, 2, ...) and expects exactly its page. */
async function expectPages(c: ConnectedClient, cases: readonly PageCase[]): Promise<void> {
  for (const [i, [query, events, more]] of cases.entries()) {
    const id = i + 1;
    expect(await c.request({ type: 'history', id, channel: 'news.>', ...query })).toEqual({
      type: 'history',
      id,
      events,
      ...(more === false ? { more } : { more: true, cursor: more.cursor }),
    });
  }
}

describe('history (§4)', () => {
  it('returns the newest `limit` events oldest first with neither after nor before, and `more`', async () => {
    const node = await start();
    const { ev, pub } = await seed(node);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    await expectPages(c, [
      [{ limit: 2 }, [ev.n5, ev.w1], pub.n5], // before n5 goes on
      [{}, [ev.n1, ev.n2, ev.n3, ev.n4, ev.n5, ev.w1], false],
      [{ channel: '*.a', limit: 6 }, [ev.n1, ev.s1, ev.n3, ev.n5, ev.w1], false],
    ]);
  });

  it('carries `from` on client-published events and omits it on API-published ones', async () => {
    const node = await start();
    const { ev } = await seed(node);
    expect(ev.w1.from).toBe('alice');
    expect('from' in ev.n1).toBe(false);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    const h = asType(
      await c.request({ type: 'history', id: 1, channel: 'news.a', limit: 1 }),
      'history',
    );
    expect(h.events).toEqual([{ ...ev.w1, from: 'alice' }]);
  });

  it('with `after` returns the first `limit` events newer than that event', async () => {
    const node = await start();
    const { ev, pub } = await seed(node);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    await expectPages(c, [
      [{ after: pub.n2.cursor, limit: 2 }, [ev.n3, ev.n4], pub.n4],
      [{ after: pub.n3.cursor, limit: 10 }, [ev.n4, ev.n5, ev.w1], false],
      // the cursor of an event the pattern does not match still places the position
      [{ after: pub.s1.cursor, limit: 1 }, [ev.n2], pub.n2],
      [{ after: pub.w1.cursor }, [], false],
    ]);
  });

  it('with `before` returns the last `limit` events older than that event', async () => {
    const node = await start();
    const { ev, pub } = await seed(node);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    await expectPages(c, [
      // s1 does not match, and nothing before n2 but n1 does: before s1 goes on
      [{ before: pub.n4.cursor, limit: 2 }, [ev.n2, ev.n3], pub.s1],
      [{ before: pub.n3.cursor, limit: 10 }, [ev.n1, ev.n2], false],
      [{ before: pub.n1.cursor }, [], false],
    ]);
  });

  it.each([
    ['limit 0', { limit: 0 }],
    ['limit 1001', { limit: 1001 }],
    ['limit 1.5', { limit: 1.5 }],
    ['limit "5"', { limit: '5' }],
    ['a pattern with an empty segment', { channel: 'news..a' }],
    ['no channel', { channel: undefined }],
  ])('answers bad_request to %s', async (_name, fields) => {
    const node = await start();
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    expect(await c.request({ type: 'history', id: 1, channel: 'news.>', ...fields })).toEqual(
      errorReply(1, 'bad_request'),
    );
  });

  it('returns 100 events by default', async () => {
    const node = await start();
    const items = Array.from({ length: 150 }, (_, i) => ({
      org: 'acme',
      channel: 'bulk.a',
      data: i,
    }));
    const res = await httpRequest(node, 'POST', '/api/publish', { json: items });
    expect(res.status).toBe(200);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    const h = asType(await c.request({ type: 'history', id: 1, channel: 'bulk.a' }), 'history');
    expect(h.events.map((e) => e.data)).toEqual(Array.from({ length: 100 }, (_, i) => i + 50));
    expect(h.more).toBe(true);
  });

  it('accepts limit 1000', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    await expectPages(c, [[{ limit: 1000 }, [], false]]);
  });

  it('answers bad_request to both after and before', async () => {
    const node = await start();
    const { pub } = await seed(node);
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    expect(
      await c.request({
        type: 'history',
        id: 1,
        channel: 'news.>',
        after: pub.n1.cursor,
        before: pub.n5.cursor,
      }),
    ).toEqual(errorReply(1, 'bad_request'));
  });

  it("answers bad_request to a cursor it cannot place (garbage, another tenant's)", async () => {
    const node = await start();
    await seed(node);
    const foreign = await publishHttp(node, 'globex', 'news.a', 'g');
    await publishHttp(node, 'globex', 'news.a', 'g2');
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    for (const [id, fields] of [
      [1, { after: 'garbage-cursor' }],
      [2, { before: 'garbage-cursor' }],
      [3, { after: foreign.cursor }],
      [4, { before: foreign.cursor }],
    ] as const) {
      expect(await c.request({ type: 'history', id, channel: 'news.>', ...fields })).toEqual(
        errorReply(id, 'bad_request'),
      );
    }
  });

  it('needs the grant subscribing would need', async () => {
    const node = await start();
    await seed(node);
    const c = await connectClient(node, { sub: 'bob', org: 'acme', subscribe: ['news.>'] });
    expect(await c.request({ type: 'history', id: 1, channel: 'sports.a' })).toEqual(
      errorReply(1, 'forbidden'),
    );
    expect(await c.request({ type: 'history', id: 2, channel: '>' })).toMatchObject({
      type: 'error',
      id: 2,
      code: 'forbidden',
    });
    expect(await c.request({ type: 'history', id: 3, channel: 'news.>', limit: 1 })).toMatchObject({
      type: 'history',
      id: 3,
    });
    const d = await connectClient(node, { sub: 'carol', org: 'acme' });
    expect(await d.request({ type: 'history', id: 1, channel: 'user.bob' })).toMatchObject({
      type: 'error',
      id: 1,
      code: 'forbidden',
    });
    expect(await d.request({ type: 'history', id: 2, channel: 'user.>' })).toMatchObject({
      type: 'error',
      id: 2,
      code: 'forbidden',
    });
  });

  it("never returns other users' personal events or other tenants' events", async () => {
    const node = await start();
    await publishHttp(node, 'acme', 'user.bob.notes', 'bob only');
    await publishHttp(node, 'globex', 'news.a', 'globex');
    const mine = await publishHttp(node, 'acme', 'user.alice.notes', 'alice only');
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    const h = asType(await c.request({ type: 'history', id: 1, channel: '>' }), 'history');
    expect(h.events.map((e) => e.event_id)).toEqual([mine.event_id]);
    expect(h.more).toBe(false);
  });
});

function sortMembers(members: readonly PresenceMember[]): PresenceMember[] {
  return [...members]
    .map((m) => ({ ...m, devices: [...m.devices].sort() }))
    .sort((a, b) => a.user.localeCompare(b.user));
}

describe('presence (§4)', () => {
  it('lists members with info, connections and distinct devices of exactly that channel', async () => {
    const node = await start();
    const info = { name: 'Alice', avatar: 'a.png' };
    const alice = { sub: 'alice', org: 'acme', info };
    await connectClient(node, alice, {
      subscriptions: ['room.1'],
      client: { name: 'web', version: '1', device: 'phone' },
    });
    await connectClient(node, alice, {
      subscriptions: ['room.1'],
      client: { name: 'web', version: '1', device: 'laptop' },
    });
    await connectClient(node, alice, {
      subscriptions: ['room.1'],
      client: { name: 'app', version: '2', device: 'phone' },
    });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['room.1'] },
    );
    await connectClient(
      node,
      { sub: 'carol', org: 'acme' },
      { subscriptions: ['room.*', 'room.>'] },
    );
    await connectClient(node, { sub: 'dave', org: 'acme' }, { subscriptions: ['room.2'] });
    await connectClient(node, { sub: 'erin', org: 'globex' }, { subscriptions: ['room.1'] });
    const reply = asType(
      await bob.request({ type: 'presence', id: 3, channel: 'room.1' }),
      'presence',
    );
    expect(reply).toEqual({
      type: 'presence',
      id: 3,
      channel: 'room.1',
      members: anyArray,
      count: 2,
    });
    expect(sortMembers(reply.members)).toEqual([
      { user: 'alice', info, connections: 3, devices: ['laptop', 'phone'] },
      { user: 'bob', connections: 1, devices: [] },
    ]);
  });

  it('counts a member whether or not it asked for presence:true', async () => {
    const node = await start();
    const a = await connectClient(node, { sub: 'alice', org: 'acme' });
    await a.request({ type: 'subscribe', id: 1, channel: 'room.1', presence: true });
    const b = await connectClient(node, { sub: 'bob', org: 'acme' });
    await b.request({ type: 'subscribe', id: 1, channel: 'room.1', presence: false });
    const reply = asType(
      await b.request({ type: 'presence', id: 2, channel: 'room.1' }),
      'presence',
    );
    expect(sortMembers(reply.members)).toEqual([
      { user: 'alice', connections: 1, devices: [] },
      { user: 'bob', connections: 1, devices: [] },
    ]);
  });

  it('answers an empty member list for a channel nobody is in', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'bob', org: 'acme' });
    expect(await c.request({ type: 'presence', id: 1, channel: 'room.empty' })).toEqual({
      type: 'presence',
      id: 1,
      channel: 'room.empty',
      members: [],
      count: 0,
    });
  });

  it('answers bad_request to a pattern and forbidden without the grant', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'bob', org: 'acme', subscribe: ['room.>'] });
    expect(await c.request({ type: 'presence', id: 1, channel: 'room.*' })).toEqual(
      errorReply(1, 'bad_request'),
    );
    expect(await c.request({ type: 'presence', id: 2, channel: 'news.a' })).toEqual(
      errorReply(2, 'forbidden'),
    );
    expect(await c.request({ type: 'presence', id: 3, channel: 'user.alice' })).toMatchObject({
      type: 'error',
      id: 3,
      code: 'forbidden',
    });
    expect(await c.request({ type: 'presence', id: 4, channel: 'room.1' })).toMatchObject({
      type: 'presence',
      id: 4,
    });
  });
});

describe('join and leave (§4, §5)', () => {
  it('pushes join on the first connection and leave after the last, only to presence:true subscribers', async () => {
    const delaySeconds = 0.3;
    const node = await start({ presenceLeaveDelay: delaySeconds });
    const info = { name: 'Alice' };
    const lurker = await connectClient(
      node,
      { sub: 'lurker', org: 'acme' },
      { subscriptions: ['room.1'] },
    );
    const watcher = await connectClient(node, { sub: 'watcher', org: 'acme' });
    await watcher.request({ type: 'subscribe', id: 1, channel: 'room.1', presence: true });
    expect(await watcher.quiet()).toEqual([]); // no join for members already there, nor for itself

    const a1 = await connectClient(node, { sub: 'alice', org: 'acme', info });
    await a1.request({ type: 'subscribe', id: 1, channel: 'room.1', presence: true });
    expect(await watcher.next('join')).toEqual({
      type: 'join',
      channel: 'room.1',
      user: 'alice',
      info,
    });
    expect(await a1.quiet()).toEqual([]); // never to the connection that entered

    const a2 = await connectClient(node, { sub: 'alice', org: 'acme', info });
    await a2.request({ type: 'subscribe', id: 1, channel: 'room.1' });
    const bob = await connectClient(node, { sub: 'bob', org: 'acme' });
    await bob.request({ type: 'subscribe', id: 1, channel: 'room.1' });
    // alice's second connection joined nothing: bob's join is the next presence push
    const bobJoin = await watcher.takeUntil('join');
    expect(bobJoin.before).toEqual([]);
    expect(bobJoin.match).toEqual({ type: 'join', channel: 'room.1', user: 'bob' });
    expect(await a1.next('join')).toEqual({ type: 'join', channel: 'room.1', user: 'bob' });

    await a1.request({ type: 'unsubscribe', id: 2, channel: 'room.1' });
    const left = Date.now();
    a2.close();
    const leave = await watcher.takeUntil('leave', 5000);
    expect(leave.before).toEqual([]);
    expect(leave.match).toEqual({ type: 'leave', channel: 'room.1', user: 'alice', info });
    expect(Date.now() - left).toBeGreaterThanOrEqual(delaySeconds * 1000 - 50);
    const members = asType(
      await watcher.request({ type: 'presence', id: 9, channel: 'room.1' }),
      'presence',
    ).members;
    expect(sortMembers(members).map((m) => m.user)).toEqual(['bob', 'lurker', 'watcher']);
    expect(await lurker.quiet()).toEqual([]);
  });

  it('shows neither leave nor join for a reconnect within the leave delay', async () => {
    const node = await start({ presenceLeaveDelay: 1 });
    const watcher = await connectClient(node, { sub: 'watcher', org: 'acme' });
    await watcher.request({ type: 'subscribe', id: 1, channel: 'room.1', presence: true });
    const first = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['room.1'] },
    );
    expect(await watcher.next('join')).toEqual({ type: 'join', channel: 'room.1', user: 'alice' });
    first.close();
    await first.waitClosed();
    await connectClient(node, { sub: 'alice', org: 'acme' }, { subscriptions: ['room.1'] });
    // bob enters and goes: his leave comes one delay after alice's would have
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['room.1'] },
    );
    bob.close();
    const pushes: ServerMessage[] = [];
    for (;;) {
      const m = await watcher.next(undefined, 5000);
      if (m.type === 'ping') continue;
      pushes.push(m);
      if (m.type === 'leave' && m.user === 'bob') break;
    }
    expect(pushes).toEqual([
      { type: 'join', channel: 'room.1', user: 'bob' },
      { type: 'leave', channel: 'room.1', user: 'bob' },
    ]);
  });
});
