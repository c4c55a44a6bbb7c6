/**
 * Ephemeral events in the SDK (docs/ephemeral.md): handlers get them with `ephemeral: true` and
 * no cursor, and the client's resume cursor never moves on them, so a reconnect resumes from
 * the last logged event. Against a real node, and a scripted server for the replay case.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HubcastClient, type HubcastEvent } from '../src/index.js';
import { fakeServer, flushMicrotasks } from './helpers/fake-server.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { record, until } from './helpers/wait-for.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('ephemeral events against a real node', () => {
  it('delivers them without moving the cursor, and a resume replays only logged events', async () => {
    fx = await startFixture({ ephemeralChannels: ['feed.live.>'] });
    const reader = await fx.client('reader');
    const seen: HubcastEvent[] = [];
    reader.subscribe('feed.>', (ev) => seen.push(ev));
    await reader.connect();
    const writer = await fx.client('writer');
    await writer.connect();

    const logged = await fx.api.publish({ channel: 'feed.a', data: 1 });
    await until(reader, 'event', () => seen.length === 1);
    expect(reader.cursor).toBe(logged.cursor);

    const fleeting = await writer.publishEphemeral('feed.live.x', { typing: true });
    await until(reader, 'event', () => seen.length === 2);
    expect(seen[1]).toEqual({
      channel: 'feed.live.x',
      event_id: fleeting.event_id,
      ephemeral: true,
      ts: expect.any(String) as unknown,
      data: { typing: true },
      from: 'writer',
    });
    expect(seen[1]?.cursor).toBeUndefined();
    // The cursor still names the last logged event: a reconnect resumes from there.
    expect(reader.cursor).toBe(logged.cursor);

    const stored = reader.cursor;
    reader.disconnect();
    const missed = await fx.api.publish({ channel: 'feed.b', data: 2 });
    await writer.publishEphemeral('feed.live.x', 'missed and gone');
    const next = await fx.client('reader', stored === undefined ? {} : { cursor: stored });
    const got: HubcastEvent[] = [];
    next.subscribe('feed.>', (ev) => got.push(ev));
    const resets = record(next, 'reset');
    await next.connect();
    await until(next, 'event', () => got.length === 1);
    expect(got.map((e) => e.data)).toEqual([2]);
    expect(next.cursor).toBe(missed.cursor);
    expect(resets).toEqual([]);
  });

  it('publishes an ephemeral event from a backend with ServerClient', async () => {
    fx = await startFixture({ ephemeralChannels: ['feed.live.>'] });
    const reader = await fx.client('reader');
    const seen: HubcastEvent[] = [];
    reader.subscribe('feed.>', (ev) => seen.push(ev));
    await reader.connect();
    const before = reader.cursor;
    const result = await fx.api.publishEphemeral({ channel: 'feed.live.t', data: { c: 21.5 } });
    expect(result).toEqual({ event_id: expect.any(String) as unknown });
    await until(reader, 'event', () => seen.length === 1);
    expect(seen[0]).toMatchObject({
      event_id: result.event_id,
      ephemeral: true,
      data: { c: 21.5 },
    });
    expect('from' in (seen[0] ?? {})).toBe(false);
    expect(reader.cursor).toBe(before);
    await expect(fx.api.publishEphemeral({ channel: 'feed.x', data: 1 })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('refuses an ephemeral publish outside ephemeralChannels with forbidden', async () => {
    fx = await startFixture();
    const writer = await fx.client('writer');
    await writer.connect();
    await expect(writer.publishEphemeral('feed.x', 1)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('does not queue an ephemeral publish while disconnected', async () => {
    fx = await startFixture({ ephemeralChannels: ['>'] });
    const writer = await fx.client('writer');
    await expect(writer.publishEphemeral('feed.x', 1)).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});

describe('ephemeral events during a replaying subscribe (scripted server)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands them to the subscription without touching the replay cursor of a subscribe in flight', async () => {
    vi.useFakeTimers();
    const server = fakeServer();
    const client = new HubcastClient({
      url: 'ws://fake/ws',
      token: 't',
      WebSocket: server.WebSocket,
    });
    const done = client.connect();
    await flushMicrotasks();
    server.current().open();
    await flushMicrotasks();
    server.current().acceptConnect({ cursor: 'c0' });
    await done;
    const seen: HubcastEvent[] = [];
    // A subscribe with a cursor: its replayed events are older than the connection cursor.
    client.subscribe('room.>', (ev) => seen.push(ev), { cursor: 'c-old' });
    await flushMicrotasks();
    const live = {
      type: 'event',
      channel: 'room.1',
      event_id: '~n1',
      ephemeral: true,
      ts: '2026-01-01T00:00:00.000Z',
      data: 'typing',
    };
    const replayed = {
      type: 'event',
      channel: 'room.1',
      event_id: 'e5',
      cursor: 'c5',
      ts: '2026-01-01T00:00:00.000Z',
      data: 'old',
    };
    // The ephemeral event last: were it taken for a replayed one, the replay cursor would be lost.
    server.current().push(replayed, live);
    await flushMicrotasks();
    expect(seen.map((e) => e.data)).toEqual(['old', 'typing']);
    // Neither moved the connection cursor (the replayed event is older than it).
    expect(client.cursor).toBe('c0');
    // After a reconnect the replay goes on from the last replayed event, not from scratch.
    const sockets = server.sockets.length;
    server.current().serverClose(1001);
    while (server.sockets.length === sockets) await vi.advanceTimersByTimeAsync(100);
    server.current().open();
    await flushMicrotasks();
    server.current().acceptConnect();
    await flushMicrotasks();
    await flushMicrotasks();
    expect(server.current().sent.find((m) => m.type === 'subscribe')).toMatchObject({
      channel: 'room.>',
      cursor: 'c5',
    });
    client.disconnect();
  });
});
