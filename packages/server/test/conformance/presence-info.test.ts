/**
 * Conformance: `rpc presence.setInfo {info}` (docs/presence.md "Info updates"). A connection
 * replaces its info on every channel it is present in and for later subscriptions; watchers get
 * `join` with `update: true`; the `presence` reply shows it; of a user's devices the info set
 * last wins. Every refusal changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@hubcast/protocol';
import type { TestNode } from '../helpers/test-node.js';
import {
  asType,
  connectClient,
  useTestNodes,
  type ConnectedClient,
  type TestClient,
} from '../helpers/ws-client.js';

const start = useTestNodes();

async function watch(node: TestNode, channels: string[]): Promise<ConnectedClient> {
  const watcher = await connectClient(node, { sub: 'watcher', org: 'acme' });
  for (const channel of channels)
    await watcher.request({ type: 'subscribe', channel, presence: true });
  return watcher;
}

function setInfo(client: TestClient, params: unknown): Promise<ServerMessage> {
  return client.request({ type: 'rpc', method: 'presence.setInfo', params });
}

async function infoOf(client: TestClient, channel: string, user: string): Promise<unknown> {
  const reply = asType(await client.request({ type: 'presence', channel }), 'presence');
  return reply.members.find((m) => m.user === user)?.info;
}

/** Asks until `user` has `count` connections on room.1: no push says a non-last one left. */
async function untilConnections(client: TestClient, user: string, count: number): Promise<void> {
  for (;;) {
    const reply = asType(await client.request({ type: 'presence', channel: 'room.1' }), 'presence');
    if (reply.members.find((m) => m.user === user)?.connections === count) return;
  }
}

const device = (name: string) => ({ client: { name: 'test', version: '1', device: name } });

describe('presence.setInfo (docs/presence.md)', () => {
  it('replaces the info on every channel the connection is in, and for later subscriptions', async () => {
    const node = await start();
    const watcher = await watch(node, ['room.1', 'room.2', 'room.3']);
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme', info: { name: 'Alice' } },
      { subscriptions: ['room.1', 'room.2', 'room.>'] },
    );
    await watcher.next('join');
    await watcher.next('join');

    const away = { name: 'Alice', status: 'away', text: 'lunch' };
    expect(await setInfo(alice, { info: away })).toMatchObject({
      type: 'result',
      result: { channels: 2 },
    });
    const pushes = [await watcher.next('join'), await watcher.next('join')];
    expect(pushes.sort((a, b) => a.channel.localeCompare(b.channel))).toEqual([
      { type: 'join', channel: 'room.1', user: 'alice', info: away, update: true },
      { type: 'join', channel: 'room.2', user: 'alice', info: away, update: true },
    ]);
    // The connection that changed it gets no push of its own.
    expect(await alice.quiet()).toEqual([]);
    expect(await infoOf(watcher, 'room.1', 'alice')).toEqual(away);
    expect(await infoOf(watcher, 'room.2', 'alice')).toEqual(away);

    // A later subscription carries it: in its join and in the member list.
    await alice.request({ type: 'subscribe', channel: 'room.3' });
    expect(await watcher.next('join')).toEqual({
      type: 'join',
      channel: 'room.3',
      user: 'alice',
      info: away,
    });
    expect(await infoOf(watcher, 'room.3', 'alice')).toEqual(away);

    // A refresh keeps it: the token's info was only the initial value.
    const token = await node.token({ sub: 'alice', org: 'acme', info: { name: 'Token' } });
    expect(await alice.request({ type: 'refresh', token })).toMatchObject({ type: 'refreshed' });
    await alice.request({ type: 'unsubscribe', channel: 'room.1' });
    await alice.request({ type: 'subscribe', channel: 'room.1' });
    expect(await infoOf(watcher, 'room.1', 'alice')).toEqual(away);
  });

  it('answers channels: 0 on a connection present nowhere, and applies to its next subscription', async () => {
    const node = await start();
    const watcher = await watch(node, ['room.1']);
    const alice = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await setInfo(alice, { info: { status: 'busy' } })).toMatchObject({
      result: { channels: 0 },
    });
    await alice.request({ type: 'subscribe', channel: 'room.1' });
    expect(await watcher.next('join')).toEqual({
      type: 'join',
      channel: 'room.1',
      user: 'alice',
      info: { status: 'busy' },
    });
  });

  it("shows a user's info set last among their devices; the leave carries the last connection's", async () => {
    const node = await start({ presenceLeaveDelay: 0 });
    const watcher = await watch(node, ['room.1']);
    const claims = { sub: 'alice', org: 'acme', info: { status: 'online' } };
    const phone = await connectClient(node, claims, {
      subscriptions: ['room.1'],
      ...device('phone'),
    });
    await watcher.next('join');
    const laptop = await connectClient(node, claims, {
      subscriptions: ['room.1'],
      ...device('laptop'),
    });

    await setInfo(phone, { info: { status: 'away' } });
    expect(await watcher.next('join')).toMatchObject({ info: { status: 'away' }, update: true });
    await setInfo(laptop, { info: { status: 'busy' } });
    expect(await watcher.next('join')).toMatchObject({ info: { status: 'busy' }, update: true });
    const reply = asType(
      await watcher.request({ type: 'presence', channel: 'room.1' }),
      'presence',
    );
    expect(reply.members.find((m) => m.user === 'alice')).toEqual({
      user: 'alice',
      info: { status: 'busy' },
      connections: 2,
      devices: expect.arrayContaining(['laptop', 'phone']) as unknown,
    });
    await setInfo(laptop, { info: { status: 'back' } });
    await watcher.next('join');
    expect(await infoOf(watcher, 'room.1', 'alice')).toEqual({ status: 'back' });

    // The leave carries the info of the connection that went last: the laptop's.
    phone.close();
    await phone.closed;
    await untilConnections(watcher, 'alice', 1);
    laptop.close();
    expect(await watcher.next('leave')).toEqual({
      type: 'leave',
      channel: 'room.1',
      user: 'alice',
      info: { status: 'back' },
    });
  });

  it('refuses bad params, changing nothing and pushing nothing', async () => {
    const node = await start({ presenceInfoMaxBytes: 64 });
    const watcher = await watch(node, ['room.1']);
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme', info: { name: 'Alice' } },
      { subscriptions: ['room.1'] },
    );
    await watcher.next('join');
    const refusals: [unknown, string, RegExp][] = [
      [undefined, 'bad_request', /needs params \{info\}/],
      ['away', 'bad_request', /needs params \{info\}/],
      [{}, 'bad_request', /'info' must be a JSON object/],
      [{ info: 'away' }, 'bad_request', /'info' must be a JSON object/],
      [{ info: ['away'] }, 'bad_request', /'info' must be a JSON object/],
      [{ info: null }, 'bad_request', /'info' must be a JSON object/],
      [{ info: {}, channel: 'room.1' }, 'bad_request', /takes no 'channel'/],
      [
        { info: { a: { b: { c: { d: { e: { f: { g: { h: {} } } } } } } } } },
        'bad_request',
        /deeper than 8/,
      ],
      [{ info: { text: 'x'.repeat(64) } }, 'too_large', /more than 64/],
    ];
    for (const [params, code, message] of refusals) {
      const reply = await setInfo(alice, params);
      expect(reply, JSON.stringify(params)).toMatchObject({ type: 'error', code });
      expect(asType(reply, 'error').message).toMatch(message);
    }
    // Eight levels pass, and exactly 64 bytes too: `{"text":"` + 53 + `"}`.
    expect(
      await setInfo(alice, { info: { a: { b: { c: { d: { e: { f: { g: {} } } } } } } } }),
    ).toMatchObject({
      type: 'result',
    });
    const { before, match } = await watcher.takeUntil((m) => m.type === 'join');
    expect(before.filter((m) => m.type !== 'ping')).toEqual([]);
    expect(match).toMatchObject({ update: true, info: { a: { b: {} } } });
    expect(await setInfo(alice, { info: { text: 'y'.repeat(53) } })).toMatchObject({
      type: 'result',
    });
    expect(await alice.request({ type: 'rpc', method: 'presence.nope', params: {} })).toMatchObject(
      { type: 'error', code: 'not_found' },
    );
  });

  it('rate-limits updates per connection, with retry_after, and the connection keeps working', async () => {
    const node = await start();
    const watcher = await watch(node, ['room.1']);
    const alice = await connectClient(
      node,
      { sub: 'alice', org: 'acme' },
      { subscriptions: ['room.1'] },
    );
    await watcher.next('join');
    // A burst of five passes; the sixth (sent at once) is refused.
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) => setInfo(alice, { info: { n: i } })),
    );
    expect(replies.slice(0, 5).map((r) => r.type)).toEqual(Array(5).fill('result'));
    expect(replies[5]).toMatchObject({ type: 'error', code: 'rate_limited' });
    const retryAfter = (replies[5] as { retry_after?: unknown }).retry_after;
    expect(typeof retryAfter === 'number' && retryAfter > 0 && retryAfter <= 1).toBe(true);
    // Five updates reached the watcher, the refused one none; the member shows the fifth.
    const updates = [];
    for (let i = 0; i < 5; i++) updates.push(await watcher.next('join'));
    expect(updates.map((u) => u.info)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
    expect(await infoOf(watcher, 'room.1', 'alice')).toEqual({ n: 4 });
    // Another connection of the same user has a budget of its own.
    const other = await connectClient(node, { sub: 'alice', org: 'acme' });
    expect(await setInfo(other, { info: { n: 9 } })).toMatchObject({ type: 'result' });
    expect(await alice.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });
});

describe('presence without the grant', () => {
  it('answers forbidden to presence on a channel the token may not subscribe to', async () => {
    const node = await start();
    const c = await connectClient(node, { sub: 'bob', org: 'acme', subscribe: ['room.>'] });
    expect(await c.request({ type: 'presence', channel: 'secret.1' })).toMatchObject({
      type: 'error',
      code: 'forbidden',
    });
    expect(await c.request({ type: 'presence', channel: 'user.alice' })).toMatchObject({
      type: 'error',
      code: 'forbidden',
    });
  });
});
