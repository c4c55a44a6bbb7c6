/**
 * The follow-ups of a notify (docs/push.md "Delivery"): the Web Push and the
 * `notification.undelivered` webhook of a user with no live connection are committed with the
 * notification, so a node that stopped between the commit and queueing them loses neither: the
 * next node on the same SQLite file sends both. And a push deferred by quiet hours is dropped
 * when its user is connected by the time it comes due. Real push service, real webhook
 * receiver, real SQLite file; the quiet-hours clock is injected, nothing sleeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { metricValue, untilMetric } from '../helpers/metric-wait.js';
import {
  decryptPush,
  startPushEndpoint,
  testSubscription,
  type PushEndpoint,
} from '../helpers/push-endpoint.js';
import {
  rpcResult,
  startPushNode,
  until,
  untilConnections,
  VAPID,
} from '../helpers/push-fixtures.js';
import type { TestNode } from '../helpers/test-node.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { connectClient, httpRequest, terminateAllClients } from '../helpers/ws-client.js';

const SECRET = 'follow-up-webhook-secret-0123456789';

let endpoint: PushEndpoint;
let receiver: WebhookReceiver;
let dir: string;
const nodes: TestNode[] = [];

beforeEach(async () => {
  endpoint = await startPushEndpoint(VAPID);
  receiver = await WebhookReceiver.start(SECRET);
  dir = mkdtempSync(join(tmpdir(), 'hubcast-follow-ups-'));
});
afterEach(async () => {
  terminateAllClients();
  await Promise.all(nodes.splice(0).map((n) => n.stop()));
  await endpoint.stop();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('notify follow-ups', () => {
  it('sends the push and the webhook of a notify committed by a node that stopped before', async () => {
    const path = join(dir, 'store.db');
    const sub = testSubscription(endpoint.url('ann-phone'));
    // What a notify commits, with the node gone before its relay ran: the notification, its
    // follow-up, nothing queued.
    const before = await SqliteStore.open({ path });
    await before.push.register(
      'acme',
      'ann',
      { endpoint: sub.subscription.endpoint, ...sub.subscription.keys },
      10,
    );
    const { ids } = await before.notifications.create('acme', {
      users: ['ann'],
      notification: { kind: 'k', title: 'while you were away' },
      followUp: {},
    });
    expect(await before.push.pending('acme')).toEqual([]);
    await before.close();

    const node = await startPushNode({
      store: 'sqlite',
      dataDir: dir,
      webhooks: [{ org: 'acme', url: receiver.url, secret: SECRET }],
    });
    nodes.push(node);
    const [push] = await endpoint.waitFor(1, 'ann-phone');
    expect(JSON.parse(decryptPush(push?.body ?? Buffer.alloc(0), sub))).toMatchObject({
      id: ids[0],
      title: 'while you were away',
    });
    await receiver.until((r) => r.of('notification.undelivered', 'ann').length === 1);
    expect(receiver.of('notification.undelivered', 'ann')[0]?.data).toMatchObject({
      notification: { id: ids[0], title: 'while you were away' },
    });
    await nodes.pop()?.stop();

    // Done and forgotten: a further restart sends nothing again.
    const after = await SqliteStore.open({ path });
    try {
      expect(await after.followUps.count()).toBe(0);
      expect(await after.push.pending('acme')).toEqual([]);
    } finally {
      await after.close();
    }
    expect(endpoint.pushes).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('keeps the push of a notify while presence is down and queues it once it answers', async () => {
    let presenceDown = false;
    let refused = 0;
    const store = new MemoryStore();
    const node = await startPushNode(
      {},
      {
        store,
        push: {
          isOnline: () => {
            if (!presenceDown) return Promise.resolve(false);
            refused++;
            return Promise.reject(new Error('cluster call timed out'));
          },
          pollMs: 20,
          followUpPollMs: 20,
          followUpRetryBaseMs: 20,
        },
      },
    );
    nodes.push(node);
    const client = await connectClient(node, { sub: 'ann', org: 'acme' });
    const sub = testSubscription(endpoint.url('ann-phone'));
    await rpcResult(client, 'push.register', { subscription: sub.subscription });
    presenceDown = true;
    const res = await httpRequest(node, 'POST', '/api/notify', {
      json: { org: 'acme', users: ['ann'], notification: { kind: 'k', title: 'kept' } },
    });
    expect(res.status, res.text).toBe(200);
    // The notify only kicked the relay: its pass asks presence after the answer.
    await until(() => Promise.resolve(refused > 0), 'a refused presence lookup');
    expect(await store.followUps.count()).toBe(1);
    expect(await store.push.pending('acme')).toEqual([]);
    presenceDown = false;
    const [push] = await endpoint.waitFor(1, 'ann-phone');
    expect(JSON.parse(decryptPush(push?.body ?? Buffer.alloc(0), sub))).toMatchObject({
      title: 'kept',
    });
    expect(await store.followUps.count()).toBe(0);
  });

  it('answers a notify and its inbox reads while presence hangs, and pushes once it answers', async () => {
    const hung: ((online: boolean) => void)[] = [];
    let hanging = true;
    const store = new MemoryStore();
    const node = await startPushNode(
      {},
      {
        store,
        push: {
          // Hangs until the test answers; the planning limit is longer than the test may run, so
          // a notify that waited for the relay would never answer.
          isOnline: (): Promise<boolean> =>
            hanging ? new Promise((resolve) => hung.push(resolve)) : Promise.resolve(false),
          pollMs: 20,
          followUpPollMs: 20,
          followUpPlanTimeoutMs: 120_000,
        },
      },
    );
    nodes.push(node);
    const client = await connectClient(node, { sub: 'ann', org: 'acme' });
    const sub = testSubscription(endpoint.url('ann-phone'));
    await rpcResult(client, 'push.register', { subscription: sub.subscription });
    const res = await httpRequest(node, 'POST', '/api/notify', {
      json: { org: 'acme', users: ['ann'], notification: { kind: 'k', title: 'hung' } },
    });
    expect(res.status, res.text).toBe(200);
    expect(await rpcResult(client, 'notifications.unreadCount')).toEqual({ count: 1 });
    await until(() => Promise.resolve(hung.length > 0), 'a hung presence lookup');
    expect(endpoint.pushes).toEqual([]);
    hanging = false;
    for (const answer of hung.splice(0)) answer(false);
    const [push] = await endpoint.waitFor(1, 'ann-phone');
    expect(JSON.parse(decryptPush(push?.body ?? Buffer.alloc(0), sub))).toMatchObject({
      title: 'hung',
    });
  });

  it('drops a quiet-hours push whose user is connected when it comes due', async () => {
    let nowMs = Date.parse('2026-01-15T23:00:00Z');
    const store = new MemoryStore();
    const node = await startPushNode({}, { store, push: { now: () => nowMs, pollMs: 20 } });
    nodes.push(node);
    const device = async (user: string): Promise<void> => {
      const client = await connectClient(node, { sub: user, org: 'acme' });
      await rpcResult(client, 'push.register', {
        subscription: testSubscription(endpoint.url(`${user}-phone`)).subscription,
      });
      client.close();
      await client.waitClosed();
    };
    await device('ann');
    await device('bob');
    await untilConnections(node, 'acme', 0);
    const res = await httpRequest(node, 'POST', '/api/notify', {
      json: {
        org: 'acme',
        users: ['ann', 'bob'],
        notification: { kind: 'k', title: 'later', quiet_hours: { start: '22:00', end: '07:00' } },
      },
    });
    expect(res.status, res.text).toBe(200);
    const endMs = Date.parse('2026-01-16T07:00:00Z');
    // The notify kicked the follow-up relay without waiting for it.
    await until(async () => (await store.followUps.count()) === 0, 'the follow-up done');
    expect((await store.push.pending('acme')).map((d) => [d.user, d.notBeforeMs])).toEqual([
      ['ann', endMs],
      ['bob', endMs],
    ]);
    // Ann opens the app during her quiet hours and sees the notification there.
    await connectClient(node, { sub: 'ann', org: 'acme' });
    await untilConnections(node, 'acme', 1);
    nowMs = endMs;
    await endpoint.waitFor(1, 'bob-phone');
    await until(async () => (await store.push.pending('acme')).length === 0, 'an empty queue');
    await untilMetric(node.node, 'hubcast_web_push_sends_total', { outcome: 'skipped_online' });
    expect(endpoint.pushes.map((p) => p.name)).toEqual(['bob-phone']);
    expect(
      await metricValue(node.node, 'hubcast_web_push_sends_total', { outcome: 'skipped_online' }),
    ).toBe(1);
  });
});
