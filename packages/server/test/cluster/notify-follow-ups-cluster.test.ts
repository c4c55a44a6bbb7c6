/**
 * The follow-ups of notifies on a cluster: two nodes on one real PostgreSQL store both claim the
 * follow-ups the notifies commit, yet each offline user's Web Push and `notification.undelivered`
 * webhook is queued, and sent, exactly once (docs/push.md "Delivery", docs/webhooks.md).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import {
  decryptPush,
  startPushEndpoint,
  testSubscription,
  type PushEndpoint,
  type TestSubscription,
} from '../helpers/push-endpoint.js';
import { startPushNode, until, VAPID } from '../helpers/push-fixtures.js';
import type { TestNode } from '../helpers/test-node.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { httpRequest } from '../helpers/ws-client.js';

const SECRET = 'follow-up-cluster-secret-0123456789';

let pg: PostgresServer;
let endpoint: PushEndpoint;
let receiver: WebhookReceiver;
let store: PostgresStore;
const nodes: TestNode[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  endpoint = await startPushEndpoint(VAPID);
  receiver = await WebhookReceiver.start(SECRET);
  const url = await pg.createDatabase();
  // One at a time: the first migrates the new database.
  for (let i = 0; i < 2; i++)
    nodes.push(
      await startPushNode(
        {
          store: 'postgres',
          postgresUrl: url,
          webhooks: [{ org: 'acme', url: receiver.url, secret: SECRET }],
        },
        { push: { pollMs: 20 } },
      ),
    );
  store = await PostgresStore.open({ url });
}, 60_000);
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await store?.close();
  await endpoint?.stop();
  await receiver?.stop();
  await pg?.stop();
});

it('queues and sends each push and webhook of a notify once although both nodes claim', async () => {
  const users = Array.from({ length: 6 }, (_, i) => `u${i}`);
  const subs = new Map<string, TestSubscription>();
  for (const user of users) {
    const sub = testSubscription(endpoint.url(user));
    subs.set(user, sub);
    await store.push.register(
      'acme',
      user,
      { endpoint: sub.subscription.endpoint, ...sub.subscription.keys },
      10,
    );
  }
  const expected: string[] = [];
  await Promise.all(
    Array.from({ length: 16 }, async (_, call) => {
      const res = await httpRequest(nodes[call % 2] as TestNode, 'POST', '/api/notify', {
        json: { org: 'acme', users, notification: { kind: 'k', title: `n${call}` } },
      });
      expect(res.status, res.text).toBe(200);
      const { ids } = res.body as { ids: string[] };
      ids.forEach((id, i) => expected.push(`${users[i] ?? ''}:${id}`));
    }),
  );
  const pushes = await endpoint.waitFor(expected.length, undefined, 15_000);
  await receiver.until((r) => r.processed.length >= expected.length, 15_000);
  await until(async () => (await store.followUps.count()) === 0, 'no follow-up left');
  await until(async () => (await store.push.pending('acme')).length === 0, 'an empty queue');

  const pushed = pushes.map((p) => {
    const sub = subs.get(p.name) as TestSubscription;
    return `${p.name}:${(JSON.parse(decryptPush(p.body, sub)) as { id: string }).id}`;
  });
  expect(pushed.sort()).toEqual([...expected].sort());
  expect(endpoint.pushes).toHaveLength(expected.length);
  const reported = receiver
    .of('notification.undelivered')
    .map((p) => `${String(p.data['user'])}:${(p.data['notification'] as { id: string }).id}`);
  expect(reported.sort()).toEqual([...expected].sort());
  // One request per webhook id: no two nodes queued or sent the same one.
  expect(receiver.requests).toHaveLength(expected.length);
});
