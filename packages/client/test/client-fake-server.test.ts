import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HubcastClient, type ClientOptions } from '../src/index.js';
import { fakeServer, flushMicrotasks, type FakeServer } from './helpers/fake-server.js';
import { record } from './helpers/wait-for.js';

let server: FakeServer;
const clients: HubcastClient[] = [];

function makeClient(options: Partial<ClientOptions> = {}): HubcastClient {
  const client = new HubcastClient({
    url: 'ws://fake/ws',
    token: 'tok-1',
    WebSocket: server.WebSocket,
    ...options,
  });
  clients.push(client);
  return client;
}

/** Connects through the fake: open, let the connect frame out, answer it. */
async function connected(client: HubcastClient): Promise<void> {
  const done = client.connect();
  await flushMicrotasks();
  server.current().open();
  await flushMicrotasks();
  server.current().acceptConnect();
  await done;
}

beforeEach(() => {
  vi.useFakeTimers();
  server = fakeServer();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('HubcastClient against a scripted server', () => {
  it('sends connect first, with the subprotocol, token, patterns and client info; nothing before connected', async () => {
    const client = makeClient({ client: { device: 'phone' } });
    client.subscribe('a.>', () => undefined);
    client.publish('a.1', 'early').catch(() => undefined); // queued: no publish before `connected` (4500)
    const done = client.connect();
    await flushMicrotasks();
    const socket = server.current();
    expect(socket.url).toBe('ws://fake/ws');
    expect(socket.protocols).toEqual(['hubcast.v1.json']);
    socket.open();
    await flushMicrotasks();
    expect(socket.sent).toEqual([
      {
        type: 'connect',
        id: 1,
        token: 'tok-1',
        subscriptions: ['a.>'],
        client: { name: '@hubcast/client', device: 'phone' },
      },
    ]);
    socket.acceptConnect();
    await done;
    await flushMicrotasks();
    expect(socket.sent.map((m) => m.type)).toEqual(['connect', 'publish']);
    expect(socket.frames).toHaveLength(2);
  });

  it('resumes with the cursor of the last event and emits reset when not resumed', async () => {
    const client = makeClient({ minReconnectDelayMs: 10, maxReconnectDelayMs: 10 });
    client.subscribe('a.>', () => undefined);
    await connected(client);
    expect(client.cursor).toBe('head-0');
    server
      .current()
      .push({ type: 'event', channel: 'a.1', event_id: 'e1', cursor: 'c-1', ts: 't', data: 1 });
    expect(client.cursor).toBe('c-1');
    const resets = record(client, 'reset');
    server.current().serverClose(1006);
    await vi.advanceTimersByTimeAsync(10);
    const second = server.current();
    second.open();
    await flushMicrotasks();
    expect(second.sent[0]).toMatchObject({
      type: 'connect',
      cursor: 'c-1',
      subscriptions: ['a.>'],
    });
    second.acceptConnect({ resumed: false, cursor: 'new-head' });
    await flushMicrotasks();
    expect(resets).toEqual([{ previousCursor: 'c-1', cursor: 'new-head' }]);
    expect(client.cursor).toBe('new-head');
  });

  it("after 4000 waits a random part of the server's reconnect delay", async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.25);
    const client = makeClient();
    await connected(client);
    const disconnects = record(client, 'disconnected');
    server.current().push({ type: 'reconnect', delay_ms: 8000, reason: 'shutdown' });
    server.current().serverClose(4000, 'server shutting down');
    expect(disconnects).toEqual([
      { code: 4000, reason: 'server shutting down', willReconnect: true, delayMs: 2000 },
    ]);
    expect(client.state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(1999);
    expect(server.sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.sockets).toHaveLength(2);
  });

  it('answers ping with pong, and treats ping_interval + 10 s of silence as a dead connection', async () => {
    const client = makeClient();
    await connected(client);
    const socket = server.current();
    const disconnects = record(client, 'disconnected');
    await vi.advanceTimersByTimeAsync(20_000);
    socket.push({ type: 'ping' });
    await flushMicrotasks();
    expect(socket.sent.at(-1)).toEqual({ type: 'pong' });
    await vi.advanceTimersByTimeAsync(34_999); // 35 s since the ping: not yet
    expect(client.state).toBe('connected');
    await vi.advanceTimersByTimeAsync(1);
    expect(socket.closedByClient).toBeDefined();
    expect(disconnects[0]).toMatchObject({ code: 1006, willReconnect: true });
    expect(disconnects[0]?.reason).toMatch(/nothing heard from the server for 35000 ms/);
    expect(client.state).toBe('connecting');
  });

  it('gives up on a handshake that does not finish within commandTimeoutMs', async () => {
    const client = makeClient({ commandTimeoutMs: 500 });
    const disconnects = record(client, 'disconnected');
    void client.connect(); // a stop nobody awaits is not an unhandled rejection
    await flushMicrotasks();
    await vi.advanceTimersByTimeAsync(500); // never opened
    expect(disconnects[0]).toMatchObject({ code: 1006, willReconnect: true });
  });

  it.each([
    [4500, 'bad_request'],
    [4502, 'forbidden'],
    [4503, 'too_large'],
  ])('%s stops with %s', async (code, errorCode) => {
    const client = makeClient();
    await connected(client);
    const errors = record(client, 'error');
    server.current().serverClose(code, 'bye');
    expect(client.state).toBe('disconnected');
    expect(errors.map((e) => [e.error.code, e.error.closeCode])).toEqual([[errorCode, code]]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sockets).toHaveLength(1); // no reconnect
  });

  it('reports an unreadable line and keeps reading the frame', async () => {
    const client = makeClient();
    await connected(client);
    const errors = record(client, 'error');
    server.current().pushRaw('not json\n{"type":"ping"}\n\n{"type":"from-the-future"}');
    await flushMicrotasks();
    expect(errors.map((e) => e.error.code)).toEqual(['bad_request']);
    expect(server.current().sent.at(-1)).toEqual({ type: 'pong' });
    expect(client.state).toBe('connected');
  });

  it('connect() rejects when the client stops first; disconnect() rejects with unavailable', async () => {
    const client = makeClient();
    const first = client.connect();
    client.disconnect();
    await expect(first).rejects.toMatchObject({ code: 'unavailable' });
    const second = client.connect();
    await flushMicrotasks();
    server.current().open();
    await flushMicrotasks();
    server.current().serverClose(4500, 'auth timeout');
    await expect(second).rejects.toMatchObject({ code: 'bad_request', closeCode: 4500 });
  });

  it('an error push without id is reported', async () => {
    const client = makeClient();
    await connected(client);
    const errors = record(client, 'error');
    server.current().push({ type: 'error', code: 'rate_limited', message: 'slow down' });
    expect(errors.map((e) => e.error.code)).toEqual(['rate_limited']);
  });

  it('a subscribe without reply within commandTimeoutMs restarts the connection', async () => {
    const client = makeClient({ commandTimeoutMs: 1000 });
    await connected(client);
    const sub = client.subscribe('late.>', () => undefined);
    await flushMicrotasks();
    expect(server.current().sent.at(-1)).toMatchObject({ type: 'subscribe', channel: 'late.>' });
    const disconnects = record(client, 'disconnected');
    await vi.advanceTimersByTimeAsync(1000);
    expect(disconnects[0]).toMatchObject({ code: 1006, willReconnect: true });
    expect(sub.state).toBe('subscribing'); // asked again in the next connect
  });

  it('re-sends a publish cut off by a reconnect with the same key', async () => {
    const client = makeClient({ minReconnectDelayMs: 10, maxReconnectDelayMs: 10 });
    await connected(client);
    const result = client.publish('p.1', { v: 1 });
    await flushMicrotasks();
    const first = server.current().sent.at(-1);
    expect(first).toMatchObject({ type: 'publish', channel: 'p.1' });
    expect(typeof first?.key).toBe('string');
    server.current().serverClose(1006);
    await vi.advanceTimersByTimeAsync(10);
    server.current().open();
    await flushMicrotasks();
    server.current().acceptConnect();
    await flushMicrotasks();
    const retry = server.current().sent.at(-1);
    expect(retry).toMatchObject({ type: 'publish', key: first?.key });
    server
      .current()
      .push({ type: 'published', id: retry?.id, event_id: 'e9', cursor: 'c9', duplicate: true });
    await expect(result).resolves.toEqual({ event_id: 'e9', cursor: 'c9', duplicate: true });
  });
});
