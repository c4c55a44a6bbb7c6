/**
 * Webhooks of a cluster: nodes on one real redis-server (presence, broker, log) and one real
 * PostgreSQL (the store that holds the webhook queue). Every webhook is queued once cluster-wide
 * and sent by one node at a time; a user is online while connected to any node; a node that
 * crashes has its users go offline, reported by a survivor.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/index.js';
import { metricValue } from '../helpers/metric-wait.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { startServeProcess } from '../helpers/serve-process.js';
import type { TestNode } from '../helpers/test-node.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import {
  connectClient,
  httpRequest,
  useTestNodes,
  type ConnectedClient,
} from '../helpers/ws-client.js';

const SECRET = 'cluster-webhook-secret-0123456789';

let redis: RedisServer;
let postgres: PostgresServer;
beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
});
afterAll(async () => {
  await Promise.all([redis?.stop(), postgres?.stop()]);
});
let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await WebhookReceiver.start(SECRET);
});
const startNode = useTestNodes();
afterEach(async () => {
  await receiver.stop();
  // Every test starts on an empty Redis, as a new cluster would.
  await redis.command('FLUSHALL');
});

const webhookConfig = (): ConfigInput => ({
  webhooks: [{ org: 'acme', url: receiver.url, secret: SECRET }],
  webhookTimeout: 1,
  webhookRetryBase: 0.01,
  webhookRetryCap: 0.05,
  presenceLeaveDelay: 0.2,
});

async function startCluster(count: number, postgresUrl: string): Promise<TestNode[]> {
  const nodes: TestNode[] = [];
  // One at a time: the first migrates the new database.
  for (let i = 0; i < count; i++)
    nodes.push(
      await startNode({
        engine: 'redis',
        redisUrl: redis.url,
        store: 'postgres',
        postgresUrl,
        ...webhookConfig(),
      }),
    );
  return nodes;
}

async function leave(...clients: ConnectedClient[]): Promise<void> {
  for (const c of clients) c.close();
  await Promise.all(clients.map((c) => c.closed));
}

/** A counter summed over the nodes. */
async function total(nodes: readonly TestNode[], name: string, type: string): Promise<number> {
  let sum = 0;
  for (const n of nodes) sum += await metricValue(n.node, name, { type });
  return sum;
}

describe('webhooks on a cluster', () => {
  it('queues and sends each webhook once, not once per node, and sees a user online across nodes', async () => {
    const nodes = await startCluster(2, await postgres.createDatabase());
    const [a, b] = nodes as [TestNode, TestNode];
    const annOnA = await connectClient(a, { sub: 'ann', org: 'acme' });
    await receiver.until((r) => r.of('user.online', 'ann').length === 1);
    const annOnB = await connectClient(b, { sub: 'ann', org: 'acme' });
    for (let i = 0; i < 10; i++)
      await connectClient(nodes[i % 2] as TestNode, { sub: `u${i}`, org: 'acme' });
    await receiver.until((r) => r.of('user.online').length === 11);

    await leave(annOnA);
    const probe = await connectClient(b, { sub: 'probe', org: 'acme' });
    await receiver.until((r) => r.of('user.online', 'probe').length === 1);
    await leave(annOnB);
    await receiver.until((r) => r.of('user.offline', 'ann').length === 1);

    expect(await total(nodes, 'hubcast_webhook_events_total', 'user.online')).toBe(12);
    expect(await total(nodes, 'hubcast_webhook_events_total', 'user.offline')).toBe(1);
    expect(receiver.of('user.online', 'ann')).toHaveLength(1);
    // Each id was requested once: no two nodes sent the same webhook.
    expect(receiver.requests).toHaveLength(receiver.processed.length);
    expect(receiver.requests.every((r) => r.valid)).toBe(true);
    await leave(probe);
  });

  it('retries each failed webhook from one node at a time', async () => {
    receiver.answer = (r) => (r.attempt < 3 ? 500 : 200);
    const nodes = await startCluster(2, await postgres.createDatabase());
    for (let i = 0; i < 12; i++)
      await connectClient(nodes[i % 2] as TestNode, { sub: `u${i}`, org: 'acme' });
    await receiver.until((r) => r.processed.length === 12);
    const attemptsById = new Map<string, number[]>();
    for (const r of receiver.requests)
      attemptsById.set(r.id, [...(attemptsById.get(r.id) ?? []), r.attempt]);
    expect([...attemptsById.values()]).toEqual(Array.from({ length: 12 }, () => [1, 2, 3]));
  });

  it('reports notification.undelivered for a user connected to no node', async () => {
    const [a, b] = (await startCluster(2, await postgres.createDatabase())) as [TestNode, TestNode];
    await connectClient(b, { sub: 'ann', org: 'acme' });
    await receiver.until((r) => r.of('user.online', 'ann').length === 1);
    const res = await httpRequest(a, 'POST', '/api/notify', {
      json: { org: 'acme', users: ['ann', 'zed'], notification: { kind: 'k', title: 't' } },
    });
    expect(res.status).toBe(200);
    await receiver.until((r) => r.of('notification.undelivered').length === 1);
    expect(receiver.of('notification.undelivered')[0]?.data['user']).toBe('zed');
    expect(await total([a, b], 'hubcast_webhook_events_total', 'notification.undelivered')).toBe(1);
  });

  it('reports the users of a node that crashed as offline, from a survivor', async () => {
    const postgresUrl = await postgres.createDatabase();
    const [survivor] = await startCluster(1, postgresUrl);
    const dir = mkdtempSync(join(tmpdir(), 'hubcast-webhooks-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ ...webhookConfig(), nodeTtl: 3 }));
      const doomed = await startServeProcess([
        ...['--config', file, '--engine', 'redis', '--redis-url', redis.url],
        ...['--store', 'postgres', '--postgres-url', postgresUrl],
      ]);
      await connectClient(doomed, { sub: 'ann', org: 'acme' });
      await receiver.until((r) => r.of('user.online', 'ann').length === 1);
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      // The node TTL and a heartbeat or two bound the wait.
      await receiver.until((r) => r.of('user.offline', 'ann').length === 1, 15_000);
      expect(
        await total([survivor as TestNode], 'hubcast_webhook_events_total', 'user.offline'),
      ).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
