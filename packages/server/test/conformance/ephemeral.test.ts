/**
 * Conformance over raw frames: ephemeral publishes (docs/ephemeral.md). Delivered live with
 * `ephemeral: true` and no cursor, never in history nor replayed, allowed only on
 * `ephemeralChannels`, never with a key, over HTTP too, coalesced per flush on
 * `coalesceChannels`, personal channels to their owner only, and dropped, never closed, for a
 * connection that does not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorReply } from '../helpers/conformance-fixtures.js';
import { metricValue, untilMetric } from '../helpers/metric-wait.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import {
  anyString,
  anyTs,
  asType,
  connectClient,
  httpRequest,
  publishHttp,
  useTestNodes,
} from '../helpers/ws-client.js';

const start = useTestNodes();

/** A node that takes ephemeral publishes on `live.>` and `user.>`, coalescing `cursors.>`. */
const startEphemeral = (overrides: Parameters<typeof start>[0] = {}) =>
  start({
    ephemeralChannels: ['live.>', 'cursors.>', 'user.>'],
    coalesceChannels: ['cursors.>'],
    ...overrides,
  });

/** The `event` push of an ephemeral event: no `cursor`, `ephemeral: true`. */
function ephemeralPush(channel: string, data: unknown, eventId: unknown, from?: string) {
  return {
    type: 'event',
    channel,
    event_id: eventId,
    ephemeral: true,
    ts: anyTs,
    data,
    ...(from === undefined ? {} : { from }),
  };
}

describe('ephemeral publish (docs/ephemeral.md)', () => {
  it('answers `published` {event_id, duplicate:false, ephemeral:true} with no cursor and pushes the event live', async () => {
    const node = await startEphemeral();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['live.>'] });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['live.>', 'live.room1'] },
    );
    const reply = await alice.request({
      type: 'publish',
      id: 4,
      channel: 'live.room1',
      data: { typing: true },
      ephemeral: true,
    });
    expect(reply).toEqual({
      type: 'published',
      id: 4,
      event_id: anyString,
      duplicate: false,
      ephemeral: true,
    });
    const { event_id } = asType(reply, 'published');
    // Two matching subscriptions, one event (§2.1 at most once holds for ephemeral events too).
    expect(await bob.next('event')).toEqual(
      ephemeralPush('live.room1', { typing: true }, event_id, 'alice'),
    );
    expect(await bob.quiet()).toEqual([]);
    // The publisher gets its own event, as with a logged publish, unless `echo: false`.
    expect(await alice.quiet()).toEqual([]);
  });

  it('skips the publishing connection with echo:false, and ids differ per event', async () => {
    const node = await startEphemeral();
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme', publish: ['live.>'] },
      { subscriptions: ['live.>'] },
    );
    const a = await alice.request({
      type: 'publish',
      channel: 'live.x',
      data: 1,
      ephemeral: true,
      echo: false,
    });
    const b = await alice.request({ type: 'publish', channel: 'live.x', data: 2, ephemeral: true });
    expect(asType(a, 'published').event_id).not.toBe(asType(b, 'published').event_id);
    expect((await alice.next('event')).data).toBe(2);
    expect(await alice.quiet()).toEqual([]);
  });

  it('leaves no trace in the log: not in history, not replayed on resume, the head unmoved', async () => {
    const node = await startEphemeral();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['live.>'] });
    const before = await publishHttp(node, 'acme', 'live.a', 'logged-1');
    const head = (await alice.request({ type: 'subscribe', channel: 'live.>' })) as {
      cursor: string;
    };
    await alice.request({ type: 'publish', channel: 'live.a', data: 'gone', ephemeral: true });
    await alice.next('event');
    const after = await publishHttp(node, 'acme', 'live.a', 'logged-2');
    // A subscribe answers the head: one logged event later than before, the ephemeral one took no place.
    const again = (await alice.request({ type: 'subscribe', channel: 'other' })) as {
      cursor: string;
    };
    expect(again.cursor).toBe(after.cursor);
    expect(head.cursor).toBe(before.cursor);

    const history = await alice.request({ type: 'history', channel: 'live.>' });
    expect(asType(history, 'history').events.map((e) => e.data)).toEqual(['logged-1', 'logged-2']);
    const api = await httpRequest(node, 'GET', '/api/history?org=acme&channel=live.%3E');
    expect((api.body as { events: { data: unknown }[] }).events.map((e) => e.data)).toEqual([
      'logged-1',
      'logged-2',
    ]);

    const resumed = await connectClient(
      node,
      { sub: 'carol', org: 'acme' },
      { cursor: before.cursor, subscriptions: ['live.>'] },
    );
    expect(resumed.connected.resumed).toBe(true);
    const replayed = [...resumed.messages];
    expect(
      replayed.filter((m) => m.type === 'event').map((m) => (m as { data: unknown }).data),
    ).toEqual(['logged-2']);
  });

  it.each([
    ['the default config (no ephemeralChannels)', {}, 'live.a', ['live.>']],
    ['a channel outside ephemeralChannels', { ephemeralChannels: ['live.>'] }, 'news.a', ['>']],
    [
      'a channel outside the publish grants',
      { ephemeralChannels: ['live.>'] },
      'live.a',
      ['news.>'],
    ],
    [
      'a personal channel, even in ephemeralChannels',
      { ephemeralChannels: ['>'] },
      'user.bob.x',
      ['>'],
    ],
  ])('refuses with forbidden on %s', async (_label, overrides, channel, grants) => {
    const node = await start(overrides);
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: grants });
    const bob = await connectClient(node, { sub: 'bob', org: 'acme' }, { subscriptions: ['>'] });
    expect(
      await alice.request({ type: 'publish', id: 3, channel, data: 1, ephemeral: true }),
    ).toEqual(errorReply(3, 'forbidden'));
    expect(await bob.quiet()).toEqual([]);
  });

  it('refuses a key with ephemeral as bad_request, and the connection goes on', async () => {
    const node = await startEphemeral();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['live.>'] });
    expect(
      await alice.request({
        type: 'publish',
        id: 5,
        channel: 'live.a',
        data: 1,
        key: 'k1',
        ephemeral: true,
      }),
    ).toEqual(errorReply(5, 'bad_request'));
    expect(
      await alice.request({ type: 'publish', id: 6, channel: 'live.a', data: 1, ephemeral: 'yes' }),
    ).toEqual(errorReply(6, 'bad_request'));
    expect(await alice.request({ type: 'ping', id: 7 })).toEqual({ type: 'pong', id: 7 });
  });

  it('charges the tenant publish quota like a logged publish', async () => {
    const node = await startEphemeral({ tenantPublishRate: 1, tenantPublishBurst: 1 });
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['live.>'] });
    const cmd = { type: 'publish', channel: 'live.a', data: 1, ephemeral: true };
    expect((await alice.request(cmd)).type).toBe('published');
    expect(await alice.request({ ...cmd, id: 9 })).toMatchObject(errorReply(9, 'limit_exceeded'));
  });
});

describe('POST /api/publish with ephemeral (docs/ephemeral.md)', () => {
  it('fans out an ephemeral item live and answers {event_id, duplicate:false, ephemeral:true}', async () => {
    const node = await startEphemeral();
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['live.>'] },
    );
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: [
        { org: 'acme', channel: 'live.a', data: 'logged' },
        { org: 'acme', channel: 'live.b', data: 'fleeting', ephemeral: true },
      ],
    });
    expect(res.status).toBe(200);
    const [logged, fleeting] = res.body as [Record<string, unknown>, Record<string, unknown>];
    expect(logged).toEqual({ event_id: anyString, cursor: anyString, duplicate: false });
    expect(fleeting).toEqual({ event_id: anyString, duplicate: false, ephemeral: true });
    const events = [await bob.next('event'), await bob.next('event')];
    expect(events.find((e) => e.channel === 'live.b')).toEqual(
      ephemeralPush('live.b', 'fleeting', fleeting['event_id']),
    );
    expect(events.find((e) => e.channel === 'live.a')).toMatchObject({ cursor: logged['cursor'] });
  });

  it.each([
    [
      'outside ephemeralChannels',
      { channel: 'news.a', data: 1, ephemeral: true },
      403,
      'forbidden',
    ],
    ['with a key', { channel: 'live.a', data: 1, ephemeral: true, key: 'k' }, 400, 'bad_request'],
    [
      'with a non-boolean ephemeral',
      { channel: 'live.a', data: 1, ephemeral: 1 },
      400,
      'bad_request',
    ],
  ])(
    'refuses an item %s, naming its index, and fans out nothing',
    async (_label, item, status, code) => {
      const node = await startEphemeral();
      const bob = await connectClient(node, { sub: 'bob', org: 'acme' }, { subscriptions: ['>'] });
      const res = await httpRequest(node, 'POST', '/api/publish', {
        json: [
          { org: 'acme', channel: 'live.ok', data: 0, ephemeral: true },
          { org: 'acme', ...item },
        ],
      });
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: { code, message: anyString, index: 1 } });
      expect(await bob.quiet()).toEqual([]);
    },
  );

  it('delivers an ephemeral event on a personal channel only to its owner', async () => {
    const node = await startEphemeral();
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['user.bob.>'] },
    );
    const eve = await connectClient(node, { sub: 'eve', org: 'acme' }, { subscriptions: ['>'] });
    const other = await connectClient(
      node,
      { sub: 'bob', org: 'other' },
      { subscriptions: ['user.bob.>'] },
    );
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: { org: 'acme', channel: 'user.bob.signal', data: { sdp: 'x' }, ephemeral: true },
    });
    expect(res.status).toBe(200);
    expect((await bob.next('event')).channel).toBe('user.bob.signal');
    expect(await eve.quiet()).toEqual([]);
    expect(await other.quiet()).toEqual([]);
  });
});

describe('coalescing (coalesceChannels)', () => {
  /** Alice sends `count` ephemeral publishes in one frame; what bob receives, in frames. */
  async function burst(channel: string, count: number) {
    const node = await startEphemeral();
    const alice = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: [channel] },
    );
    const framesBefore = bob.frames;
    const commands = Array.from({ length: count }, (_, n) => ({
      type: 'publish',
      id: n + 1,
      channel,
      data: { x: n },
      ephemeral: true,
    }));
    alice.sendBatch(commands);
    await alice.reply(count);
    // A logged marker published after the burst: everything before it has been flushed.
    await publishHttp(node, 'acme', channel, 'marker');
    const { before } = await bob.takeUntil((m) => m.type === 'event' && m.data === 'marker');
    const coalesced = await metricValue(node.node, 'hubcast_ephemeral_coalesced_total');
    return {
      data: before.map((m) => (m as { data: unknown }).data),
      frames: bob.frames - framesBefore,
      coalesced,
    };
  }

  it('keeps only the latest value per channel within one flush', async () => {
    const coalesced = await burst('cursors.doc1', 50);
    // One event for 50, the last one: 49 replaced in the send queue, 50 frames saved to 2.
    expect(coalesced.data).toEqual([{ x: 49 }]);
    expect(coalesced.coalesced).toBe(49);
    expect(coalesced.frames).toBeLessThanOrEqual(2);
  });

  it('delivers every event on an ephemeral channel that is not coalesced', async () => {
    const plain = await burst('live.doc1', 50);
    expect(plain.data).toEqual(Array.from({ length: 50 }, (_, n) => ({ x: n })));
    expect(plain.coalesced).toBe(0);
  });
});

describe('a connection that does not read', () => {
  it('drops ephemeral events past half the send queue, counts them, and stays open', async () => {
    const node = await startEphemeral({
      maxQueueBytes: 64 * 1024,
      pongTimeout: 60,
      pingInterval: 60,
    });
    const slow = await connectClient(
      node,
      { sub: 'slow', org: 'acme' },
      { subscriptions: ['live.>'] },
    );
    slow.pauseReading();
    const pad = 'x'.repeat(32 * 1024);
    // Far past what a paused loopback socket absorbs (a few MB): the backlog reaches the node.
    for (
      let n = 0;
      n < 400 && (await metricValue(node.node, 'hubcast_ephemeral_dropped_total')) < 10;
      n++
    ) {
      await node.node.publishEphemeral('acme', 'live.big', { n, pad });
      // Each flush pass hands the queue to the socket; let it run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await untilMetric(node.node, 'hubcast_ephemeral_dropped_total', {}, 10);
    expect(await metricValue(node.node, 'hubcast_send_queue_drops_total')).toBe(0);
    expect(await metricValue(node.node, 'hubcast_connection_closes_total', { code: '4001' })).toBe(
      0,
    );
    slow.resumeReading();
    // Still live: a logged event after the storm arrives, and the connection answers.
    await publishHttp(node, 'acme', 'live.after', 'logged');
    await slow.takeUntil((m) => m.type === 'event' && m.data === 'logged', 10_000);
    expect(slow.closeInfo).toBeUndefined();
  });
});

describe('two nodes on the Redis engine', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('carries an ephemeral event to the other node, live only, without disturbing logged order', async () => {
    const cluster = { engine: 'redis', redisUrl: redis.url, store: 'memory' } as const;
    const [a, b] = [await startEphemeral(cluster), await startEphemeral(cluster)];
    const alice = await connectClient(a, { sub: 'alice', org: 'acme', publish: ['live.>'] });
    const bob = await connectClient(b, { sub: 'bob', org: 'acme' }, { subscriptions: ['live.>'] });
    const carol = await connectClient(
      a,
      { sub: 'carol', org: 'acme' },
      { subscriptions: ['live.>'] },
    );
    const first = await publishHttp(a, 'acme', 'live.log', 1);
    const reply = await alice.request({
      type: 'publish',
      channel: 'live.x',
      data: 'hi',
      ephemeral: true,
    });
    const { event_id } = asType(reply, 'published');
    const second = await publishHttp(b, 'acme', 'live.log', 2);
    for (const client of [bob, carol]) {
      const events = [
        await client.next('event'),
        await client.next('event'),
        await client.next('event'),
      ];
      expect(events.find((e) => e.ephemeral === true)).toEqual(
        ephemeralPush('live.x', 'hi', event_id, 'alice'),
      );
      // The logged events come in log order, each once: no gap was seen where none was.
      expect(events.filter((e) => e.ephemeral !== true).map((e) => e.cursor)).toEqual([
        first.cursor,
        second.cursor,
      ]);
      expect(await client.quiet()).toEqual([]);
    }
    expect(await metricValue(b.node, 'hubcast_broker_gap_events_total')).toBe(0);
  });
});
