/**
 * Two Web Push nodes on one real PostgreSQL store, for the tests that race their claims
 * (e2e/web-push-cluster, cluster/notify-follow-ups-cluster): the nodes, a local push endpoint,
 * a store handle on the same database, devices registered for users, and notifies sent through
 * both nodes in turn.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { ConfigInput } from '../../src/index.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import {
  decryptPush,
  startPushEndpoint,
  testSubscription,
  type PushEndpoint,
  type RecordedPush,
  type TestSubscription,
} from './push-endpoint.js';
import { startPushNode, VAPID } from './push-fixtures.js';
import type { TestNode } from './test-node.js';
import { httpRequest } from './ws-client.js';

export class PushCluster {
  pg!: PostgresServer;
  endpoint!: PushEndpoint;
  /** The nodes' database, read directly. */
  store!: PostgresStore;
  readonly nodes: TestNode[] = [];
  /** Each user's device, by user (the endpoint names a push by its user). */
  readonly devices = new Map<string, TestSubscription>();

  /** Registers one device for each of `users` in the org `acme`. */
  async registerDevices(users: readonly string[]): Promise<void> {
    for (const user of users) {
      const sub = testSubscription(this.endpoint.url(user));
      this.devices.set(user, sub);
      await this.store.push.register(
        'acme',
        user,
        { endpoint: sub.subscription.endpoint, ...sub.subscription.keys },
        10,
      );
    }
  }

  /** `calls` notifies of `users` at once, alternating nodes: `user:notification id` of each. */
  async notifyFromBoth(users: readonly string[], calls: number): Promise<string[]> {
    const expected: string[] = [];
    await Promise.all(
      Array.from({ length: calls }, async (_, call) => {
        const res = await httpRequest(this.nodes[call % 2] as TestNode, 'POST', '/api/notify', {
          json: { org: 'acme', users, notification: { kind: 'k', title: `n${call}` } },
        });
        expect(res.status, res.text).toBe(200);
        const { ids } = res.body as { ids: string[] };
        ids.forEach((id, i) => expected.push(`${users[i] ?? ''}:${id}`));
      }),
    );
    return expected;
  }

  /** The pushes as `user:notification id`, each decrypted with its device's keys. */
  decrypted(pushes: readonly RecordedPush[]): string[] {
    return pushes.map((p) => {
      const sub = this.devices.get(p.name) as TestSubscription;
      return `${p.name}:${(JSON.parse(decryptPush(p.body, sub)) as { id: string }).id}`;
    });
  }
}

/**
 * For the file: PostgreSQL, a push endpoint and two push nodes on one new database, their push
 * sender polling every `pollMs` so their claims race; `config` (read when the nodes start) adds
 * to the nodes' config.
 */
export function usePushCluster(config: () => ConfigInput, pollMs: number): PushCluster {
  const cluster = new PushCluster();
  beforeAll(async () => {
    cluster.pg = await startPostgres();
    cluster.endpoint = await startPushEndpoint(VAPID);
    const url = await cluster.pg.createDatabase();
    // One at a time: the first migrates the new database.
    for (let i = 0; i < 2; i++)
      cluster.nodes.push(
        await startPushNode(
          { store: 'postgres', postgresUrl: url, ...config() },
          { push: { pollMs } },
        ),
      );
    cluster.store = await PostgresStore.open({ url });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(cluster.nodes.map((n) => n.stop()));
    await cluster.store?.close();
    await cluster.endpoint?.stop();
    await cluster.pg?.stop();
  });
  return cluster;
}
