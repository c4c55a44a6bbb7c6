/**
 * Conformance: the HTTP API of PROTOCOL.md §8 (all but /api/notify) and API-key tenancy (§6).
 */
import { describe, expect, it } from 'vitest';
import type { TestNode } from '../helpers/test-node.js';
import { eventPush } from '../helpers/conformance-fixtures.js';
import {
  anyTs,
  anyNumber,
  anyString,
  connectClient,
  httpRequest,
  publishHttp,
  useTestNodes,
  type HttpResult,
  type TestClient,
} from '../helpers/ws-client.js';

const start = useTestNodes();
const ACME_KEY = 'acme-tenant-key-0123456789';
const tenantKeys = { apiKeys: [{ key: ACME_KEY, org: 'acme' }] };

function expectError(
  res: HttpResult,
  status: number,
  code: string,
  extra: Record<string, unknown> = {},
): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { error: { code, message: anyString, ...extra } },
  });
  expect(res.contentType).toMatch(/application\/json/);
}

async function historyOf(node: TestNode, org: string, channel = '>'): Promise<unknown> {
  const res = await httpRequest(
    node,
    'GET',
    `/api/history?org=${org}&channel=${encodeURIComponent(channel)}`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

describe('POST /api/publish', () => {
  it('answers 200 {event_id, cursor, duplicate:false} and pushes the event without `from`', async () => {
    const node = await start();
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['news.>'] },
    );
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: { org: 'acme', channel: 'news.a', data: { x: 1 } },
    });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/application\/json/);
    expect(res.body).toEqual({
      event_id: anyString,
      cursor: anyString,
      duplicate: false,
    });
    const body = res.body as { event_id: string; cursor: string };
    expect(await c.next('event')).toEqual(eventPush('news.a', { x: 1 }, body));
  });

  it('answers a repeated key with the first event and duplicate:true', async () => {
    const node = await start();
    const first = await publishHttp(node, 'acme', 'news.a', 1, 'key-1');
    const again = await httpRequest(node, 'POST', '/api/publish', {
      json: { org: 'acme', channel: 'news.b', data: 2, key: 'key-1' },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ event_id: first.event_id, cursor: first.cursor, duplicate: true });
  });

  it('publishes to personal channels (the API may)', async () => {
    const node = await start();
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['user.bob.>'] },
    );
    const pub = await publishHttp(node, 'acme', 'user.bob.notes', 'hi bob');
    expect(await bob.next('event')).toMatchObject({
      channel: 'user.bob.notes',
      event_id: pub.event_id,
      data: 'hi bob',
    });
  });

  it('accepts null data', async () => {
    const node = await start();
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: { org: 'acme', channel: 'news.a', data: null },
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a wildcard channel', { org: 'acme', channel: 'news.*', data: 1 }],
    ['a bad channel name', { org: 'acme', channel: 'news..a', data: 1 }],
    ['no channel', { org: 'acme', data: 1 }],
    ['no data', { org: 'acme', channel: 'news.a' }],
    ['a bad org name', { org: 'ac me', channel: 'news.a', data: 1 }],
    ['a numeric key', { org: 'acme', channel: 'news.a', data: 1, key: 5 }],
  ])('answers 400 bad_request to %s', async (_name, json) => {
    const node = await start();
    expectError(await httpRequest(node, 'POST', '/api/publish', { json }), 400, 'bad_request');
  });

  it('answers 400 to malformed JSON', async () => {
    const node = await start();
    expectError(
      await httpRequest(node, 'POST', '/api/publish', { raw: '{"org":"acme",' }),
      400,
      'bad_request',
    );
  });

  it('answers 400 when an admin key names no org', async () => {
    const node = await start();
    expectError(
      await httpRequest(node, 'POST', '/api/publish', { json: { channel: 'news.a', data: 1 } }),
      400,
      'bad_request',
    );
  });

  it('publishes to its own tenant with a tenant-bound key, and answers 403 to another org', async () => {
    const node = await start(tenantKeys);
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['news.>'] },
    );
    const implicit = await httpRequest(node, 'POST', '/api/publish', {
      key: ACME_KEY,
      json: { channel: 'news.a', data: 'implicit' },
    });
    expect(implicit.status).toBe(200);
    expect(await c.next('event')).toMatchObject({ data: 'implicit' });
    const explicit = await httpRequest(node, 'POST', '/api/publish', {
      key: ACME_KEY,
      json: { org: 'acme', channel: 'news.a', data: 'explicit' },
    });
    expect(explicit.status).toBe(200);
    expectError(
      await httpRequest(node, 'POST', '/api/publish', {
        key: ACME_KEY,
        json: { org: 'globex', channel: 'news.a', data: 1 },
      }),
      403,
      'forbidden',
    );
    expect(await historyOf(node, 'globex')).toEqual({ events: [], more: false });
  });

  it('accepts a body of exactly max-message-bytes and answers 413 to one byte more', async () => {
    const node = await start({ maxMessageBytes: 1024 });
    const json = JSON.stringify({ org: 'acme', channel: 'news.a', data: 'x' });
    const exact = json + ' '.repeat(1024 - Buffer.byteLength(json));
    expect((await httpRequest(node, 'POST', '/api/publish', { raw: exact })).status).toBe(200);
    expectError(
      await httpRequest(node, 'POST', '/api/publish', { raw: `${exact} ` }),
      413,
      'too_large',
    );
  });
});

describe('POST /api/publish with an array', () => {
  it('publishes every item, answers in item order, and lets an admin key name different tenants', async () => {
    const node = await start();
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: [
        { org: 'acme', channel: 'news.a', data: 1 },
        { org: 'globex', channel: 'news.a', data: 2 },
        { org: 'acme', channel: 'news.b', data: 3, key: 'k' },
      ],
    });
    expect(res.status).toBe(200);
    const item = { event_id: anyString, cursor: anyString, duplicate: false };
    expect(res.body).toEqual([item, item, item]);
    const ids = (res.body as { event_id: string }[]).map((r) => r.event_id);
    const acme = (await historyOf(node, 'acme')) as {
      events: { event_id: string; data: unknown }[];
    };
    expect(acme.events.map((e) => [e.event_id, e.data])).toEqual([
      [ids[0], 1],
      [ids[2], 3],
    ]);
    const globex = (await historyOf(node, 'globex')) as { events: { event_id: string }[] };
    expect(globex.events.map((e) => e.event_id)).toEqual([ids[1]]);
  });

  // A request's array fans out in runs (consecutive events on one channel, matched once): the
  // delivered stream must be what one publish per event would give.
  /** Alice subscribed to three patterns that all match room.a, Bob to room.a alone. */
  async function roomClients(node: TestNode): Promise<{ both: TestClient; onlyA: TestClient }> {
    const subscribed = async (sub: string, channels: string[]): Promise<TestClient> => {
      const c = await connectClient(node, { sub, org: 'acme' });
      for (const channel of channels)
        expect(await c.request({ type: 'subscribe', channel })).toMatchObject({
          type: 'subscribed',
        });
      return c;
    };
    return {
      both: await subscribed('alice', ['room.>', 'room.a', 'room.*']),
      onlyA: await subscribed('bob', ['room.a']),
    };
  }

  it('delivers an array in log order, once per connection, across runs and overlapping subscriptions', async () => {
    const node = await start();
    const channels = ['room.a', 'room.a', 'room.a', 'room.b', 'room.a', 'room.a', 'room.c'];
    const { both, onlyA } = await roomClients(node);
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: channels.map((channel, i) => ({ org: 'acme', channel, data: i })),
    });
    expect(res.status).toBe(200);
    const ids = (res.body as { event_id: string }[]).map((r) => r.event_id);
    const received = async (c: typeof both, count: number): Promise<[string, unknown][]> => {
      const out: [string, unknown][] = [];
      for (let i = 0; i < count; i++) {
        const e = await c.next('event');
        out.push([e.event_id, e.data]);
      }
      expect(await c.quiet()).toEqual([]);
      return out;
    };
    expect(await received(both, channels.length)).toEqual(ids.map((id, i) => [id, i]));
    const aOnly = channels.flatMap((ch, i) => (ch === 'room.a' ? [[ids[i], i]] : []));
    expect(await received(onlyA, aOnly.length)).toEqual(aOnly);
  });

  it('writes a one-channel array to each connection as one frame, once, in order', async () => {
    const node = await start();
    const { both: overlapping, onlyA: single } = await roomClients(node);
    const framesBefore = [overlapping.frames, single.frames];
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: Array.from({ length: 5 }, (_, i) => ({ org: 'acme', channel: 'room.a', data: i })),
    });
    expect(res.status).toBe(200);
    const ids = (res.body as { event_id: string }[]).map((r) => r.event_id);
    for (const c of [overlapping, single]) {
      const got: [string, unknown][] = [];
      for (let i = 0; i < ids.length; i++) {
        const e = await c.next('event');
        got.push([e.event_id, e.data]);
      }
      expect(got).toEqual(ids.map((id, i) => [id, i]));
    }
    expect([overlapping.frames, single.frames]).toEqual(framesBefore.map((n) => n + 1));
    // Nothing more: the quiet check's own pong is the only frame after the run.
    for (const c of [overlapping, single]) expect(await c.quiet()).toEqual([]);
  });

  it('validates the array whole: one bad item fails all, naming its index', async () => {
    const node = await start();
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: [
        { org: 'acme', channel: 'news.a', data: 1 },
        { org: 'acme', channel: 'news.b', data: 2 },
        { org: 'acme', channel: 'news.>', data: 3 },
      ],
    });
    expectError(res, 400, 'bad_request', { index: 2 });
    expect(await historyOf(node, 'acme')).toEqual({ events: [], more: false });
  });

  it('names the index of an item without org under an admin key', async () => {
    const node = await start();
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: [
        { org: 'acme', channel: 'news.a', data: 1 },
        { channel: 'news.b', data: 2 },
      ],
    });
    expectError(res, 400, 'bad_request', { index: 1 });
    expect(await historyOf(node, 'acme')).toEqual({ events: [], more: false });
  });

  it("refuses a tenant-bound key's item naming another tenant with 403 and its index", async () => {
    const node = await start(tenantKeys);
    const res = await httpRequest(node, 'POST', '/api/publish', {
      key: ACME_KEY,
      json: [
        { channel: 'news.a', data: 1 },
        { org: 'globex', channel: 'news.b', data: 2 },
      ],
    });
    expectError(res, 403, 'forbidden', { index: 1 });
    expect(await historyOf(node, 'acme')).toEqual({ events: [], more: false });
  });
});

describe('authentication (§6, §8)', () => {
  const endpoints: [string, string, object | undefined][] = [
    ['POST', '/api/publish', { org: 'acme', channel: 'news.a', data: 1 }],
    ['GET', '/api/history?org=acme&channel=news.a', undefined],
    ['GET', '/api/presence?org=acme&channel=news.a', undefined],
    ['POST', '/api/disconnect', { org: 'acme', user: 'alice' }],
    ['GET', '/api/stats?org=acme', undefined],
  ];

  it.each(endpoints)(
    '%s %s answers 401 without a key and with a wrong one, never echoing it',
    async (method, path, json) => {
      const node = await start();
      const opts = json === undefined ? {} : { json };
      expectError(
        await httpRequest(node, method, path, { ...opts, key: null }),
        401,
        'unauthorized',
      );
      const wrong = 'wrong-key-ZXCVBNM-0123456789';
      const res = await httpRequest(node, method, path, { ...opts, key: wrong });
      expectError(res, 401, 'unauthorized');
      expect(res.text).not.toContain(wrong);
    },
  );

  it.each([
    ['GET', '/api/history?org=globex&channel=news.a', undefined],
    ['GET', '/api/presence?org=globex&channel=news.a', undefined],
    ['POST', '/api/disconnect', { org: 'globex', user: 'alice' }],
    ['GET', '/api/stats?org=globex', undefined],
  ] as [string, string, object | undefined][])(
    '%s %s with a tenant key naming another org answers 403',
    async (method, path, json) => {
      const node = await start(tenantKeys);
      expectError(
        await httpRequest(node, method, path, {
          key: ACME_KEY,
          ...(json === undefined ? {} : { json }),
        }),
        403,
        'forbidden',
      );
    },
  );

  it.each([
    ['GET', '/api/history?channel=news.a', undefined],
    ['GET', '/api/presence?channel=news.a', undefined],
    ['POST', '/api/disconnect', { user: 'alice' }],
  ] as [string, string, object | undefined][])(
    '%s %s with an admin key and no org answers 400',
    async (method, path, json) => {
      const node = await start();
      expectError(
        await httpRequest(node, method, path, json === undefined ? {} : { json }),
        400,
        'bad_request',
      );
    },
  );
});

describe('routing errors', () => {
  it.each([
    ['GET', '/api/publish'],
    ['PUT', '/api/publish'],
    ['POST', '/api/history'],
    ['POST', '/api/presence'],
    ['GET', '/api/disconnect'],
    ['POST', '/api/stats'],
  ])('%s %s answers 405 with code bad_request', async (method, path) => {
    const node = await start();
    expectError(
      await httpRequest(node, method, path, method === 'GET' ? {} : { json: {} }),
      405,
      'bad_request',
    );
  });

  it.each(['/api/nope', '/nope', '/api'])('GET %s answers 404 not_found', async (path) => {
    const node = await start();
    expectError(await httpRequest(node, 'GET', path), 404, 'not_found');
  });
});

describe('GET /api/history', () => {
  it('answers {events, more, cursor?} like the history command', async () => {
    const node = await start();
    const p1 = await publishHttp(node, 'acme', 'news.a', 1);
    const p2 = await publishHttp(node, 'acme', 'news.b', 2);
    const p3 = await publishHttp(node, 'acme', 'news.a', 3);
    await publishHttp(node, 'acme', 'sports.a', 4);
    const ev = (
      p: { event_id: string; cursor: string },
      channel: string,
      data: unknown,
    ): object => ({
      event_id: p.event_id,
      cursor: p.cursor,
      channel,
      data,
      ts: anyTs,
    });
    const get = (q: string): Promise<HttpResult> =>
      httpRequest(node, 'GET', `/api/history?org=acme&${q}`);
    const newest = await get('channel=news.%3E&limit=2');
    expect(newest.status).toBe(200);
    expect(newest.body).toEqual({
      events: [ev(p2, 'news.b', 2), ev(p3, 'news.a', 3)],
      more: true,
      cursor: p2.cursor, // `before` it goes on
    });
    expect(
      (await get(`channel=news.%3E&after=${encodeURIComponent(p1.cursor)}&limit=1`)).body,
    ).toEqual({
      events: [ev(p2, 'news.b', 2)],
      more: true,
      cursor: p2.cursor, // `after` it goes on
    });
    expect((await get(`channel=news.%3E&before=${encodeURIComponent(p3.cursor)}`)).body).toEqual({
      events: [ev(p1, 'news.a', 1), ev(p2, 'news.b', 2)],
      more: false,
    });
    expect((await get('channel=news.*')).body).toEqual({
      events: [ev(p1, 'news.a', 1), ev(p2, 'news.b', 2), ev(p3, 'news.a', 3)],
      more: false,
    });
  });

  it.each([
    ['no channel', ''],
    ['a bad pattern', 'channel=news..a'],
    ['limit 0', 'channel=news.a&limit=0'],
    ['limit 1001', 'channel=news.a&limit=1001'],
    ['limit abc', 'channel=news.a&limit=abc'],
    ['both after and before', 'channel=news.a&after=CURSOR&before=CURSOR'],
    ['a garbage cursor', 'channel=news.a&after=garbage-cursor'],
  ])('answers 400 to %s', async (_name, query) => {
    const node = await start();
    const p = await publishHttp(node, 'acme', 'news.a', 1);
    await publishHttp(node, 'acme', 'news.a', 2);
    const q = query.replaceAll('CURSOR', encodeURIComponent(p.cursor));
    expectError(await httpRequest(node, 'GET', `/api/history?org=acme&${q}`), 400, 'bad_request');
  });
});

describe('GET /api/presence', () => {
  it('answers {channel, members, count}', async () => {
    const node = await start();
    await connectClient(
      node,
      { sub: 'alice', org: 'acme', info: { name: 'A' } },
      { subscriptions: ['room.1'], client: { device: 'phone' } },
    );
    await connectClient(node, { sub: 'bob', org: 'acme' }, { subscriptions: ['room.2'] });
    const res = await httpRequest(node, 'GET', '/api/presence?org=acme&channel=room.1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      channel: 'room.1',
      members: [{ user: 'alice', info: { name: 'A' }, connections: 1, devices: ['phone'] }],
      count: 1,
    });
    expect(
      (await httpRequest(node, 'GET', '/api/presence?org=globex&channel=room.1')).body,
    ).toEqual({ channel: 'room.1', members: [], count: 0 });
  });

  it('answers 400 to a pattern or a missing channel', async () => {
    const node = await start();
    expectError(
      await httpRequest(node, 'GET', '/api/presence?org=acme&channel=room.*'),
      400,
      'bad_request',
    );
    expectError(await httpRequest(node, 'GET', '/api/presence?org=acme'), 400, 'bad_request');
  });
});

describe('POST /api/disconnect', () => {
  it('closes every connection of the user with 4502 and the reason, and the user may connect again', async () => {
    const node = await start();
    const a1 = await connectClient(node, { sub: 'alice', org: 'acme' });
    const a2 = await connectClient(node, { sub: 'alice', org: 'acme' });
    const bob = await connectClient(node, { sub: 'bob', org: 'acme' });
    const otherTenant = await connectClient(node, { sub: 'alice', org: 'globex' });
    const res = await httpRequest(node, 'POST', '/api/disconnect', {
      json: { org: 'acme', user: 'alice', reason: 'account locked' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ closed: 2 });
    expect(await a1.waitClosed()).toEqual({ code: 4502, reason: 'account locked' });
    expect(await a2.waitClosed()).toEqual({ code: 4502, reason: 'account locked' });
    expect(await bob.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
    expect(await otherTenant.request({ type: 'ping', id: 1 })).toEqual({ type: 'pong', id: 1 });
    const again = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(again.connected.user).toBe('alice');
  });

  it('cuts the close reason to 123 bytes', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    const reason = 'r'.repeat(200);
    const res = await httpRequest(node, 'POST', '/api/disconnect', {
      json: { org: 'acme', user: 'alice', reason },
    });
    expect(res.body).toEqual({ closed: 1 });
    expect(await c.waitClosed()).toEqual({ code: 4502, reason: 'r'.repeat(123) });
  });

  it('answers {closed: 0} for a user without connections and 400 without a user', async () => {
    const node = await start();
    const res = await httpRequest(node, 'POST', '/api/disconnect', {
      json: { org: 'acme', user: 'nobody' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ closed: 0 });
    expectError(
      await httpRequest(node, 'POST', '/api/disconnect', { json: { org: 'acme' } }),
      400,
      'bad_request',
    );
  });

  it('lets a tenant key disconnect its own users', async () => {
    const node = await start(tenantKeys);
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    const res = await httpRequest(node, 'POST', '/api/disconnect', {
      key: ACME_KEY,
      json: { user: 'alice' },
    });
    expect(res.body).toEqual({ closed: 1 });
    expect((await c.waitClosed()).code).toBe(4502);
  });
});

describe('GET /api/stats', () => {
  it('answers {connections, subscriptions, events_per_second, nodes} per tenant, or for all', async () => {
    const node = await start(tenantKeys);
    await connectClient(node, { sub: 'alice', org: 'acme' }, { subscriptions: ['a.1', 'a.2'] });
    await connectClient(node, { sub: 'bob', org: 'acme' }, { subscriptions: ['a.1'] });
    await connectClient(node, { sub: 'eve', org: 'globex' }, { subscriptions: ['g.1'] });
    for (let i = 0; i < 5; i++) await publishHttp(node, 'acme', 'a.1', i);
    const acme = await httpRequest(node, 'GET', '/api/stats?org=acme');
    expect(acme.status).toBe(200);
    expect(acme.body).toEqual({
      connections: 2,
      subscriptions: 3,
      events_per_second: anyNumber,
      nodes: 1,
    });
    expect((acme.body as { events_per_second: number }).events_per_second).toBeGreaterThan(0);
    const viaTenantKey = await httpRequest(node, 'GET', '/api/stats', { key: ACME_KEY });
    expect(viaTenantKey.body).toMatchObject({ connections: 2, subscriptions: 3 });
    const whole = await httpRequest(node, 'GET', '/api/stats');
    expect(whole.status).toBe(200);
    expect(whole.body).toEqual({
      connections: 3,
      subscriptions: 4,
      events_per_second: anyNumber,
      nodes: 1,
    });
  });
});

describe('health and metrics', () => {
  it('GET /healthz and /readyz answer 200 without a key', async () => {
    const node = await start();
    expect((await httpRequest(node, 'GET', '/healthz', { key: null })).status).toBe(200);
    expect((await httpRequest(node, 'GET', '/readyz', { key: null })).status).toBe(200);
  });

  it('GET /metrics answers Prometheus text with hubcast_ metrics, without a key', async () => {
    const node = await start();
    await connectClient(node, { sub: 'alice', org: 'acme' });
    await publishHttp(node, 'acme', 'news.a', 1);
    const res = await httpRequest(node, 'GET', '/metrics', { key: null });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^# (HELP|TYPE) hubcast_/m);
    expect(res.text).toMatch(/^hubcast_\w+(\{[^}]*\})? [0-9.e+-]+$/m);
  });
});
