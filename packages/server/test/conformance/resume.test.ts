/**
 * Conformance: resuming from a cursor (PROTOCOL.md §2.2, §4 "when connect or subscribe carries a
 * cursor", §1 retention), with a raw `ws` client.
 */
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@hubcast/protocol';
import type { TestNode } from '../helpers/test-node.js';
import { connectedReply, eventPush } from '../helpers/conformance-fixtures.js';
import {
  anyString,
  asType,
  connectClient,
  httpRequest,
  openClient,
  publishHttp,
  useTestNodes,
  type PublishedBody,
  type TestClient,
} from '../helpers/ws-client.js';

const start = useTestNodes();
const alice = { sub: 'alice', org: 'acme' } as const;

/** Opens a connection and sends connect with a cursor; returns what came before `connected`, and it. */
async function resumeConnect(
  node: TestNode,
  cursor: string,
  subscriptions: string[],
): Promise<{ client: TestClient; before: ServerMessage[]; connected: ServerMessage }> {
  const token = await node.token(alice);
  const client = await openClient(node.wsUrl);
  client.send({ type: 'connect', id: 1, token, cursor, subscriptions });
  const { before, match } = await client.takeUntil('connected');
  return { client, before, connected: match };
}

/** The head cursor of an (otherwise unused) connection. */
async function headCursor(node: TestNode): Promise<string> {
  const c = await connectClient(node, { sub: 'probe', org: 'acme' });
  c.close();
  return c.connected.cursor;
}

describe('connect with a cursor (§2.2)', () => {
  it('replays exactly the missed matching events in order before `connected` (resumed:true), then goes live', async () => {
    const node = await start();
    const first = await connectClient(node, alice, { subscriptions: ['news.>'] });
    const e1 = await publishHttp(node, 'acme', 'news.a', 1);
    expect(await first.next('event')).toMatchObject({ event_id: e1.event_id });
    first.close();
    await first.waitClosed();
    const e2 = await publishHttp(node, 'acme', 'news.a', 2);
    await publishHttp(node, 'acme', 'sports.a', 'not subscribed');
    const e3 = await publishHttp(node, 'acme', 'news.b.c', 3);
    const { client, before, connected } = await resumeConnect(node, e1.cursor, ['news.>']);
    expect(before).toEqual([eventPush('news.a', 2, e2), eventPush('news.b.c', 3, e3)]);
    expect(connected).toEqual(connectedReply({ subscriptions: ['news.>'], resumed: true }));
    const e4 = await publishHttp(node, 'acme', 'news.d', 4);
    expect(await client.next('event')).toEqual(eventPush('news.d', 4, e4));
    expect(await client.quiet()).toEqual([]);
  });

  it('resumes from `connected.cursor` of an empty log, replaying what was published since', async () => {
    const node = await start();
    const c0 = await headCursor(node);
    const replayNothing = await resumeConnect(node, c0, ['news.>']);
    expect(replayNothing.before).toEqual([]);
    expect(replayNothing.connected).toMatchObject({ type: 'connected', resumed: true });
    replayNothing.client.close();
    const e1 = await publishHttp(node, 'acme', 'news.a', 1);
    const e2 = await publishHttp(node, 'acme', 'news.b', 2);
    const { before, connected } = await resumeConnect(node, c0, ['news.>']);
    expect(before).toEqual([eventPush('news.a', 1, e1), eventPush('news.b', 2, e2)]);
    expect(connected).toMatchObject({ resumed: true });
  });

  it("does not replay other users' personal events to a broad pattern", async () => {
    const node = await start();
    const c0 = await headCursor(node);
    await publishHttp(node, 'acme', 'user.bob.notes', 'bob only');
    const mine = await publishHttp(node, 'acme', 'user.alice.notes', 'alice only');
    const news = await publishHttp(node, 'acme', 'news.a', 'all');
    const { before } = await resumeConnect(node, c0, ['>']);
    expect(before).toEqual([
      eventPush('user.alice.notes', 'alice only', mine),
      eventPush('news.a', 'all', news),
    ]);
  });

  // §1: a cursor the server cannot place, however long or short, is out of retention.
  it.each([
    ['garbage', 'garbage-cursor'],
    ['empty', ''],
    ['longer than any cursor', 'x'.repeat(129)],
    ['4,000 characters', 'c'.repeat(4000)],
  ])(
    'answers resumed:false to a %s cursor, replays nothing, and goes live from the head',
    async (_what, cursor) => {
      const node = await start();
      await publishHttp(node, 'acme', 'news.a', 'old');
      const { client, before, connected } = await resumeConnect(node, cursor, ['news.>']);
      expect(before).toEqual([]);
      expect(connected).toMatchObject({
        type: 'connected',
        id: 1,
        resumed: false,
        subscriptions: ['news.>'],
      });
      const live = await publishHttp(node, 'acme', 'news.b', 'new');
      expect(await client.next('event')).toEqual(eventPush('news.b', 'new', live));
      expect(await client.quiet()).toEqual([]);
    },
  );

  it("answers resumed:false to another tenant's cursor and replays nothing", async () => {
    const node = await start();
    const foreign = await publishHttp(node, 'globex', 'news.a', 'globex');
    await publishHttp(node, 'globex', 'news.a', 'globex 2');
    await publishHttp(node, 'acme', 'news.a', 'acme 1');
    await publishHttp(node, 'acme', 'news.a', 'acme 2');
    await publishHttp(node, 'acme', 'news.a', 'acme 3');
    const { before, connected } = await resumeConnect(node, foreign.cursor, ['news.>']);
    expect(before).toEqual([]);
    expect(connected).toMatchObject({ resumed: false });
  });

  it('answers resumed:false once an event after the cursor was evicted (history size)', async () => {
    const node = await start({ historySize: 5 });
    const c0 = await headCursor(node);
    const pubs: PublishedBody[] = [];
    for (let i = 0; i < 40; i++) pubs.push(await publishHttp(node, 'acme', 'news.a', i));
    const evicted = await resumeConnect(node, c0, ['news.>']);
    expect(evicted.before).toEqual([]);
    expect(evicted.connected).toMatchObject({ resumed: false });
    const live = await publishHttp(node, 'acme', 'news.a', 'live');
    expect(await evicted.client.next('event')).toEqual(eventPush('news.a', 'live', live));
    // a cursor whose following events are all kept still resumes
    const recent = pubs[37] as PublishedBody;
    const kept = await resumeConnect(node, recent.cursor, ['news.>']);
    expect(kept.connected).toMatchObject({ resumed: true });
    expect(kept.before.map((m) => (m.type === 'event' ? m.data : m.type))).toEqual([
      38,
      39,
      'live',
    ]);
  });

  it('answers resumed:false once an event after the cursor is older than history-ttl', async () => {
    const node = await start({ historyTtl: 0.3, pingInterval: 0.2 });
    const c0 = await headCursor(node);
    await publishHttp(node, 'acme', 'news.a', 'expires');
    // time passes as server pings (0.6 s > the 0.3 s TTL), awaited rather than slept
    const clock = await connectClient(node, { sub: 'clock', org: 'acme' });
    for (let i = 0; i < 3; i++) await clock.next('ping', 2000);
    await publishHttp(node, 'acme', 'news.a', 'fresh');
    const { before, connected } = await resumeConnect(node, c0, ['news.>']);
    expect(before).toEqual([]);
    expect(connected).toMatchObject({ resumed: false });
  });

  it('leaves no gap and no duplicate when events are published during the resume', async () => {
    const node = await start();
    const c0 = await headCursor(node);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push((await publishHttp(node, 'acme', `news.${i % 4}`, i)).event_id);
    let lastId = '';
    const background = (async () => {
      for (let i = 20; i < 60; i++) {
        const p = await publishHttp(node, 'acme', `news.${i % 4}`, i);
        ids.push(p.event_id);
        lastId = p.event_id;
      }
    })();
    const { client, before, connected } = await resumeConnect(node, c0, ['news.>']);
    expect(connected).toMatchObject({ resumed: true });
    await background;
    await client.takeUntil((m) => m.type === 'event' && m.event_id === lastId, 5000);
    expect(before.length).toBeGreaterThanOrEqual(20);
    expect(before.every((m) => m.type === 'event')).toBe(true);
    const received = client.messages
      .filter((m) => m.type === 'event')
      .map((m) => (m.type === 'event' ? m.event_id : ''));
    expect(received).toEqual(ids);
  });

  // Arrays fan out in runs (one channel, matched once, each recipient taking the run at once);
  // around a resume, with two patterns matching news.1, the stream must stay the log.
  it('leaves no gap and no duplicate when arrays of events are published during the resume', async () => {
    const node = await start();
    const c0 = await headCursor(node);
    const ids: string[] = [];
    const publishRun = async (from: number): Promise<string[]> => {
      const channel = `news.${from % 3}`;
      const res = await httpRequest(node, 'POST', '/api/publish', {
        json: Array.from({ length: 5 }, (_, i) => ({ org: 'acme', channel, data: from + i })),
      });
      expect(res.status).toBe(200);
      return (res.body as PublishedBody[]).map((r) => r.event_id);
    };
    for (let i = 0; i < 40; i += 5) ids.push(...(await publishRun(i)));
    let lastId = '';
    const background = (async () => {
      for (let i = 40; i < 200; i += 5) {
        const run = await publishRun(i);
        ids.push(...run);
        lastId = run[run.length - 1] as string;
      }
    })();
    const { client, connected } = await resumeConnect(node, c0, ['news.>', 'news.1']);
    expect(connected).toMatchObject({ resumed: true });
    await background;
    await client.takeUntil((m) => m.type === 'event' && m.event_id === lastId, 5000);
    const received = client.messages
      .filter((m) => m.type === 'event')
      .map((m) => (m.type === 'event' ? m.event_id : ''));
    expect(received).toEqual(ids);
  });
});

describe('subscribe with a cursor (§4)', () => {
  it('replays, before `subscribed`, the events matching the new pattern and none of the others', async () => {
    const node = await start();
    const c = await connectClient(node, alice, { subscriptions: ['a.>'] });
    const c0 = c.connected.cursor;
    await publishHttp(node, 'acme', 'a.1', 'a1');
    const b1 = await publishHttp(node, 'acme', 'b.1', 'b1');
    await publishHttp(node, 'acme', 'a.2', 'a2');
    const b2 = await publishHttp(node, 'acme', 'b.2', 'b2');
    await publishHttp(node, 'acme', 'user.bob.x', 'bob only');
    // the live a.* events, already received
    expect((await c.next('event')).data).toBe('a1');
    expect((await c.next('event')).data).toBe('a2');
    c.send({ type: 'subscribe', id: 5, channel: '>', cursor: c0 });
    const { before, match } = await c.takeUntil('subscribed');
    expect(before).toEqual([eventPush('b.1', 'b1', b1), eventPush('b.2', 'b2', b2)]);
    expect(match).toEqual({
      type: 'subscribed',
      id: 5,
      channel: '>',
      cursor: anyString,
      resumed: true,
    });
    // live again, each event once although two subscriptions match it
    const a3 = await publishHttp(node, 'acme', 'a.3', 'a3');
    const b3 = await publishHttp(node, 'acme', 'b.3', 'b3');
    expect(await c.next('event')).toEqual(eventPush('a.3', 'a3', a3));
    expect(await c.next('event')).toEqual(eventPush('b.3', 'b3', b3));
    expect(await c.quiet()).toEqual([]);
  });

  it.each([['garbage-cursor'], [''], ['x'.repeat(129)]])(
    'answers resumed:false and replays nothing for the unplaceable cursor %#',
    async (cursor) => {
      const node = await start();
      const c = await connectClient(node, alice);
      await publishHttp(node, 'acme', 'news.a', 'old');
      c.send({ type: 'subscribe', id: 2, channel: 'news.>', cursor });
      const { before, match } = await c.takeUntil('subscribed');
      expect(before).toEqual([]);
      expect(match).toEqual({
        type: 'subscribed',
        id: 2,
        channel: 'news.>',
        cursor: anyString,
        resumed: false,
      });
    },
  );

  it('answers resumed:false and replays nothing for a cursor out of retention', async () => {
    const node = await start({ historySize: 3 });
    const c = await connectClient(node, alice);
    const c0 = c.connected.cursor;
    for (let i = 0; i < 30; i++) await publishHttp(node, 'acme', 'news.a', i);
    c.send({ type: 'subscribe', id: 2, channel: 'news.>', cursor: c0 });
    const { before, match } = await c.takeUntil('subscribed');
    expect(before).toEqual([]);
    expect(asType(match, 'subscribed').resumed).toBe(false);
  });

  it('omits `resumed` when no cursor is given', async () => {
    const node = await start();
    const c = await connectClient(node, alice);
    const reply = asType(
      await c.request({ type: 'subscribe', id: 1, channel: 'x.y' }),
      'subscribed',
    );
    expect('resumed' in reply).toBe(false);
  });
});
