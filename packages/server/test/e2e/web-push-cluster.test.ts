/**
 * Two nodes on one PostgreSQL store both drain the Web Push queue, polling fast so their claims
 * race: every queued push reaches the push service exactly once (docs/push.md "Delivery").
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
import { httpRequest } from '../helpers/ws-client.js';

let pg: PostgresServer;
let endpoint: PushEndpoint;
let store: PostgresStore;
const nodes: TestNode[] = [];

beforeAll(async () => {
  pg = await startPostgres();
  endpoint = await startPushEndpoint(VAPID);
  const url = await pg.createDatabase();
  for (let i = 0; i < 2; i++)
    nodes.push(
      await startPushNode({ store: 'postgres', postgresUrl: url }, { push: { pollMs: 5 } }),
    );
  store = await PostgresStore.open({ url });
}, 60_000);
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await store?.close();
  await endpoint?.stop();
  await pg?.stop();
});

it('sends each push once although both nodes drain the queue', async () => {
  const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
  const subs = new Map<string, TestSubscription>();
  for (const user of users) {
    const sub = testSubscription(endpoint.url(user));
    subs.set(user, sub);
    await store.push.register(
      'acme',
      user,
      {
        endpoint: sub.subscription.endpoint,
        ...sub.subscription.keys,
      },
      10,
    );
  }
  const expected: string[] = [];
  await Promise.all(
    Array.from({ length: 20 }, async (_, call) => {
      const node = nodes[call % 2] as TestNode;
      const res = await httpRequest(node, 'POST', '/api/notify', {
        json: { org: 'acme', users, notification: { kind: 'k', title: `n${call}` } },
      });
      expect(res.status, res.text).toBe(200);
      const { ids } = res.body as { ids: string[] };
      ids.forEach((id, i) => expected.push(`${users[i] ?? ''}:${id}`));
    }),
  );
  const pushes = await endpoint.waitFor(expected.length, undefined, 15_000);
  await until(async () => (await store.push.pending('acme')).length === 0, 'an empty queue');
  expect(endpoint.pushes).toHaveLength(expected.length);
  expect(pushes.flatMap((p) => p.problems)).toEqual([]);
  const got = pushes.map((p) => {
    const sub = subs.get(p.name) as TestSubscription;
    return `${p.name}:${(JSON.parse(decryptPush(p.body, sub)) as { id: string }).id}`;
  });
  expect(got.sort()).toEqual([...expected].sort());
});
