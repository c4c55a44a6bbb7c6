import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubcastError, type HubcastEvent } from '../src/index.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { record, until, waitFor } from './helpers/wait-for.js';

let fx: Fixture;
beforeEach(async () => {
  // These cases time the 4501 at a token's exp: no clock tolerance to wait out.
  fx = await startFixture({ jwtClockTolerance: 0 });
});
afterEach(async () => {
  await fx.close();
});

describe('tokens', () => {
  it('refreshes before expires_at and keeps the connection', async () => {
    let fetched = 0;
    const client = await fx.client('alice', {
      token: undefined,
      getToken: () => {
        fetched++;
        return fx.token('alice', { ttlSeconds: 3 });
      },
    });
    const disconnects = record(client, 'disconnected');
    const errors = record(client, 'error');
    await client.connect();
    const session = client.session;
    const firstExpiry = session?.expiresAtSeconds ?? 0;

    const first = await waitFor(client, 'refreshed');
    expect(first.expiresAtSeconds).toBeGreaterThanOrEqual(firstExpiry);
    // The second refresh comes after the first token's expiry: the connection outlived it.
    const second = await waitFor(client, 'refreshed');
    expect(second.expiresAtSeconds).toBeGreaterThan(firstExpiry);
    expect(Date.now() / 1000).toBeGreaterThan(firstExpiry - 0.5);
    expect(client.session?.id).toBe(session?.id);
    expect(client.session?.expiresAtSeconds).toBe(second.expiresAtSeconds);
    expect(disconnects).toEqual([]);
    expect(errors).toEqual([]);
    expect(fetched).toBe(3);
    expect(client.state).toBe('connected');
  });

  it('a failed refresh keeps the connection; the 4501 at expiry fetches a new token', async () => {
    let calls = 0;
    const client = await fx.client('alice', {
      token: undefined,
      getToken: () => {
        calls++;
        if (calls === 1) return fx.token('alice', { ttlSeconds: 2 });
        if (calls === 2) throw new Error('identity provider down');
        return fx.token('alice', { ttlSeconds: 3600 });
      },
    });
    const got: HubcastEvent[] = [];
    client.subscribe('t.>', (ev) => got.push(ev));
    await client.connect();
    const failed = await waitFor(client, 'error');
    expect(failed.error.code).toBe('unauthorized');
    expect(failed.error.message).toContain('refresh');
    expect(client.state).toBe('connected');

    const closed = await waitFor(client, 'disconnected');
    expect(closed).toMatchObject({ code: 4501, willReconnect: true });
    await waitFor(client, 'connected');
    expect(calls).toBe(3);
    await fx.api.publish({ channel: 't.1', data: 'after' });
    await until(client, 'event', () => got.length === 1);
  });

  it('an expired first token with getToken: error reply, 4501, then a fresh token', async () => {
    const client = await fx.client('alice', {
      token: await fx.token('alice', { ttlSeconds: -60 }),
      getToken: () => fx.token('alice'),
    });
    const disconnects = record(client, 'disconnected');
    await client.connect();
    expect(disconnects).toHaveLength(1);
    expect(disconnects[0]).toMatchObject({ code: 4501, willReconnect: true });
    expect(disconnects[0]?.error?.code).toBe('unauthorized');
  });

  it('4501 with only a static token stops and reports', async () => {
    const expired = await fx.token('alice', { ttlSeconds: -60 });
    const client = await fx.client('alice', { token: expired });
    const errors = record(client, 'error');
    const disconnected = waitFor(client, 'disconnected');
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubcastError);
    expect((error as HubcastError).code).toBe('unauthorized');
    expect(await disconnected).toMatchObject({ code: 4501, willReconnect: false });
    expect(client.state).toBe('disconnected');
    expect(errors.map((e) => [e.error.code, e.error.closeCode])).toEqual([['unauthorized', 4501]]);
    expect(errors[0]?.error.message).not.toContain(expired); // never echo the token
  });

  it('a refresh that narrows the grants ends the subscriptions it no longer allows', async () => {
    let calls = 0;
    const client = await fx.client('alice', {
      token: undefined,
      getToken: () =>
        fx.token('alice', { ttlSeconds: 60, subscribe: ++calls === 1 ? ['>'] : ['a.>'] }),
      refreshMarginSeconds: 59.8, // refresh about 0.2 s after connecting
    });
    const kept = client.subscribe('a.1', () => undefined);
    const lost = client.subscribe('b.1', () => undefined);
    await client.connect();
    await Promise.all([kept.ready(), lost.ready()]);
    const pushed = waitFor(client, 'unsubscribed');
    const ended = waitFor(lost, 'unsubscribed');
    expect(await pushed).toEqual({ channel: 'b.1', reason: 'forbidden' });
    expect((await ended).reason).toBe('forbidden');
    await waitFor(client, 'refreshed');
    expect(lost.state).toBe('unsubscribed');
    expect(kept.state).toBe('subscribed');
  });
});
