import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubcastError, type HubcastEvent } from '../src/index.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { record, until, waitFor } from './helpers/wait-for.js';

let fx: Fixture;
beforeEach(async () => {
  fx = await startFixture();
});
afterEach(async () => {
  await fx.close();
});

describe('connect and subscribe', () => {
  it('receives an event published through the HTTP API', async () => {
    const client = await fx.client('alice');
    const events: HubcastEvent[] = [];
    const sub = client.subscribe('room.*', (ev) => events.push(ev));
    const connected = waitFor(client, 'connected');
    await client.connect();
    const ctx = await connected;
    expect(ctx.subscriptions).toEqual(['room.*']); // went in the connect message
    expect(ctx.resumed).toBeUndefined(); // first connect, no cursor
    expect(client.state).toBe('connected');
    expect(client.session).toMatchObject({ user: 'alice', org: 'acme' });
    expect(client.cursor).toBe(ctx.cursor); // the head, taken as the first cursor
    await sub.ready();
    expect(sub.state).toBe('subscribed');

    const published = await fx.api.publish({ channel: 'room.1', data: { text: 'hi' } });
    await until(client, 'event', () => events.length === 1);
    expect(events[0]).toMatchObject({
      event_id: published.event_id,
      cursor: published.cursor,
      channel: 'room.1',
      data: { text: 'hi' },
    });
    expect(events[0]?.from).toBeUndefined(); // published by the API, not a user
    expect(events[0]?.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(client.cursor).toBe(published.cursor);
  });

  it('routes events locally to every handler whose pattern matches; one server subscription per pattern', async () => {
    const client = await fx.client('alice');
    await client.connect();
    const seen: string[] = [];
    const a = client.subscribe('room.>', (ev) => seen.push(`a:${ev.channel}`));
    const b = client.subscribe('room.>', (ev) => seen.push(`b:${ev.channel}`));
    const c = client.subscribe('room.1', (ev) => seen.push(`c:${ev.channel}`));
    await Promise.all([a.ready(), b.ready(), c.ready()]);
    expect((await fx.api.stats()).subscriptions).toBe(2);

    await fx.api.publish({ channel: 'room.1', data: 1 });
    await until(client, 'event', () => seen.length === 3);
    expect(seen.sort()).toEqual(['a:room.1', 'b:room.1', 'c:room.1']);

    a.unsubscribe();
    expect(a.state).toBe('unsubscribed');
    b.unsubscribe(); // last handler of room.>: the server subscription ends
    // Commands run in order on the server: the pong means the unsubscribe was applied.
    expect(typeof (await client.ping()).rttMs).toBe('number');
    expect((await fx.api.stats()).subscriptions).toBe(1);
    seen.length = 0;
    await fx.api.publish({ channel: 'room.2', data: 2 });
    await fx.api.publish({ channel: 'room.1', data: 3 });
    await until(client, 'event', () => seen.length === 1);
    expect(seen).toEqual(['c:room.1']);
  });

  it('reports a refused subscription: in connect (rejected) and by subscribe', async () => {
    const client = await fx.client('alice');
    const errors = record(client, 'error');
    const early = client.subscribe('user.bob', () => undefined);
    await client.connect();
    await expect(early.ready()).rejects.toMatchObject({ code: 'forbidden' });
    expect(early.state).toBe('unsubscribed');

    const late = client.subscribe('user.*', () => undefined);
    const ended = waitFor(late, 'unsubscribed');
    await expect(late.ready()).rejects.toBeInstanceOf(HubcastError);
    expect((await ended).error?.code).toBe('forbidden');
    expect(errors.map((e) => [e.channel, e.error.code])).toEqual([
      ['user.bob', 'forbidden'],
      ['user.*', 'forbidden'],
    ]);
    expect(client.state).toBe('connected'); // a refused pattern does not fail the connection
  });

  it('rejects a bad pattern synchronously', async () => {
    const client = await fx.client('alice');
    expect(() => client.subscribe('a..b', () => undefined)).toThrow(/'pattern'/);
  });

  it('history, presence, ping and rpc', async () => {
    const client = await fx.client('alice', { client: { device: 'laptop' } });
    const p1 = await fx.api.publish({ channel: 'log.1', data: 'one' });
    const p2 = await fx.api.publish({ channel: 'log.2', data: 'two' });
    client.subscribe('log.1', () => undefined);
    await client.connect();

    const page = await client.history('log.>', { limit: 10 });
    expect(page.events.map((e) => e.event_id)).toEqual([p1.event_id, p2.event_id]);
    expect(page.more).toBe(false);
    const after = await client.history('log.>', { after: p1.cursor });
    expect(after.events.map((e) => e.data)).toEqual(['two']);

    const presence = await client.presence('log.1');
    expect(presence.members).toEqual([
      expect.objectContaining({ user: 'alice', connections: 1, devices: ['laptop'] }),
    ]);
    await expect(client.ping()).resolves.toHaveProperty('rttMs');
    await expect(client.rpc('nothing.here', { a: 1 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(client.history('log.>', { after: 'garbage' })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });

  it('commands fail at once while disconnected, and wait while connecting', async () => {
    const client = await fx.client('alice');
    await expect(client.ping()).rejects.toMatchObject({ code: 'unavailable' });
    const connecting = client.connect();
    const pong = client.ping(); // issued while connecting
    await connecting;
    await expect(pong).resolves.toHaveProperty('rttMs');
  });

  it('delivers join and leave to presence subscriptions', async () => {
    const alice = await fx.client('alice');
    const bob = await fx.client('bob');
    const watch = alice.subscribe('room.9', () => undefined, { presence: true });
    await alice.connect();
    await watch.ready();
    const joined = waitFor(watch, 'join', (c) => c.user === 'bob');
    bob.subscribe('room.9', () => undefined);
    await bob.connect();
    expect(await joined).toMatchObject({ channel: 'room.9', user: 'bob' });
  });

  it("delivers an info update as join with update: true, and presence's count", async () => {
    const alice = await fx.client('alice');
    const bob = await fx.client('bob');
    const watch = alice.subscribe('room.9', () => undefined, { presence: true });
    await alice.connect();
    await watch.ready();
    bob.subscribe('room.9', () => undefined);
    const joined = waitFor(watch, 'join', (c) => c.user === 'bob');
    await bob.connect();
    expect((await joined).update).toBeUndefined();
    const updated = waitFor(watch, 'join', (c) => c.update === true);
    await expect(bob.rpc('presence.setInfo', { info: { status: 'away' } })).resolves.toEqual({
      channels: 1,
    });
    expect(await updated).toEqual({
      channel: 'room.9',
      user: 'bob',
      info: { status: 'away' },
      update: true,
    });
    const presence = await alice.presence('room.9');
    expect(presence.count).toBe(2);
    expect(presence.members.map((m) => [m.user, m.info])).toEqual([
      ['alice', undefined],
      ['bob', { status: 'away' }],
    ]);
  });

  it('replays a subscribe with a cursor without moving the connection cursor back', async () => {
    const client = await fx.client('alice');
    const mark = await fx.api.publish({ channel: 'z.0', data: 0 });
    const b1 = await fx.api.publish({ channel: 'b.1', data: 1 });
    const b2 = await fx.api.publish({ channel: 'b.2', data: 2 });
    const live: HubcastEvent[] = [];
    client.subscribe('a.>', (ev) => live.push(ev));
    await client.connect();
    const a1 = await fx.api.publish({ channel: 'a.1', data: 'a' });
    await until(client, 'event', () => live.length === 1);
    expect(client.cursor).toBe(a1.cursor);

    const replayed: HubcastEvent[] = [];
    const sub = client.subscribe('b.>', (ev) => replayed.push(ev), { cursor: mark.cursor });
    const subscribed = await waitFor(sub, 'subscribed');
    expect(subscribed.resumed).toBe(true);
    expect(replayed.map((e) => e.event_id)).toEqual([b1.event_id, b2.event_id]);
    expect(client.cursor).toBe(a1.cursor); // older replayed events did not move it back

    const b3 = await fx.api.publish({ channel: 'b.3', data: 3 });
    await until(client, 'event', () => replayed.length === 3);
    expect(client.cursor).toBe(b3.cursor); // live events do
  });
});
