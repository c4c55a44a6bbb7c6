/**
 * Two nodes on one PostgreSQL store both drain the Web Push queue, polling fast so their claims
 * race: every queued push reaches the push service exactly once (docs/push.md "Delivery").
 */
import { expect, it } from 'vitest';
import { usePushCluster } from '../helpers/push-cluster.js';
import { until } from '../helpers/push-fixtures.js';

const cluster = usePushCluster(() => ({}), 5);

it('sends each push once although both nodes drain the queue', async () => {
  const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
  await cluster.registerDevices(users);
  const expected = await cluster.notifyFromBoth(users, 20);
  const pushes = await cluster.endpoint.waitFor(expected.length, undefined, 15_000);
  await until(
    async () => (await cluster.store.push.pending('acme')).length === 0,
    'an empty queue',
  );
  expect(cluster.endpoint.pushes).toHaveLength(expected.length);
  expect(pushes.flatMap((p) => p.problems)).toEqual([]);
  expect(cluster.decrypted(pushes).sort()).toEqual([...expected].sort());
});
