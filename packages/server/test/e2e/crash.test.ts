/**
 * PROTOCOL.md §2.3 under the worst case: a real `hubcast serve` on the SQLite log is killed with
 * SIGKILL five times while publishers post numbered events and notifications as fast as they
 * can (retrying with the same idempotency key until acknowledged) and a client resumes through
 * every restart. Afterwards every acknowledged event is in the history exactly once and in
 * order, every acknowledged notification is in the inbox once and was pushed once, and the
 * client saw each event exactly once, in log order, without ever being reset.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubcastClient } from '@hubcast/client';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.js';
import { signTestToken, TEST_ADMIN_KEY } from '../helpers/test-node.js';
import { freePort } from '../helpers/free-port.js';

const KILLS = 5;
/** Acknowledged publishes between two kills (and after the last one). */
const ACKS_PER_LIFE = 250;
const PUBLISHERS = 16;

const dataDir = mkdtempSync(join(tmpdir(), 'hubcast-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** `hubcast serve` on the test's port and data dir, so each restart finds the last one's log. */
const startServer = (port: number): Promise<ServeProcess> =>
  startServeProcess(['--log-level', 'info'], { port, dataDir });

describe('kill -9 while publishing', () => {
  it(`loses no acknowledged event or notification and delivers none twice across ${KILLS} crashes`, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let server = await startServer(port);
    // Publishers that hit a dead server wait for the next one instead of spinning.
    let serverUp: Promise<void> = Promise.resolve();
    let markUp: () => void = () => undefined;

    const acked = new Map<number, string>(); // n -> event_id
    let nextN = 0;
    let stopPublishing = false;
    let ackWaiter: { target: number; resolve: () => void } | undefined;
    const onAck = (): void => {
      if (ackWaiter !== undefined && acked.size >= ackWaiter.target) {
        ackWaiter.resolve();
        ackWaiter = undefined;
      }
    };
    const acksReach = (target: number): Promise<void> =>
      new Promise((resolve) => {
        ackWaiter = { target, resolve };
        onAck();
      });

    const publisher = async (): Promise<void> => {
      while (!stopPublishing) {
        const n = nextN++;
        for (;;) {
          try {
            // Odd numbers go to the watcher's inbox, even ones to a channel.
            const notification = n % 2 === 1;
            const res = await fetch(`${base}/api/${notification ? 'notify' : 'publish'}`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${TEST_ADMIN_KEY}`,
                'content-type': 'application/json',
              },
              body: JSON.stringify(
                notification
                  ? {
                      org: 'acme',
                      users: ['watcher'],
                      notification: { kind: 'crash', title: `n${n}`, data: { n } },
                      key: `n${n}`,
                    }
                  : { org: 'acme', channel: 'crash.events', data: { n }, key: `n${n}` },
              ),
            });
            if (res.status === 200) {
              const body = (await res.json()) as { event_id?: string; ids?: string[] };
              acked.set(n, body.event_id ?? `notification ${body.ids?.[0] ?? '?'}`);
              onAck();
              break;
            }
            // 503 while draining or starting: same as a dead server.
            await res.arrayBuffer();
          } catch {
            // Connection refused or reset: the server is down.
          }
          await serverUp;
        }
      }
    };

    const received: { n: number; cursor: string }[] = [];
    const pushed: { n: number; id: string }[] = [];
    const resets: unknown[] = [];
    let receiveWaiter: { target: number; resolve: () => void } | undefined;
    const onReceived = (): void => {
      if (receiveWaiter !== undefined && received.length + pushed.length >= receiveWaiter.target) {
        receiveWaiter.resolve();
        receiveWaiter = undefined;
      }
    };
    const client = new HubcastClient({
      url: `ws://127.0.0.1:${port}/ws`,
      getToken: () => signTestToken({ sub: 'watcher', org: 'acme' }),
      WebSocket,
      minReconnectDelayMs: 10,
      maxReconnectDelayMs: 100,
    });
    client.on('reset', (e) => {
      resets.push(e);
      // A reset means events were skipped: stop waiting and let the assertions say so.
      receiveWaiter?.resolve();
    });
    client.subscribe('crash.>', (event) => {
      received.push({ n: (event.data as { n: number }).n, cursor: event.cursor ?? '' });
      onReceived();
    });
    client.subscribe('user.watcher.notifications', (event) => {
      const { notification } = event.data as { notification: { id: string; data: { n: number } } };
      pushed.push({ n: notification.data.n, id: notification.id });
      onReceived();
    });
    await client.connect();

    const publishers = Array.from({ length: PUBLISHERS }, () => publisher());
    for (let kill = 1; kill <= KILLS; kill++) {
      await acksReach(kill * ACKS_PER_LIFE);
      serverUp = new Promise((resolve) => (markUp = resolve));
      server.child.kill('SIGKILL');
      expect(await server.exited).toBeNull();
      server = await startServer(port);
      markUp();
    }
    await acksReach((KILLS + 1) * ACKS_PER_LIFE);
    stopPublishing = true;
    await Promise.all(publishers);

    // Every publisher retried until acknowledged: 0..N-1 are all in, and nothing else is.
    const total = nextN;
    expect(acked.size).toBe(total);
    await new Promise<void>((resolve) => {
      receiveWaiter = { target: total, resolve };
      if (received.length + pushed.length >= total || resets.length > 0) resolve();
    });
    const evens = [...acked.keys()].filter((n) => n % 2 === 0).length;

    // The history: each acknowledged event exactly once, with the id it was acknowledged with.
    const history: { event_id: string; data: { n: number }; cursor: string }[] = [];
    // Without a cursor the API answers the newest page; walk back with `before`.
    let before: string | undefined;
    for (;;) {
      const url = new URL(`${base}/api/history`);
      url.searchParams.set('org', 'acme');
      url.searchParams.set('channel', 'crash.>');
      url.searchParams.set('limit', '1000');
      if (before !== undefined) url.searchParams.set('before', before);
      const res = await fetch(url, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      const page = (await res.json()) as { events: typeof history; more: boolean };
      history.unshift(...page.events);
      if (!page.more) break;
      before = page.events[0]?.cursor;
    }
    expect(history.length).toBe(evens);
    expect(new Set(history.map((e) => e.data.n)).size).toBe(evens);
    for (const e of history) expect(acked.get(e.data.n)).toBe(e.event_id);

    // The client: every event once, in log order, and never told to refetch.
    expect(received.map((r) => r.n)).toEqual(history.map((e) => e.data.n));
    expect(resets).toEqual([]);

    // The inbox: each acknowledged notification once, pushed once, with its acknowledged id.
    const inbox: { id: string; data: { n: number } }[] = [];
    for (let more = true; more;) {
      const last = inbox.at(-1);
      const page = await client.notifications.list({
        limit: 100,
        ...(last === undefined ? {} : { before: last.id }),
      });
      inbox.push(...(page.items as unknown as typeof inbox));
      more = page.more;
    }
    expect(inbox.length).toBe(total - evens);
    for (const item of inbox) expect(acked.get(item.data.n)).toBe(`notification ${item.id}`);
    expect(pushed.length).toBe(total - evens);
    expect(new Set(pushed.map((p) => p.id)).size).toBe(total - evens);

    client.disconnect();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);
});
