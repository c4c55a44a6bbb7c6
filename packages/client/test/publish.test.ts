import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubcastError, type HubcastEvent } from '../src/index.js';
import { controlledWebSocket } from './helpers/controlled-websocket.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { until } from './helpers/wait-for.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.close();
});

describe('publish', () => {
  it('publishes with an automatic idempotency key; others receive it with `from`', async () => {
    const alice = await fx.client('alice');
    const bob = await fx.client('bob');
    const got: HubcastEvent[] = [];
    bob.subscribe('room.>', (ev) => got.push(ev));
    await Promise.all([alice.connect(), bob.connect()]);
    const first = await alice.publish('room.main', { text: 'hello' });
    const second = await alice.publish('room.main', { text: 'hello' });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(false); // a fresh key per call
    expect(second.event_id).not.toBe(first.event_id);
    await until(bob, 'event', () => got.length === 2);
    expect(got[0]).toMatchObject({
      event_id: first.event_id,
      from: 'alice',
      data: { text: 'hello' },
    });
  });

  it('the same explicit key stores one event', async () => {
    const alice = await fx.client('alice');
    await alice.connect();
    const a = await alice.publish('orders.1', { n: 1 }, { key: 'order-1' });
    const b = await alice.publish('orders.1', { n: 2 }, { key: 'order-1' });
    expect(b).toEqual({ event_id: a.event_id, cursor: a.cursor, duplicate: true });
  });

  it("rejects with the server's error code", async () => {
    const client = await fx.client('carol', {}, { publish: ['own.>'] });
    await client.connect();
    const error = await client.publish('other.x', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubcastError);
    expect((error as HubcastError).code).toBe('forbidden');
    await expect(client.publish('user.carol', 1)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(client.publish('a.*', 1)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(client.publish('own.big', 'x'.repeat(70_000))).rejects.toMatchObject({
      code: 'too_large', // refused locally: the server would have closed with 4503
    });
    expect(client.state).toBe('connected');
  });

  it('echo: false keeps the event from the publishing connection only', async () => {
    const quiet = await fx.client('alice', { echo: false });
    const other = await fx.client('alice');
    const quietGot: string[] = [];
    const otherGot: string[] = [];
    quiet.subscribe('room.>', (ev) => quietGot.push(ev.channel));
    other.subscribe('room.>', (ev) => otherGot.push(ev.channel));
    await Promise.all([quiet.connect(), other.connect()]);
    await quiet.publish('room.mine', 'm');
    // Per-connection order is log order: once the marker arrives, the skipped one never will.
    await fx.api.publish({ channel: 'room.marker', data: 'x' });
    await until(quiet, 'event', () => quietGot.includes('room.marker'));
    await until(other, 'event', () => otherGot.includes('room.marker'));
    expect(quietGot).toEqual(['room.marker']);
    expect(otherGot).toEqual(['room.mine', 'room.marker']);
  });

  it('queues publishes made before connect; a full queue rejects the oldest', async () => {
    const client = await fx.client('alice', { offlineQueueSize: 2 });
    const watcher = await fx.client('bob');
    const got: unknown[] = [];
    watcher.subscribe('q.>', (ev) => got.push(ev.data));
    await watcher.connect();
    const p1 = client.publish('q.1', 1);
    const p2 = client.publish('q.2', 2);
    const p3 = client.publish('q.3', 3);
    const dropped = await p1.catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(HubcastError);
    expect((dropped as HubcastError).code).toBe('limit_exceeded');
    expect((dropped as HubcastError).message).toMatch(/offline queue full/);
    await client.connect();
    const [r2, r3] = await Promise.all([p2, p3]);
    expect(r2.duplicate).toBe(false);
    expect(r3.duplicate).toBe(false);
    await until(watcher, 'event', () => got.length === 2);
    expect(got).toEqual([2, 3]);
  });

  it('disconnect() rejects queued publishes', async () => {
    const client = await fx.client('alice');
    const connecting = client.connect();
    client.disconnect();
    await expect(connecting).rejects.toMatchObject({ code: 'unavailable' });
    const queued = client.publish('q.1', 1);
    client.connect().catch(() => undefined);
    client.disconnect();
    await expect(queued).rejects.toMatchObject({ code: 'unavailable' });
    expect(client.state).toBe('disconnected');
  });

  it('batches messages sent in the same tick into one frame', async () => {
    const control = controlledWebSocket();
    const client = await fx.client('alice', { WebSocket: control.WebSocket });
    await client.connect();
    const before = control.sentFrames.length;
    const results = await Promise.all([
      client.publish('b.1', 1),
      client.publish('b.2', 2),
      client.ping(),
    ]);
    expect(results).toHaveLength(3);
    const frames = control.sentFrames.slice(before);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([
      'publish',
      'publish',
      'ping',
    ]);
  });
});
