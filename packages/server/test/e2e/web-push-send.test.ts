/**
 * Web Push delivery end to end (docs/push.md): `POST /api/notify` for a user with no live
 * connection reaches the local push service with a valid VAPID header and an aes128gcm payload
 * the subscription's key decrypts; an online user gets none; 410 forgets the subscription; 429
 * is retried after its backoff; quiet hours defer the push to their end; tenants stay apart.
 * The node's clock is injected: the tests move it, they never sleep.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { decryptPush, testSubscription } from '../helpers/push-endpoint.js';
import { rpcResult, startPushNode, until, usePushWorld } from '../helpers/push-fixtures.js';
import { connectClient, httpRequest } from '../helpers/ws-client.js';

const zones = new Map<string, string>();
const world = usePushWorld('2026-01-15T12:00:00Z', {
  timeZoneOf: (org, user) => Promise.resolve(zones.get(`${org}/${user}`)),
});
beforeEach(() => zones.clear());

async function notify(body: Record<string, unknown>): Promise<string[]> {
  const res = await httpRequest(world.node, 'POST', '/api/notify', {
    json: { org: 'acme', ...body },
  });
  expect(res.status, res.text).toBe(200);
  return (res.body as { ids: string[] }).ids;
}

describe('Web Push to offline devices', () => {
  it('pushes to an offline user and not to an online one', async () => {
    const annPhone = await world.device('ann', 'ann-phone');
    const annLaptop = await world.device('ann', 'ann-laptop');
    await world.device('bob', 'bob-phone', { stayOnline: true });
    const [, annId] = await notify({
      users: ['bob', 'ann'],
      notification: { kind: 'mention', title: 'Hi', body: 'there', data: { doc: 7 } },
    });
    const pushes = await world.endpoint.waitFor(2);
    expect(pushes.map((p) => p.problems)).toEqual([[], []]);
    expect(pushes.map((p) => p.name).sort()).toEqual(['ann-laptop', 'ann-phone']);
    for (const p of pushes) {
      expect(p.headers['urgency']).toBe('normal');
      expect(Number(p.headers['ttl'])).toBeGreaterThan(0);
      const sub = p.name === 'ann-phone' ? annPhone : annLaptop;
      expect(JSON.parse(decryptPush(p.body, sub))).toEqual({
        id: annId,
        kind: 'mention',
        title: 'Hi',
        body: 'there',
        data: { doc: 7 },
      });
    }
    // Bob was online: nothing was queued for him, so nothing can follow.
    await until(
      async () => (await world.store.push.pending('acme')).length === 0,
      'an empty queue',
    );
    expect(world.endpoint.pushes.filter((p) => p.name === 'bob-phone')).toEqual([]);
  });

  it('drops data and body of a notification too big for one push, and says so', async () => {
    const sub = await world.device('ann', 'ann-phone');
    const [id] = await notify({
      users: ['ann'],
      notification: { kind: 'k', title: 'Big', body: 'b'.repeat(3000), data: 'd'.repeat(3000) },
    });
    const [push] = await world.endpoint.waitFor(1);
    expect(JSON.parse(decryptPush(push?.body ?? Buffer.alloc(0), sub))).toEqual({
      id,
      kind: 'k',
      title: 'Big',
      body: 'b'.repeat(3000),
      truncated: true,
    });
  });

  it('forgets a subscription the push service calls gone (410), keeping the others', async () => {
    await world.device('ann', 'gone');
    await world.device('ann', 'alive');
    world.endpoint.respond('gone', 410);
    await notify({ users: ['ann'], notification: { kind: 'k', title: 'one' } });
    await world.endpoint.waitFor(2);
    await until(
      async () => (await world.store.push.pending('acme')).length === 0,
      'the delivery done',
    );
    expect((await world.store.push.list('acme', 'ann')).map((s) => s.device)).toEqual(['alive']);
    await notify({ users: ['ann'], notification: { kind: 'k', title: 'two' } });
    const pushes = await world.endpoint.waitFor(3);
    expect(pushes.map((p) => `${p.name}:${p.status}`)).toEqual(
      expect.arrayContaining(['gone:410', 'alive:201', 'alive:201']),
    );
    await until(
      async () => (await world.store.push.pending('acme')).length === 0,
      'the second done',
    );
    const metrics = await httpRequest(world.node, 'GET', '/metrics');
    expect(metrics.text).toContain('hubcast_web_push_sends_total{outcome="gone"} 1');
    expect(metrics.text).toContain('hubcast_web_push_sends_total{outcome="delivered"} 2');
  });

  it('forgets it on 404 too, and drops a push another 4xx refuses without retrying', async () => {
    await world.device('ann', 'missing');
    await world.device('bob', 'refusing');
    world.endpoint.respond('missing', 404);
    world.endpoint.respond('refusing', 403);
    await notify({ users: ['ann', 'bob'], notification: { kind: 'k', title: 'x' } });
    await world.endpoint.waitFor(2);
    await until(
      async () => (await world.store.push.pending('acme')).length === 0,
      'the deliveries done',
    );
    expect(await world.store.push.list('acme', 'ann')).toEqual([]);
    expect(await world.store.push.list('acme', 'bob')).toHaveLength(1);
  });

  it('retries a 429 after its backoff, only to the endpoint that failed', async () => {
    const sub = await world.device('ann', 'busy');
    await world.device('ann', 'fine');
    world.endpoint.respond('busy', 429, { status: 503, retryAfter: '120' });
    const [id] = await notify({ users: ['ann'], notification: { kind: 'k', title: 'retry me' } });
    await world.endpoint.waitFor(1, 'busy');
    await until(
      async () => (await world.store.push.pending('acme'))[0]?.attempts === 1,
      'the first retry queued',
    );
    expect(await world.store.push.pending('acme')).toEqual([
      expect.objectContaining({
        endpoint: world.endpoint.url('busy'),
        notBeforeMs: world.nowMs + 30_000,
      }),
    ]);
    world.nowMs += 30_000;
    await world.endpoint.waitFor(2, 'busy');
    // The 503 said Retry-After: 120 s.
    await until(
      async () => (await world.store.push.pending('acme'))[0]?.attempts === 2,
      'the second retry queued',
    );
    expect((await world.store.push.pending('acme'))[0]?.notBeforeMs).toBe(world.nowMs + 120_000);
    world.nowMs += 120_000;
    const busy = await world.endpoint.waitFor(3, 'busy');
    expect(busy.map((p) => p.status)).toEqual([429, 503, 201]);
    expect(JSON.parse(decryptPush(busy[2]?.body ?? Buffer.alloc(0), sub))).toMatchObject({ id });
    await until(
      async () => (await world.store.push.pending('acme')).length === 0,
      'the retry done',
    );
    expect(world.endpoint.pushes.filter((p) => p.name === 'fine')).toHaveLength(1);
  });

  it('defers a push inside quiet hours to their end in the user’s zone', async () => {
    zones.set('acme/ann', 'Europe/Berlin');
    await world.device('ann', 'ann-phone');
    await world.device('bob', 'bob-phone');
    world.nowMs = Date.parse('2026-03-28T22:30:00Z'); // 23:30 in Berlin, 22:30 in UTC (bob's zone)
    const quiet = { start: '22:00', end: '07:00' };
    const [annId, bobId] = await notify({
      users: ['ann', 'bob'],
      notification: { kind: 'k', title: 'later', quiet_hours: quiet },
    });
    // Berlin moves to summer time that night: 07:00 CEST is 05:00 UTC.
    const endAnn = Date.parse('2026-03-29T05:00:00Z');
    const endBob = Date.parse('2026-03-29T07:00:00Z');
    // The notify kicked the follow-up relay without waiting for it.
    await until(async () => (await world.store.followUps.count()) === 0, 'the follow-up done');
    expect(
      (await world.store.push.pending('acme')).map((d) => [d.notificationId, d.notBeforeMs]),
    ).toEqual([
      [annId, endAnn],
      [bobId, endBob],
    ]);
    world.nowMs = endAnn;
    await world.endpoint.waitFor(1, 'ann-phone');
    await until(async () => (await world.store.push.pending('acme')).length === 1, 'ann sent');
    expect(world.endpoint.pushes.map((p) => p.name)).toEqual(['ann-phone']);
    world.nowMs = endBob;
    await world.endpoint.waitFor(1, 'bob-phone');
  });

  it('refuses a bad quiet_hours with 400 naming the field, creating nothing', async () => {
    const res = await httpRequest(world.node, 'POST', '/api/notify', {
      json: {
        org: 'acme',
        users: ['ann'],
        notification: { kind: 'k', title: 't', quiet_hours: { start: '25:00', end: '07:00' } },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: {
        code: 'bad_request',
        message: expect.stringMatching(/quiet_hours.start/) as unknown,
      },
    });
    expect(await world.store.notifications.unreadCount('acme', 'ann')).toBe(0);
  });

  it('answers the notify though the online check fails, and pushes nothing', async () => {
    const failing = await startPushNode(
      {},
      { push: { isOnline: () => Promise.reject(new Error('cluster call timed out')) } },
    );
    try {
      const client = await connectClient(failing, { sub: 'ann', org: 'acme' });
      const sub = testSubscription(world.endpoint.url('ann-phone'));
      await rpcResult(client, 'push.register', { subscription: sub.subscription });
      const res = await httpRequest(failing, 'POST', '/api/notify', {
        json: { org: 'acme', users: ['ann'], notification: { kind: 'k', title: 't' } },
      });
      expect(res.status, res.text).toBe(200);
      expect(await rpcResult(client, 'notifications.unreadCount')).toEqual({ count: 1 });
      expect(world.endpoint.pushes).toEqual([]);
    } finally {
      await failing.stop();
    }
  });

  it('pushes only to the notified tenant’s devices', async () => {
    await world.device('ann', 'acme-ann');
    await world.device('ann', 'globex-ann', { org: 'globex' });
    await notify({ users: ['ann'], notification: { kind: 'k', title: 'acme only' } });
    await world.endpoint.waitFor(1);
    await until(async () => (await world.store.push.pending('acme')).length === 0, 'acme done');
    expect(world.endpoint.pushes.map((p) => p.name)).toEqual(['acme-ann']);
    expect(await world.store.push.pending('globex')).toEqual([]);
  });
});
