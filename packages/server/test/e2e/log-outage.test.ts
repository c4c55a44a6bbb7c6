/**
 * A node whose SQLite log cannot be written (the disk is full: SQLite's `max_page_count` stands
 * in for the disk, and gives the same SQLITE_FULL): publishes over HTTP and WebSocket fail with
 * 503 / `unavailable`, `/readyz` says why, nothing acknowledged is lost, and the node recovers by
 * itself once there is room again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventLog, type SqliteDatabase } from '../../src/log/sqlite.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../helpers/test-node.js';
import { connectClient } from '../helpers/ws-client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'hubcast-outage-'));
let t: TestNode;
let db: SqliteDatabase | undefined;
let log: SqliteEventLog;

beforeAll(async () => {
  log = new SqliteEventLog({
    path: join(dataDir, 'events.db'),
    historySize: 1000,
    historyTtlSeconds: 3600,
    onOpen: (conn) => (db = conn),
  });
  t = await startTestNode({}, { log });
});
afterAll(async () => {
  await t.stop();
  await log.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Leaves the file no room to grow, as a full disk does. */
function fillDisk(): void {
  const pages = db?.pragma('page_count', { simple: true }) as number;
  db?.pragma(`max_page_count = ${pages}`);
}
const freeDisk = (): unknown => db?.pragma('max_page_count = 1073741823');

const publish = (body: unknown): Promise<Response> =>
  fetch(`${t.httpUrl}/api/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('a full disk under the log', () => {
  it('answers 503 with the reason, reports it in /readyz, and recovers with room', async () => {
    const first = await publish({ org: 'acme', channel: 'news.a', data: 1 });
    expect(first.status).toBe(200);
    expect(await (await fetch(`${t.httpUrl}/readyz`)).json()).toEqual({ status: 'ready' });

    const client = await connectClient(t, {
      sub: 'alice',
      org: 'acme',
      publish: ['news.>'],
    });
    fillDisk();
    try {
      const big = 'x'.repeat(20_000);
      const refused = await publish({ org: 'acme', channel: 'news.a', data: big, key: 'k2' });
      expect(refused.status).toBe(503);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unavailable');
      // The reason code, not the driver's words.
      expect(body.error.message).toBe('log unavailable (disk_full)');

      client.send({ type: 'publish', id: 7, channel: 'news.a', data: big });
      expect(await client.next('error')).toMatchObject({ id: 7, code: 'unavailable' });

      const ready = await fetch(`${t.httpUrl}/readyz`);
      expect(ready.status).toBe(503);
      // A stable code, not SQLite's words (they may hold the file's path).
      expect(await ready.json()).toEqual({ status: 'unavailable', reasons: { log: 'disk_full' } });
    } finally {
      freeDisk();
    }

    expect(await (await fetch(`${t.httpUrl}/readyz`)).json()).toEqual({ status: 'ready' });
    const retried = await publish({ org: 'acme', channel: 'news.a', data: 2, key: 'k2' });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ duplicate: false });

    // Only the acknowledged events are in the log, without a gap.
    const history = await fetch(`${t.httpUrl}/api/history?org=acme&channel=news.%3E&limit=10`, {
      headers: { authorization: `Bearer ${t.adminKey}` },
    });
    const { events } = (await history.json()) as { events: { data: unknown }[] };
    expect(events.map((e) => e.data)).toEqual([1, 2]);
    client.close();
  });

  it('commits a notification while the log is full and pushes it once there is room', async () => {
    const alice = await connectClient(
      t,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['user.alice.notifications'] },
    );
    fillDisk();
    let ids: string[];
    try {
      const res = await fetch(`${t.httpUrl}/api/notify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          org: 'acme',
          users: ['alice'],
          notification: { kind: 'k', title: 'x'.repeat(1000), body: 'y'.repeat(16_000) },
        }),
      });
      // The inbox has it: the answer says so, and the push waits in the outbox.
      expect(res.status).toBe(200);
      ids = ((await res.json()) as { ids: string[] }).ids;
      const count = await alice.request({
        type: 'rpc',
        id: 3,
        method: 'notifications.unreadCount',
      });
      expect(count).toMatchObject({ type: 'result', result: { count: 1 } });
    } finally {
      freeDisk();
    }
    const pushed = await alice.next('event');
    expect(pushed.data).toMatchObject({
      type: 'notification.created',
      notification: { id: ids[0] },
    });
    alice.close();
  });
});
