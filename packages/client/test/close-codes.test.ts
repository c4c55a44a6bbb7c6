import { afterEach, describe, expect, it } from 'vitest';
import { controlledWebSocket } from './helpers/controlled-websocket.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { record, waitFor } from './helpers/wait-for.js';

let fx: Fixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

describe('close codes (PROTOCOL.md §7)', () => {
  it('4502 from POST /api/disconnect stops the client and reports it', async () => {
    fx = await startFixture();
    const client = await fx.client('alice');
    const states = record(client, 'state');
    const errors = record(client, 'error');
    await client.connect();
    const disconnected = waitFor(client, 'disconnected');
    expect(await fx.api.disconnect({ user: 'alice', reason: 'account suspended' })).toEqual({
      closed: 1,
    });
    const ctx = await disconnected;
    expect(ctx).toMatchObject({ code: 4502, reason: 'account suspended', willReconnect: false });
    expect(ctx.error?.code).toBe('forbidden');
    expect(client.state).toBe('disconnected');
    expect(errors.map((e) => [e.error.code, e.error.closeCode])).toEqual([['forbidden', 4502]]);
    expect(states.map((s) => s.to)).toEqual(['connecting', 'connected', 'disconnected']);
    await expect(client.ping()).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('4003 past the connection limit: reported, retried with a longer backoff', async () => {
    fx = await startFixture({ maxConnectionsPerUser: 1 });
    const first = await fx.client('alice');
    await first.connect();
    const second = await fx.client('alice', {
      minReconnectDelayMs: 1000,
      maxReconnectDelayMs: 8000,
    });
    second.connect().catch(() => undefined);
    const ctx = await waitFor(second, 'disconnected');
    expect(ctx).toMatchObject({ code: 4003, willReconnect: true });
    expect(ctx.error?.code).toBe('limit_exceeded');
    expect(ctx.delayMs).toBeGreaterThanOrEqual(4000); // at least half of min * 2^3
    expect(second.state).toBe('connecting');
    first.disconnect();
    second.disconnect();
    expect(second.state).toBe('disconnected');
  });

  it('answers server pings with pongs (no 4002 while the heartbeat runs)', async () => {
    fx = await startFixture({ pingInterval: 0.1, pongTimeout: 0.2 });
    const control = controlledWebSocket();
    const client = await fx.client('alice', { WebSocket: control.WebSocket });
    const disconnects = record(client, 'disconnected');
    await client.connect();
    expect(client.session?.pingIntervalSeconds).toBe(0.1);
    const isPing = (frame: string): boolean => frame.split('\n').includes('{"type":"ping"}');
    await control.waitForReceived((frames) => frames.filter(isPing).length >= 4);
    await client.ping(); // sent after the 4th pong: the server still answers
    const pongs = control.sentFrames
      .flatMap((f) => f.split('\n'))
      .filter((l) => l === '{"type":"pong"}');
    expect(pongs.length).toBeGreaterThanOrEqual(4);
    expect(disconnects).toEqual([]);
    expect(client.state).toBe('connected');
  });
});
