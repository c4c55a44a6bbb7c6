/**
 * Webhooks end to end on one embedded node (docs/webhooks.md): real WebSocket clients make the
 * events, a real HTTP receiver checks each signature as the docs say, fails attempts on
 * purpose and dedupes by id. Timings are kept small by config (a 10 ms backoff base); the tests
 * await requests and metrics, never the clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/index.js';
import { metricValue, untilMetric } from '../helpers/metric-wait.js';
import type { TestNode } from '../helpers/test-node.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import {
  connectClient,
  httpRequest,
  useTestNodes,
  type ConnectedClient,
} from '../helpers/ws-client.js';

const ACME_SECRET = 'acme-webhook-secret-0123456789';
const GLOBEX_SECRET = 'globex-webhook-secret-9876543210';
const ACME_KEY = 'acme-api-key-0123';
const GLOBEX_KEY = 'globex-api-key-0123';

let acme: WebhookReceiver;
let globex: WebhookReceiver;
beforeEach(async () => {
  [acme, globex] = await Promise.all([
    WebhookReceiver.start(ACME_SECRET),
    WebhookReceiver.start(GLOBEX_SECRET),
  ]);
});
const startNode = useTestNodes();
afterEach(async () => {
  await Promise.all([acme.stop(), globex.stop()]);
});

function start(extra: ConfigInput = {}): Promise<TestNode> {
  return startNode({
    apiKeys: [
      { key: ACME_KEY, org: 'acme' },
      { key: GLOBEX_KEY, org: 'globex' },
    ],
    webhooks: [
      { org: 'acme', url: acme.url, secret: ACME_SECRET },
      { org: 'globex', url: globex.url, secret: GLOBEX_SECRET, events: ['user.online'] },
    ],
    webhookTimeout: 0.3,
    webhookRetryBase: 0.01,
    webhookRetryCap: 0.05,
    webhookMaxAttempts: 4,
    presenceLeaveDelay: 1,
    ...extra,
  });
}

async function leave(...clients: ConnectedClient[]): Promise<void> {
  for (const c of clients) c.close();
  await Promise.all(clients.map((c) => c.closed));
}

const queued = (node: TestNode, type: string): Promise<number> =>
  metricValue(node.node, 'hubcast_webhook_events_total', { type });

describe('webhook delivery', () => {
  it('signs each attempt, retries past a 500 and a request that hangs, and is processed once', async () => {
    acme.answer = (r) => (r.attempt === 1 ? 500 : r.attempt === 2 ? 'hang' : 200);
    const node = await start();
    await connectClient(node, { sub: 'ann', org: 'acme' });
    await acme.until((r) => r.of('user.online', 'ann').length === 1);

    const [first, second, third, ...more] = acme.requests;
    expect(more).toEqual([]);
    expect([first?.attempt, second?.attempt, third?.attempt]).toEqual([1, 2, 3]);
    expect(acme.requests.every((r) => r.valid)).toBe(true);
    // One id and one body for every attempt: the receiver dedupes on the id.
    expect(new Set(acme.requests.map((r) => r.id)).size).toBe(1);
    expect(new Set(acme.requests.map((r) => r.body)).size).toBe(1);
    expect(first?.timestamp).toMatch(/^\d{10}$/);
    expect(first?.payload).toEqual({
      id: first?.id,
      type: 'user.online',
      org: 'acme',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      data: { user: 'ann' },
    });
    expect(first?.id).toMatch(/^wh_[0-9a-z]{9}[0-9a-f]{20}$/);
    await untilMetric(node.node, 'hubcast_webhook_deliveries_total', { outcome: 'delivered' });
    expect(
      await metricValue(node.node, 'hubcast_webhook_deliveries_total', { outcome: 'retried' }),
    ).toBe(2);
    expect(await metricValue(node.node, 'hubcast_webhook_attempts_total')).toBe(3);
  });

  it('keeps a webhook out of attempts as a dead letter its tenant lists and requeues', async () => {
    acme.answer = () => 503;
    const node = await start();
    await connectClient(node, { sub: 'ann', org: 'acme' });
    await untilMetric(node.node, 'hubcast_webhook_deliveries_total', { outcome: 'dead' });
    expect(acme.requests.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
    expect(await metricValue(node.node, 'hubcast_webhook_dead_letters')).toBe(1);

    const listed = await httpRequest(node, 'GET', '/api/webhooks/dead', { key: ACME_KEY });
    expect(listed.status).toBe(200);
    const id = acme.requests[0]?.id;
    expect(listed.body).toEqual({
      items: [
        {
          id,
          type: 'user.online',
          created_at: expect.any(String) as unknown,
          attempts: 4,
          last_status: 503,
          last_error: 'HTTP 503',
          payload: acme.requests[0]?.payload,
        },
      ],
      more: false,
    });
    // Another tenant sees none of it and cannot requeue it.
    const other = await httpRequest(node, 'GET', '/api/webhooks/dead', { key: GLOBEX_KEY });
    expect(other.body).toEqual({ items: [], more: false });
    const stolen = await httpRequest(node, 'POST', '/api/webhooks/retry', {
      key: GLOBEX_KEY,
      json: { ids: [id] },
    });
    expect(stolen.body).toEqual({ requeued: [] });

    acme.answer = () => 204;
    const retried = await httpRequest(node, 'POST', '/api/webhooks/retry', {
      key: ACME_KEY,
      json: { ids: [id, 'wh_unknown'] },
    });
    expect(retried.body).toEqual({ requeued: [id] });
    await acme.until((r) => r.processed.length === 1);
    expect(acme.processed[0]?.id).toBe(id);
    const after = await httpRequest(node, 'GET', '/api/webhooks/dead', { key: ACME_KEY });
    expect(after.body).toEqual({ items: [], more: false });
  });

  it("sends at most 4 of a tenant's webhooks at once, so its hanging endpoint holds up no other tenant", async () => {
    acme.answer = () => 'hang';
    const node = await start({ webhookTimeout: 20 });
    for (let i = 0; i < 10; i++) await connectClient(node, { sub: `u${i}`, org: 'acme' });
    await acme.until((r) => r.requests.length === 4);
    await connectClient(node, { sub: 'gina', org: 'globex' });
    await globex.until((r) => r.processed.length === 1);
    // Gina's request is done on the node's side too once it counts as delivered.
    await untilMetric(node.node, 'hubcast_webhook_deliveries_total', { outcome: 'delivered' });
    expect(acme.requests).toHaveLength(4);
    expect(await metricValue(node.node, 'hubcast_webhook_in_flight')).toBe(4);
    expect(await metricValue(node.node, 'hubcast_webhook_queue_depth')).toBe(10);
  });

  it.each([
    ['GET', '/api/webhooks/dead?limit=0', "'limit' must be an integer from 1 to 100"],
    ['GET', '/api/webhooks/dead?limit=101', "'limit' must be an integer from 1 to 100"],
    ['POST', '/api/webhooks/retry', "'ids' must be an array of 1 to 1000 webhook ids"],
  ])('refuses %s %s with bad_request', async (method, path, message) => {
    const node = await start();
    const res = await httpRequest(node, method, path, {
      key: ACME_KEY,
      ...(method === 'POST' ? { json: { ids: [] } } : {}),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'bad_request', message } });
  });
});

describe('webhook events', () => {
  it('reports a user online once and offline once: a reconnect within the grace period and a second device change nothing', async () => {
    const node = await start();
    const bob = await connectClient(node, { sub: 'bob', org: 'acme' });
    const probe1 = await connectClient(node, { sub: 'probe1', org: 'acme' });
    await acme.until((r) => r.of('user.online').length === 2);
    // Bob reconnects at once. The probe leaves with him and goes offline a grace period later,
    // when an offline of bob's, had it been due, would have been queued before it.
    await leave(bob, probe1);
    const bobAgain = await connectClient(node, { sub: 'bob', org: 'acme' });
    await acme.until((r) => r.of('user.offline', 'probe1').length === 1);
    expect(await queued(node, 'user.offline')).toBe(1);

    // A second device: its first connection going is no offline either.
    const bobLaptop = await connectClient(node, { sub: 'bob', org: 'acme' });
    const probe2 = await connectClient(node, { sub: 'probe2', org: 'acme' });
    await acme.until((r) => r.of('user.online', 'probe2').length === 1);
    await leave(bobAgain, probe2);
    await acme.until((r) => r.of('user.offline', 'probe2').length === 1);
    expect(await queued(node, 'user.offline')).toBe(2);

    await leave(bobLaptop);
    await acme.until((r) => r.of('user.offline', 'bob').length === 1);
    expect(acme.of('user.online', 'bob')).toHaveLength(1);
    expect(await queued(node, 'user.online')).toBe(3);
    expect(await queued(node, 'user.offline')).toBe(3);
  });

  it('reports a channel occupied by its first exact subscriber and vacated when the last is gone', async () => {
    const node = await start();
    const carl = await connectClient(
      node,
      { sub: 'carl', org: 'acme' },
      { subscriptions: ['room.1'] },
    );
    await acme.until((r) => r.of('channel.occupied', 'room.1').length === 1);
    const dana = await connectClient(
      node,
      { sub: 'dana', org: 'acme' },
      { subscriptions: ['room.1'] },
    );
    // A pattern occupies nothing.
    const eve = await connectClient(
      node,
      { sub: 'eve', org: 'acme' },
      { subscriptions: ['room.*'] },
    );
    await leave(carl);
    // Unsubscribing is leaving too.
    const unsubscribed = await dana.request({ type: 'unsubscribe', channel: 'room.1' });
    expect(unsubscribed.type).toBe('unsubscribed');
    await acme.until((r) => r.of('channel.vacated', 'room.1').length === 1);
    expect(acme.of('channel.occupied', 'room.1')).toHaveLength(1);
    expect(await queued(node, 'channel.occupied')).toBe(1);
    expect(await queued(node, 'channel.vacated')).toBe(1);
    expect(acme.processed.some((r) => r.payload.data['channel'] === 'room.*')).toBe(false);
    await leave(eve, dana);
  });

  it('reports notification.undelivered only for a user with no connection', async () => {
    const node = await start();
    await connectClient(node, { sub: 'ann', org: 'acme' });
    await acme.until((r) => r.of('user.online', 'ann').length === 1);
    const res = await httpRequest(node, 'POST', '/api/notify', {
      key: ACME_KEY,
      json: { users: ['ann', 'zed'], notification: { kind: 'mention', title: 'hi' } },
    });
    expect(res.status).toBe(200);
    const { ids } = res.body as { ids: string[] };
    await acme.until((r) => r.of('notification.undelivered').length === 1);
    expect(acme.of('notification.undelivered')[0]?.data).toEqual({
      user: 'zed',
      notification: {
        id: ids[1],
        kind: 'mention',
        title: 'hi',
        created_at: expect.any(String) as unknown,
      },
    });
    // Ann's would have been queued first (users are checked in order).
    expect(await queued(node, 'notification.undelivered')).toBe(1);
  });

  it("sends a tenant's events to its own endpoint only, and only the events it names", async () => {
    const node = await start();
    const g = await connectClient(node, { sub: 'gina', org: 'globex' });
    const a = await connectClient(node, { sub: 'abe', org: 'acme' });
    await connectClient(node, { sub: 'ivan', org: 'initech' }); // no endpoint: nothing at all
    await globex.until((r) => r.processed.length === 1);
    await leave(g, a);
    await acme.until((r) => r.of('user.offline', 'abe').length === 1);
    // globex takes user.online only: its offline was never queued.
    expect(await queued(node, 'user.offline')).toBe(1);
    expect(globex.requests.map((r) => [r.payload.org, r.payload.type, r.payload.data])).toEqual([
      ['globex', 'user.online', { user: 'gina' }],
    ]);
    expect(acme.requests.every((r) => r.payload.org === 'acme' && r.valid)).toBe(true);
    expect(await queued(node, 'user.online')).toBe(2);
  });
});
