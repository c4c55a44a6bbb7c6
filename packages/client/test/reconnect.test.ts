import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../../server/test/helpers/test-node.js';
import { HubcastClient, ServerClient, type HubcastEvent } from '../src/index.js';
import { controlledWebSocket } from './helpers/controlled-websocket.js';
import { FAST_BACKOFF, ORG, startFixture, type Fixture } from './helpers/fixtures.js';
import { freePort } from './helpers/free-port.js';
import { record, until, waitFor } from './helpers/wait-for.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fixture(): Promise<Fixture> {
  const fx = await startFixture();
  cleanups.push(() => fx.close());
  return fx;
}

describe('reconnect', () => {
  it('resumes after the socket drops, without losing or duplicating an event', async () => {
    const fx = await fixture();
    const control = controlledWebSocket();
    const client = await fx.client('alice', { WebSocket: control.WebSocket });
    const got: HubcastEvent[] = [];
    client.subscribe('feed.>', (ev) => got.push(ev));
    const connects = record(client, 'connected');
    const resets = record(client, 'reset');
    await client.connect();

    const published: string[] = [];
    const publish = async (n: number): Promise<void> => {
      published.push((await fx.api.publish({ channel: `feed.${n % 3}`, data: n })).event_id);
    };
    for (let n = 0; n < 3; n++) await publish(n);
    await until(client, 'event', () => got.length === 3);

    control.hold();
    const dropped = waitFor(client, 'disconnected');
    control.killCurrent();
    expect(await dropped).toMatchObject({ code: 1006, willReconnect: true });
    expect(client.state).toBe('connecting');
    for (let n = 3; n < 6; n++) await publish(n); // missed while offline
    control.release();
    await waitFor(client, 'connected');
    for (let n = 6; n < 8; n++) await publish(n);
    await until(client, 'event', () => got.length >= 8);

    expect(got.map((e) => e.event_id)).toEqual(published);
    expect(connects.map((c) => c.resumed)).toEqual([undefined, true]);
    expect(resets).toEqual([]);
    expect(control.sockets).toHaveLength(2);
  });

  it('flushes the offline queue after reconnecting, in order and once', async () => {
    const fx = await fixture();
    const control = controlledWebSocket();
    const publisher = await fx.client('alice', { WebSocket: control.WebSocket });
    const watcher = await fx.client('bob');
    const got: unknown[] = [];
    watcher.subscribe('q.>', (ev) => got.push(ev.data));
    await Promise.all([publisher.connect(), watcher.connect()]);

    control.hold();
    const dropped = waitFor(publisher, 'disconnected');
    control.killCurrent();
    await dropped;
    const settled: number[] = [];
    const pending = [1, 2, 3].map((n) =>
      publisher.publish(`q.${n}`, n).then((r) => {
        settled.push(n);
        return r;
      }),
    );
    await Promise.resolve();
    expect(settled).toEqual([]); // queued: no socket can open while held
    control.release();
    const results = await Promise.all(pending);
    expect(results.map((r) => r.duplicate)).toEqual([false, false, false]);
    await until(watcher, 'event', () => got.length === 3);
    expect(got).toEqual([1, 2, 3]);
  });

  it('reconnects after the server restarts on the same port and resumes from its cursor', async () => {
    const port = await freePort();
    const tn = await startTestNode({ port });
    let running = true;
    cleanups.push(async () => {
      if (running) await tn.stop();
    });
    const api = new ServerClient({ url: tn.httpUrl, apiKey: tn.adminKey, org: ORG });
    const client = new HubcastClient({
      url: tn.wsUrl,
      token: await tn.token({ sub: 'alice', org: ORG }),
      WebSocket,
      ...FAST_BACKOFF,
    });
    cleanups.push(() => client.disconnect());
    const got: HubcastEvent[] = [];
    client.subscribe('news.>', (ev) => got.push(ev));
    const resets = record(client, 'reset');
    const disconnects = record(client, 'disconnected');
    await client.connect();
    const firstSession = client.session?.id;
    const e1 = await api.publish({ channel: 'news.a', data: 1 });
    await until(client, 'event', () => got.length === 1);

    await tn.node.stop();
    running = false;
    expect(disconnects[0]).toMatchObject({ code: 4000, willReconnect: true });
    await tn.node.start();
    running = true;
    const reconnected = waitFor(client, 'connected');
    const e2 = await api.publish({ channel: 'news.b', data: 2 });
    // The node keeps its log across stop/start in one process, so the cursor still places.
    expect((await reconnected).resumed).toBe(true);
    await until(client, 'event', () => got.length === 2);
    expect(got.map((e) => e.event_id)).toEqual([e1.event_id, e2.event_id]);
    expect(resets).toEqual([]);
    expect(client.session?.id).not.toBe(firstSession);
  });

  it('emits reset when a new server on the same port cannot place the cursor', async () => {
    const port = await freePort();
    const first: TestNode = await startTestNode({ port });
    const client = new HubcastClient({
      url: first.wsUrl,
      token: await first.token({ sub: 'alice', org: ORG }),
      WebSocket,
      ...FAST_BACKOFF,
    });
    cleanups.push(() => client.disconnect());
    const got: HubcastEvent[] = [];
    client.subscribe('news.>', (ev) => got.push(ev));
    await client.connect();
    const firstApi = new ServerClient({ url: first.httpUrl, apiKey: first.adminKey, org: ORG });
    await firstApi.publish({ channel: 'news.a', data: 1 });
    await until(client, 'event', () => got.length === 1);
    const oldCursor = client.cursor;

    const drained = waitFor(client, 'disconnected');
    await first.stop();
    // 4000 after a `reconnect` push: the delay is a random part of the server's delay_ms.
    expect(await drained).toMatchObject({ code: 4000, willReconnect: true });
    const reset = waitFor(client, 'reset');
    const connected = waitFor(client, 'connected');
    const second = await startTestNode({ port }); // a fresh in-memory log
    cleanups.push(() => second.stop());
    expect(await reset).toEqual({ previousCursor: oldCursor, cursor: client.cursor });
    const ctx = await connected;
    expect(ctx.resumed).toBe(false);
    expect(client.cursor).not.toBe(oldCursor);
    // Subscriptions came back with the connect message: new events flow.
    const api = new ServerClient({ url: second.httpUrl, apiKey: second.adminKey, org: ORG });
    const fresh = await api.publish({ channel: 'news.z', data: 'fresh' });
    await until(client, 'event', () => got.length === 2);
    expect(got[1]?.event_id).toBe(fresh.event_id);
    expect(client.cursor).toBe(fresh.cursor);
  });

  it('retries a publish cut off by a dropped socket with the same key: stored once', async () => {
    const fx = await fixture();
    const control = controlledWebSocket();
    const client = await fx.client('alice', { WebSocket: control.WebSocket });
    const got: string[] = [];
    client.subscribe('once.>', (ev) => got.push(ev.event_id));
    await client.connect();
    control.hold();
    const result = client.publish('once.1', 'x');
    // Cut the socket right after the frame left, before the reply can arrive.
    await Promise.resolve();
    await Promise.resolve();
    expect(control.sentFrames.at(-1)).toContain('"publish"');
    control.killCurrent();
    await waitFor(client, 'disconnected');
    control.release();
    const r = await result;
    await until(client, 'event', () => got.length >= 1);
    const page = await client.history('once.>');
    expect(page.events.map((e) => e.event_id)).toEqual([r.event_id]); // one event, whichever try stored it
    expect(got).toEqual([r.event_id]);
  });
});
