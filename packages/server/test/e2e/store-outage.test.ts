/**
 * A node on `--store postgres` whose PostgreSQL goes away: `POST /api/notify` and the
 * `notifications.*` rpc fail with 503 / `unavailable`, `/readyz` names the store, channel
 * publishes keep working (they need only the log), and everything recovers by itself once the
 * database is back, without restarting the node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { connectClient, httpRequest } from '../helpers/ws-client.js';

let pg: PostgresServer;
let t: TestNode;

beforeAll(async () => {
  pg = await startPostgres();
  t = await startTestNode({ store: 'postgres', postgresUrl: await pg.createDatabase() });
}, 60_000);
afterAll(async () => {
  await t.stop();
  await pg.stop();
});

const notify = (title: string, key: string) =>
  httpRequest(t, 'POST', '/api/notify', {
    json: { org: 'acme', users: ['alice'], notification: { kind: 'k', title }, key },
  });

describe('PostgreSQL goes away', () => {
  it('answers 503 while it is gone, says why in /readyz, and recovers by itself', async () => {
    const before = await notify('before', 'k1');
    expect(before.status).toBe(200);
    const alice = await connectClient(t, { sub: 'alice', org: 'acme' });

    await pg.kill();
    const refused = await notify('during', 'k2');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({
      error: {
        code: 'unavailable',
        message: expect.stringMatching(
          /^store unavailable \((unreachable|timeout|error)\)$/,
        ) as unknown,
      },
    });
    const rpc = await alice.request({ type: 'rpc', id: 5, method: 'notifications.unreadCount' });
    expect(rpc).toMatchObject({ type: 'error', id: 5, code: 'unavailable' });
    const ready = await httpRequest(t, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    // A stable code, not the driver's words (they may hold the database's host).
    expect(ready.body).toEqual({ status: 'unavailable', reasons: { store: 'unreachable' } });
    // The log does not depend on the store.
    const published = await httpRequest(t, 'POST', '/api/publish', {
      json: { org: 'acme', channel: 'news.a', data: 1 },
    });
    expect(published.status).toBe(200);

    await pg.restart();
    expect((await httpRequest(t, 'GET', '/readyz')).body).toEqual({ status: 'ready' });
    const retried = await notify('during', 'k2');
    expect(retried.status).toBe(200);
    const again = await notify('before', 'k1');
    expect(again.body).toEqual(before.body);
    const count = await alice.request({ type: 'rpc', id: 6, method: 'notifications.unreadCount' });
    expect(count).toMatchObject({ type: 'result', id: 6, result: { count: 2 } });
    alice.close();
  }, 60_000);
});
