/**
 * Conformance: room channels are gated by membership (docs/chat.md "Channels"). Subscribing,
 * `history` and `presence` on `chat.<room>` need the grant and a membership; wildcard rooms are
 * refused; broad patterns never carry a room's events, live or replayed; clients never publish
 * there; a member who leaves or is removed loses their subscriptions at once.
 */
import { describe, expect, it } from 'vitest';
import type { EventPush } from '@hubcast/protocol';
import {
  NODE_TEST_BACKEND,
  eventsOn,
  nextData,
  rpc,
  useChatNodes,
} from '../helpers/chat-client.js';
import type { TestNode } from '../helpers/test-node.js';
import {
  asType,
  connectClient,
  httpRequest,
  publishHttp,
  type ConnectedClient,
} from '../helpers/ws-client.js';

const startChat = useChatNodes();

/** acme: alice owns `general` with bob; `secret` is alice's alone. */
async function rooms(): Promise<{ node: TestNode; alice: ConnectedClient }> {
  const node = await startChat(NODE_TEST_BACKEND);
  const alice = await connectClient(node, { sub: 'alice', org: 'acme' });
  await rpc(alice, 'chat.createRoom', { room: 'general', members: ['bob'] });
  await rpc(alice, 'chat.createRoom', { room: 'secret' });
  return { node, alice };
}

const send = (client: ConnectedClient, room: string, text: string) =>
  rpc(client, 'chat.send', { room, text });

const channels = (events: readonly { channel: string }[]): string[] => events.map((e) => e.channel);

describe('subscribing to room channels', () => {
  it('refuses wildcard rooms, and rooms the caller is not a member of', async () => {
    const { node } = await rooms();
    const bob = await connectClient(node, { sub: 'bob', org: 'acme' });
    for (const channel of ['chat.*', 'chat.>', 'chat.*.typing', 'chat.secret', 'chat.secret.>'])
      expect(await bob.request({ type: 'subscribe', channel }), channel).toMatchObject({
        type: 'error',
        code: 'forbidden',
      });
    expect(await bob.request({ type: 'subscribe', channel: 'chat.general' })).toMatchObject({
      type: 'subscribed',
    });
    expect(await bob.request({ type: 'subscribe', channel: 'chat.general.>' })).toMatchObject({
      type: 'subscribed',
    });
    // The grant is needed as well as the membership.
    const scoped = await connectClient(node, { sub: 'bob', org: 'acme', subscribe: ['news.>'] });
    expect(await scoped.request({ type: 'subscribe', channel: 'chat.general' })).toMatchObject({
      type: 'error',
      code: 'forbidden',
    });
  });

  it("rejects them in connect's subscriptions, in the order given", async () => {
    const { node } = await rooms();
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['chat.secret', 'news', 'chat.>', 'chat.general', 'a..b', 'chat.nowhere'] },
    );
    expect(bob.connected.subscriptions).toEqual(['news', 'chat.general']);
    expect(bob.connected.rejected).toEqual([
      { channel: 'chat.secret', code: 'forbidden' },
      { channel: 'chat.>', code: 'forbidden' },
      { channel: 'a..b', code: 'bad_request' },
      { channel: 'chat.nowhere', code: 'forbidden' },
    ]);
  });

  it('never shows a refused stranger in presence', async () => {
    const { node, alice } = await rooms();
    alice.send({ type: 'subscribe', id: 1, channel: 'chat.secret', presence: true });
    await alice.reply(1);
    const bob = await connectClient(node, { sub: 'bob', org: 'acme' });
    expect(await bob.request({ type: 'subscribe', channel: 'chat.secret' })).toMatchObject({
      code: 'forbidden',
    });
    expect(await alice.request({ type: 'presence', channel: 'chat.secret' })).toMatchObject({
      members: [{ user: 'alice' }],
    });
    expect((await alice.quiet()).filter((m) => m.type === 'join')).toEqual([]);
    expect(await bob.request({ type: 'presence', channel: 'chat.secret' })).toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('delivery of room events', () => {
  it('goes only to subscriptions of that room, never through broad patterns', async () => {
    const { node, alice } = await rooms();
    const broad = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['>', '*.general', '*.secret', 'chat.general.>'] },
    );
    const member = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['chat.general'] },
    );
    await send(alice, 'secret', 'for alice only');
    await send(alice, 'general', 'for members');
    await publishHttp(node, 'acme', 'news.general', 'marker');
    expect(await nextData(member, 'chat.general')).toMatchObject({ type: 'chat.message' });
    // `>` and `*.general` carry the marker, not the rooms; `chat.general.>` does not match
    // `chat.general` itself.
    expect(channels(await eventsOn(broad, 'news.general'))).toEqual(['news.general']);
    expect(
      broad.messages.filter((m) => m.type === 'event' && m.channel.startsWith('chat.')),
    ).toEqual([]);
  });

  it('replays a resumed room subscription, but never through broad patterns', async () => {
    const { node, alice } = await rooms();
    const cursor = (await publishHttp(node, 'acme', 'news.x', 'before')).cursor;
    await send(alice, 'general', 'missed');
    await send(alice, 'secret', 'not for bob');
    await publishHttp(node, 'acme', 'news.x', 'after');
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { cursor, subscriptions: ['>', 'chat.general'] },
    );
    expect(bob.connected.resumed).toBe(true);
    const replayed = bob.messages.filter((m): m is EventPush => m.type === 'event');
    expect(channels(replayed)).toEqual(['chat.general', 'news.x']);
    expect(replayed[0]?.data).toMatchObject({ message: { text: 'missed' } });

    // A later subscribe with the cursor replays what `>` did not deliver: the room's events.
    const carol = await connectClient(node, { sub: 'bob', org: 'acme' }, { subscriptions: ['>'] });
    carol.send({ type: 'subscribe', id: 5, channel: 'chat.general', cursor });
    const { before } = await carol.takeUntil((m) => m.type === 'subscribed');
    expect(channels(before.filter((m): m is EventPush => m.type === 'event'))).toEqual([
      'chat.general',
    ]);
  });

  it('lets history read a room only for members, and a broad pattern none', async () => {
    const { node, alice } = await rooms();
    await send(alice, 'general', 'hello');
    await send(alice, 'secret', 'hidden');
    await publishHttp(node, 'acme', 'news.x', 'news');
    const bob = await connectClient(node, { sub: 'bob', org: 'acme' });
    const room = asType(await bob.request({ type: 'history', channel: 'chat.general' }), 'history');
    expect(room.events.map((e) => (e.data as { type: string }).type)).toContain('chat.message');
    expect(await bob.request({ type: 'history', channel: 'chat.secret' })).toMatchObject({
      code: 'forbidden',
    });
    expect(await bob.request({ type: 'history', channel: 'chat.>' })).toMatchObject({
      code: 'forbidden',
    });
    const all = asType(await bob.request({ type: 'history', channel: '>' }), 'history');
    // Bob's own chat channel (his room_joined) and the news, no room's events.
    expect(channels(all.events)).toEqual(['user.bob.chat', 'news.x']);
  });

  it('keeps room channels for the service: clients never publish there, the HTTP API may', async () => {
    const { node, alice } = await rooms();
    const writer = await connectClient(node, { sub: 'alice', org: 'acme', publish: ['>'] });
    for (const channel of ['chat.general', 'chat.general.typing'])
      expect(await writer.request({ type: 'publish', channel, data: 'forged' })).toMatchObject({
        type: 'error',
        code: 'forbidden',
      });
    await alice.request({ type: 'subscribe', channel: 'chat.general' });
    const res = await httpRequest(node, 'POST', '/api/publish', {
      json: { org: 'acme', channel: 'chat.general', data: { type: 'bot.note' } },
    });
    expect(res.status).toBe(200);
    expect(await nextData(alice, 'chat.general')).toEqual({ type: 'bot.note' });
  });
});

describe('leaving a room', () => {
  it('ends every subscription of the removed member to it, after the leave event', async () => {
    const { node, alice } = await rooms();
    await alice.request({ type: 'subscribe', channel: 'chat.general' });
    const laptop = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['chat.general', 'chat.general.>', 'news'] },
    );
    const phone = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['chat.general'] },
    );
    expect(await rpc(alice, 'chat.removeMember', { room: 'general', user: 'bob' })).toEqual({
      removed: true,
    });
    await send(alice, 'general', 'after bob left');
    for (const device of [laptop, phone]) {
      const { before, match } = await device.takeUntil((m) => m.type === 'unsubscribed');
      expect(before.filter((m) => m.type === 'event').map((m) => m.data)).toEqual([
        { type: 'chat.member_left', room: 'general', user: 'bob' },
      ]);
      expect(match).toEqual({ type: 'unsubscribed', channel: 'chat.general', reason: 'forbidden' });
    }
    expect(await laptop.next('unsubscribed')).toEqual({
      type: 'unsubscribed',
      channel: 'chat.general.>',
      reason: 'forbidden',
    });
    expect(await eventsOn(laptop, 'chat.general')).toEqual([]);
    expect(await eventsOn(phone, 'chat.general')).toEqual([]);
    // Other subscriptions go on; subscribing to the room again is refused.
    await publishHttp(node, 'acme', 'news', 'still here');
    expect((await laptop.next('event')).channel).toBe('news');
    expect(await phone.request({ type: 'subscribe', channel: 'chat.general' })).toMatchObject({
      code: 'forbidden',
    });
    // alice's own subscription is untouched.
    expect((await nextData(alice, 'chat.general'))['type']).toBe('chat.member_left');
  });

  it('ends them when the member leaves by themselves too', async () => {
    const { node } = await rooms();
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['chat.general'] },
    );
    expect(await rpc(bob, 'chat.leave', { room: 'general' })).toEqual({ left: true });
    expect(await bob.next('unsubscribed')).toEqual({
      type: 'unsubscribed',
      channel: 'chat.general',
      reason: 'forbidden',
    });
  });
});
