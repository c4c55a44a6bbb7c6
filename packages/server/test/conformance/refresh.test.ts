/**
 * Conformance: `refresh` and token expiry (PROTOCOL.md §4 "refresh", §7 4501), with a raw
 * `ws` client.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorCode, ServerMessage } from '@hubcast/protocol';
import { channelsUntil, errorReply } from '../helpers/conformance-fixtures.js';
import { connectClient, jwtPayload, publishHttp, useTestNodes } from '../helpers/ws-client.js';

const start = useTestNodes();

describe('refresh (§4)', () => {
  it('answers `refreshed` with the new expires_at', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    const fresh = await node.token({ sub: 'alice', org: 'acme', ttlSeconds: 7200 });
    expect(await c.request({ type: 'refresh', id: 3, token: fresh })).toEqual({
      type: 'refreshed',
      id: 3,
      expires_at: jwtPayload(fresh)['exp'],
    });
    expect(JSON.stringify(c.messages)).not.toContain(fresh);
  });

  it.each<[string, ErrorCode, Record<string, unknown>]>([
    ['no token', 'bad_request', {}],
    ['a numeric token', 'bad_request', { token: 5 }],
    ['a null token', 'bad_request', { token: null }],
    // a string that is no JWT is a refused token, not a malformed command
    ['a garbage token', 'unauthorized', { token: 'garbage' }],
  ])('answers %s with %s and keeps the connection', async (_name, code, fields) => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await c.request({ type: 'refresh', id: 1, ...fields })).toEqual(errorReply(1, code));
    expect(await c.request({ type: 'ping', id: 2 })).toEqual({ type: 'pong', id: 2 });
  });

  it.each([
    ['another sub', { sub: 'mallory', org: 'acme' }],
    ['another org', { sub: 'alice', org: 'globex' }],
    ['an expired token', { sub: 'alice', org: 'acme', ttlSeconds: -60 }],
  ])('answers a token for %s with unauthorized and keeps the old grants', async (_name, claims) => {
    const node = await start();
    const c = await connectClient(node, { sub: 'alice', org: 'acme', subscribe: ['news.>'] });
    const other = await node.token({ ...claims, subscribe: ['>'] });
    expect(await c.request({ type: 'refresh', id: 1, token: other })).toEqual(
      errorReply(1, 'unauthorized'),
    );
    expect(await c.request({ type: 'subscribe', id: 2, channel: 'sports.a' })).toMatchObject({
      type: 'error',
      id: 2,
      code: 'forbidden',
    });
    expect(await c.request({ type: 'subscribe', id: 3, channel: 'news.a' })).toMatchObject({
      type: 'subscribed',
      id: 3,
    });
    expect(JSON.stringify(c.messages)).not.toContain(other);
  });

  it('keeps the old expiry after a refused refresh: the connection still closes with 4501 at the old exp', async () => {
    const node = await start({ jwtClockTolerance: 0 });
    const c = await connectClient(node, { sub: 'alice', org: 'acme', ttlSeconds: 2 });
    const other = await node.token({ sub: 'mallory', org: 'acme', ttlSeconds: 3600 });
    expect(await c.request({ type: 'refresh', id: 1, token: other })).toMatchObject({
      type: 'error',
      code: 'unauthorized',
    });
    expect((await c.waitClosed(5000)).code).toBe(4501);
  });

  it('ends subscriptions the new grants no longer allow with an `unsubscribed` push (reason forbidden)', async () => {
    const node = await start();
    const c = await connectClient(
      node,
      { sub: 'alice', org: 'acme', publish: ['>'] },
      { subscriptions: ['news.a', 'sports.a', 'news.>', 'marker'] },
    );
    const narrower = await node.token({
      sub: 'alice',
      org: 'acme',
      subscribe: ['news.>', 'marker'],
    });
    c.send({ type: 'refresh', id: 1, token: narrower });
    const got: ServerMessage[] = [await c.next(), await c.next()];
    const sorted = [...got].sort((a, b) => a.type.localeCompare(b.type));
    expect(sorted).toEqual([
      { type: 'refreshed', id: 1, expires_at: jwtPayload(narrower)['exp'] },
      { type: 'unsubscribed', channel: 'sports.a', reason: 'forbidden' },
    ]);
    await publishHttp(node, 'acme', 'sports.a', 'gone');
    await publishHttp(node, 'acme', 'news.a', 'kept');
    await publishHttp(node, 'acme', 'marker', 'm');
    expect(await channelsUntil(c, 'marker')).toEqual(['news.a', 'marker']);
    // the publish grants were replaced too (default [])
    expect(await c.request({ type: 'publish', id: 2, channel: 'news.a', data: 1 })).toMatchObject({
      type: 'error',
      id: 2,
      code: 'forbidden',
    });
    // the ended subscription is gone
    expect(await c.request({ type: 'unsubscribe', id: 3, channel: 'sports.a' })).toMatchObject({
      type: 'error',
      id: 3,
      code: 'not_found',
    });
  });
});

describe('token expiry (§4, §7)', () => {
  // No clock tolerance in the timing cases below, so they wait no longer than the token's life.
  it('closes a connection whose token expires without a refresh with 4501', async () => {
    const node = await start({ jwtClockTolerance: 0 });
    const c = await connectClient(node, { sub: 'alice', org: 'acme', ttlSeconds: 2 });
    const closed = await c.waitClosed(5000);
    expect(closed.code).toBe(4501);
    expect(c.pending().filter((m) => m.type !== 'error' && m.type !== 'ping')).toEqual([]);
  });

  it('keeps a refreshed connection open past the old expiry', async () => {
    const node = await start({ jwtClockTolerance: 0 });
    const refreshed = await connectClient(
      node,
      { sub: 'alice', org: 'acme', ttlSeconds: 2 },
      { id: 1 },
    );
    const fresh = await node.token({ sub: 'alice', org: 'acme', ttlSeconds: 3600 });
    expect(await refreshed.request({ type: 'refresh', id: 2, token: fresh })).toMatchObject({
      type: 'refreshed',
      id: 2,
    });
    // a witness whose token expires at least a second after the old one
    const witness = await connectClient(node, { sub: 'bob', org: 'acme', ttlSeconds: 3 });
    expect((await witness.waitClosed(6000)).code).toBe(4501);
    expect(refreshed.closeInfo).toBeUndefined();
    expect(await refreshed.quiet()).toEqual([]);
  });

  it('keeps a connection open until exp plus the clock tolerance (§9), then closes it with 4501', async () => {
    const node = await start({ jwtClockTolerance: 3 });
    // Expired a second ago, so within the tolerance: the connect is accepted.
    const c = await connectClient(node, { sub: 'alice', org: 'acme', ttlSeconds: -1 });
    const exp = c.connected.expires_at;
    expect(exp).toBeLessThan(Date.now() / 1000);
    const closed = await c.waitClosed(6000);
    expect(closed.code).toBe(4501);
    expect(Date.now() / 1000).toBeGreaterThanOrEqual(exp + 3);
  });
});
