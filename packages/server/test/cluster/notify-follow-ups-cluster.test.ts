/**
 * The follow-ups of notifies on a cluster: two nodes on one real PostgreSQL store both claim the
 * follow-ups the notifies commit, yet each offline user's Web Push and `notification.undelivered`
 * webhook is queued, and sent, exactly once (docs/push.md "Delivery", docs/webhooks.md).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { usePushCluster } from '../helpers/push-cluster.js';
import { until } from '../helpers/push-fixtures.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

const SECRET = 'follow-up-cluster-secret-0123456789';

let receiver: WebhookReceiver;
// Registered first, so the receiver is up when the nodes read their webhook config.
beforeAll(async () => {
  receiver = await WebhookReceiver.start(SECRET);
});
afterAll(async () => {
  await receiver?.stop();
});
const cluster = usePushCluster(
  () => ({ webhooks: [{ org: 'acme', url: receiver.url, secret: SECRET }] }),
  20,
);

it('queues and sends each push and webhook of a notify once although both nodes claim', async () => {
  const users = Array.from({ length: 6 }, (_, i) => `u${i}`);
  await cluster.registerDevices(users);
  const expected = await cluster.notifyFromBoth(users, 16);
  const pushes = await cluster.endpoint.waitFor(expected.length, undefined, 15_000);
  await receiver.until((r) => r.processed.length >= expected.length, 15_000);
  const { store } = cluster;
  await until(async () => (await store.followUps.count()) === 0, 'no follow-up left');
  await until(async () => (await store.push.pending('acme')).length === 0, 'an empty queue');

  expect(cluster.decrypted(pushes).sort()).toEqual([...expected].sort());
  expect(cluster.endpoint.pushes).toHaveLength(expected.length);
  const reported = receiver
    .of('notification.undelivered')
    .map((p) => `${String(p.data['user'])}:${(p.data['notification'] as { id: string }).id}`);
  expect(reported.sort()).toEqual([...expected].sort());
  // One request per webhook id: no two nodes queued or sent the same one.
  expect(receiver.requests).toHaveLength(expected.length);
});
