/**
 * The hidden presence of Redis-engine nodes (presence/online-users.ts): each connection has one
 * entry, whether or not a tenant takes the online webhooks, read here straight from Redis. A
 * closed connection whose entry waits out the grace period for `user.offline` is online but
 * no live connection: it takes no slot of the per-user limit, and a notification for its user
 * is reported undelivered at once.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/index.js';
import { RedisPresence } from '../../src/presence/redis.js';
import { metricValue } from '../helpers/metric-wait.js';
import { eventually } from '../helpers/presence-nodes.js';
import { useSharedRedis } from '../helpers/redis.js';
import type { TestNode } from '../helpers/test-node.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { connectClient, httpRequest, useTestNodes } from '../helpers/ws-client.js';

const SECRET = 'hidden-presence-secret-0123456789';
const redisServer = useSharedRedis();
const startNode = useTestNodes();
let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await WebhookReceiver.start(SECRET);
});
afterEach(() => receiver.stop());
let redis: Redis;
beforeAll(() => {
  redis = new Redis(redisServer().url);
});
afterAll(() => redis.quit());

/** Fields of every hidden presence hash (`<prefix>:{org}:presence:~…`), by channel. */
async function hiddenEntries(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const key of await redis.keys('*:presence:~*'))
    counts[key.slice(key.indexOf(':presence:') + ':presence:'.length)] = await redis.hlen(key);
  return counts;
}

const webhooks = (): ConfigInput => ({
  webhooks: [{ org: 'acme', url: receiver.url, secret: SECRET }],
  webhookRetryBase: 0.01,
  webhookRetryCap: 0.05,
});

async function startPair(config: ConfigInput): Promise<[TestNode, TestNode]> {
  const cluster = { ...config, engine: 'redis' as const, redisUrl: redisServer().url };
  return [await startNode(cluster), await startNode(cluster)];
}

describe.each<[string, () => ConfigInput]>([
  ['no tenant takes the online webhooks', () => ({})],
  ['a tenant takes the online webhooks', webhooks],
])('a Redis-engine node, when %s', (_, config) => {
  it('writes one hidden presence entry per connection, and none is left once they are gone', async () => {
    const [a, b] = await startPair({ ...config(), presenceLeaveDelay: 0.2 });
    const annOnA = await connectClient(a, { sub: 'ann', org: 'acme' });
    const annOnB = await connectClient(b, { sub: 'ann', org: 'acme' });
    const bob = await connectClient(b, { sub: 'bob', org: 'acme' });
    expect(await hiddenEntries()).toEqual({ '~connections.ann': 2, '~connections.bob': 1 });
    for (const c of [annOnA, annOnB, bob]) c.close();
    await Promise.all([annOnA.closed, annOnB.closed, bob.closed]);
    await eventually(async () => expect(await hiddenEntries()).toEqual({}));
  });
});

describe('a connection in the grace period of user.offline', () => {
  it('is online but not live: its slot is free and a notification goes undelivered', async () => {
    const [a, b] = await startPair({
      ...webhooks(),
      presenceLeaveDelay: 600,
      maxConnectionsPerUser: 1,
    });
    const annOnA = await connectClient(a, { sub: 'ann', org: 'acme' });
    await receiver.until((r) => r.of('user.online', 'ann').length === 1);
    annOnA.close();
    await annOnA.closed;

    // Through the presence engine's API, as any node reads it: one entry, no live device.
    const probe = new RedisPresence({
      redis,
      prefix: 'hc',
      nodeId: 'probe',
      nodeTtlMs: 60_000,
    });
    try {
      await eventually(async () =>
        expect(await probe.members('acme', '~connections.ann')).toEqual([
          { user: 'ann', connections: 1, devices: [] },
        ]),
      );
    } finally {
      await probe.close();
    }

    const res = await httpRequest(b, 'POST', '/api/notify', {
      json: { org: 'acme', users: ['ann'], notification: { kind: 'k', title: 't' } },
    });
    expect(res.status).toBe(200);
    await receiver.until((r) => r.of('notification.undelivered', 'ann').length === 1);

    // Past the limit of 1 if the lingering entry took a slot; not online again either.
    await connectClient(b, { sub: 'ann', org: 'acme' });
    await connectClient(b, { sub: 'zed', org: 'acme' });
    await receiver.until((r) => r.of('user.online', 'zed').length === 1);
    // Node b queued ann's `user.online`, had there been one, before zed's.
    expect(await metricValue(b.node, 'hubcast_webhook_events_total', { type: 'user.online' })).toBe(
      1,
    );
    expect(receiver.of('user.offline')).toEqual([]);
  });
});
