/**
 * Conformance: the `publish` command (PROTOCOL.md §4), idempotency (§2.4), publish grants (§6),
 * personal channels (§1), event shape (§1, §5) and per-connection order (§2.1).
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '@hubcast/protocol';
import { errorReply, eventPush, untilEventOn } from '../helpers/conformance-fixtures.js';
import {
  anyString,
  asType,
  connectClient,
  httpRequest,
  publishHttp,
  useTestNodes,
} from '../helpers/ws-client.js';

const start = useTestNodes();

describe('publish (§4)', () => {
  it('answers `published` {event_id, cursor, duplicate:false} and pushes the event with `from`', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['news.>'] });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['news.>'] },
    );
    const sentMs = Date.now();
    const reply = await alice.request({
      type: 'publish',
      id: 4,
      channel: 'news.a',
      data: { n: 1 },
    });
    const answeredMs = Date.now();
    expect(reply).toEqual({
      type: 'published',
      id: 4,
      event_id: anyString,
      cursor: anyString,
      duplicate: false,
    });
    const published = asType(reply, 'published');
    const event = await bob.next('event');
    expect(event).toEqual(eventPush('news.a', { n: 1 }, published, 'alice'));
    // `ts` is the server's receive time
    const ts = Date.parse(event.ts);
    expect(ts).toBeGreaterThanOrEqual(sentMs - 1);
    expect(ts).toBeLessThanOrEqual(answeredMs + 1);
    expect(await bob.quiet()).toEqual([]);
  });

  it('omits `from` on events published through the HTTP API', async () => {
    const node = await start();
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['news.>'] },
    );
    await publishHttp(node, 'acme', 'news.a', 1);
    const event = await bob.next('event');
    expect('from' in event).toBe(false);
  });

  it.each([
    ['null', null],
    ['false', false],
    ['zero', 0],
    ['a string', 'text'],
    ['an array', [1, 'two', null]],
    ['a nested object', { a: { b: [true, { c: null }] } }],
  ])('carries any JSON value as data: %s', async (_name, data) => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme', publish: ['>'] },
      { subscriptions: ['news.a'] },
    );
    expect(await alice.request({ type: 'publish', id: 1, channel: 'news.a', data })).toMatchObject({
      type: 'published',
      id: 1,
    });
    const event = await alice.next('event');
    expect('data' in event).toBe(true);
    expect(event.data).toEqual(data);
  });

  it('delivers the event back to the publishing connection by default', async () => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme', publish: ['>'] },
      { subscriptions: ['news.a'] },
    );
    const p = asType(
      await alice.request({ type: 'publish', id: 1, channel: 'news.a', data: 1 }),
      'published',
    );
    expect(await alice.next('event')).toMatchObject({ event_id: p.event_id, from: 'alice' });
  });

  it('with echo:false keeps the event from the publishing connection only', async () => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme', publish: ['>'] },
      { subscriptions: ['news.>'] },
    );
    const aliceTwo = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['news.>'] },
    );
    const quietPub = asType(
      await alice.request({
        type: 'publish',
        id: 1,
        channel: 'news.a',
        data: 'no echo',
        echo: false,
      }),
      'published',
    );
    const marker = asType(
      await alice.request({ type: 'publish', id: 2, channel: 'news.marker', data: 'marker' }),
      'published',
    );
    const { before, match } = await alice.takeUntil(
      (m) => m.type === 'event' && m.channel === 'news.marker',
    );
    expect(before).toEqual([]);
    expect(match).toMatchObject({ event_id: marker.event_id });
    expect(await aliceTwo.next('event')).toMatchObject({
      event_id: quietPub.event_id,
      data: 'no echo',
      from: 'alice',
    });
    expect(await aliceTwo.next('event')).toMatchObject({ event_id: marker.event_id });
  });

  it('keeps per-connection log order for a burst of publishes (§2.1)', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['burst.>'] },
    );
    const count = 50;
    alice.sendBatch(
      Array.from({ length: count }, (_, i) => ({
        type: 'publish',
        id: i + 1,
        channel: `burst.${i % 3}`,
        data: i,
      })),
    );
    const replies = [];
    for (let i = 1; i <= count; i++) replies.push(asType(await alice.reply(i), 'published'));
    const events = [];
    for (let i = 0; i < count; i++) events.push(await bob.next('event'));
    expect(events.map((e) => e.data)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(events.map((e) => e.event_id)).toEqual(replies.map((r) => r.event_id));
    expect(new Set(events.map((e) => e.event_id)).size).toBe(count);
    expect(await bob.quiet()).toEqual([]);
  });
});

describe('idempotency keys (§2.4)', () => {
  it('answers a repeated key with the first event_id and cursor, duplicate:true, even with other data', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['news.>', 'marker'] },
    );
    const first = asType(
      await alice.request({ type: 'publish', id: 1, channel: 'news.a', data: 'one', key: 'k-1' }),
      'published',
    );
    expect(first.duplicate).toBe(false);
    expect(
      await alice.request({ type: 'publish', id: 2, channel: 'news.a', data: 'two', key: 'k-1' }),
    ).toEqual({
      type: 'published',
      id: 2,
      event_id: first.event_id,
      cursor: first.cursor,
      duplicate: true,
    });
    // any channel of the tenant shares the key space
    expect(
      await alice.request({ type: 'publish', id: 3, channel: 'news.b', data: 'three', key: 'k-1' }),
    ).toEqual({
      type: 'published',
      id: 3,
      event_id: first.event_id,
      cursor: first.cursor,
      duplicate: true,
    });
    await alice.request({ type: 'publish', id: 4, channel: 'marker', data: 'm' });
    const seen = await untilEventOn(bob, 'marker');
    expect(seen.map((m) => (m.type === 'event' ? m.data : m.type))).toEqual(['one', 'm']);
  });

  // A client must not claim a key its backend will use later: the backend's publish would
  // answer `duplicate` and its event would never exist.
  it('scopes keys per publisher: a client cannot squat a key of the HTTP API', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    const squat = asType(
      await alice.request({ type: 'publish', id: 1, channel: 'orders', data: 'fake', key: 'o-42' }),
      'published',
    );
    const real = await publishHttp(node, 'acme', 'orders', 'real', 'o-42');
    expect(real.duplicate).toBe(false);
    expect(real.event_id).not.toBe(squat.event_id);
    // The API's own retry, from any key of the tenant, is still the same event.
    expect(await publishHttp(node, 'acme', 'orders', 'retry', 'o-42')).toEqual({
      ...real,
      duplicate: true,
    });
  });

  it("gives each user's client publishes a scope of their own, shared by their connections", async () => {
    const node = await start();
    const claims = { org: 'acme', publish: ['>'] };
    const alice = await connectClient(node, { sub: 'alice', ...claims });
    const alice2 = await connectClient(node, { sub: 'alice', ...claims });
    const bob = await connectClient(node, { sub: 'bob', ...claims });
    const publish = async (c: typeof alice) =>
      asType(
        await c.request({ type: 'publish', id: 1, channel: 'news.a', data: 1, key: 'k' }),
        'published',
      );
    const first = await publish(alice);
    // The same user again, from another connection (a retry after a reconnect): one event.
    expect(await publish(alice2)).toEqual({ ...first, duplicate: true });
    const other = await publish(bob);
    expect(other.duplicate).toBe(false);
    expect(other.event_id).not.toBe(first.event_id);
  });

  it('scopes keys per tenant', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    const eve = await connectClient(node, { sub: 'eve', org: 'globex', publish: ['>'] });
    const a = asType(
      await alice.request({ type: 'publish', id: 1, channel: 'news.a', data: 1, key: 'same' }),
      'published',
    );
    const e = asType(
      await eve.request({ type: 'publish', id: 1, channel: 'news.a', data: 1, key: 'same' }),
      'published',
    );
    expect(e.duplicate).toBe(false);
    expect(e.event_id).not.toBe(a.event_id);
  });
});

describe('publish refusals', () => {
  it.each<[string, string, ErrorCode]>([
    ['a wildcard channel', 'news.*', 'bad_request'],
    ['a wildcard channel', 'news.>', 'bad_request'],
    ['a wildcard channel', '>', 'bad_request'],
    ['a wildcard channel', '*', 'bad_request'],
    // personal channels take API publishes only, so even publish [">"] does not reach them
    ['the personal channel', 'user.alice', 'forbidden'],
    ['the personal channel', 'user.alice.notes', 'forbidden'],
    ['the personal channel', 'user.bob', 'forbidden'],
    ['the personal channel', 'user.bob.notes', 'forbidden'],
  ])(
    'refuses a client publish to %s %s with %s, even with publish [">"]',
    async (_what, channel, code) => {
      const node = await start();
      const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
      expect(await alice.request({ type: 'publish', id: 1, channel, data: 1 })).toEqual(
        errorReply(1, code),
      );
    },
  );

  it('refuses a publish without data, or with a bad channel name, with bad_request', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    expect(await alice.request({ type: 'publish', id: 1, channel: 'news.a' })).toMatchObject({
      type: 'error',
      id: 1,
      code: 'bad_request',
    });
    expect(
      await alice.request({ type: 'publish', id: 2, channel: 'news..a', data: 1 }),
    ).toMatchObject({ type: 'error', id: 2, code: 'bad_request' });
    expect(await alice.request({ type: 'publish', id: 3, data: 1 })).toMatchObject({
      type: 'error',
      id: 3,
      code: 'bad_request',
    });
  });

  it('refuses a publish without a publish grant (default []) with forbidden', async () => {
    const node = await start();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['news.>'] },
    );
    expect(await alice.request({ type: 'publish', id: 1, channel: 'news.a', data: 1 })).toEqual(
      errorReply(1, 'forbidden'),
    );
    expect(await alice.quiet()).toEqual([]);
  });

  it('allows only channels matched by a publish grant', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['news.*'] });
    expect(
      await alice.request({ type: 'publish', id: 1, channel: 'news.a', data: 1 }),
    ).toMatchObject({ type: 'published', id: 1 });
    expect(
      await alice.request({ type: 'publish', id: 2, channel: 'news.a.b', data: 1 }),
    ).toMatchObject({ type: 'error', id: 2, code: 'forbidden' });
    expect(
      await alice.request({ type: 'publish', id: 3, channel: 'sports.a', data: 1 }),
    ).toMatchObject({ type: 'error', id: 3, code: 'forbidden' });
  });

  it('stores nothing for a refused publish', async () => {
    const node = await start();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['news.*'] });
    await alice.request({ type: 'publish', id: 1, channel: 'sports.a', data: 1 });
    const res = await httpRequest(node, 'GET', '/api/history?org=acme&channel=%3E');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ events: [], more: false });
  });
});
