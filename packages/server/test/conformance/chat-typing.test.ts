/**
 * Conformance: `chat.typing` (docs/chat.md "Typing"). A member's signal reaches the room's
 * members as an ephemeral `chat.typing` event (no cursor, never in history), is gated like the
 * room's logged events, and is rate-limited per user.
 */
import { describe, expect, it } from 'vitest';
import { NODE_TEST_BACKEND, refused, rpc, useChatNodes } from '../helpers/chat-client.js';
import { connectClient } from '../helpers/ws-client.js';

const startChat = useChatNodes();

describe('chat.typing', () => {
  it('reaches the members as an ephemeral event, never broad patterns or history', async () => {
    const node = await startChat(NODE_TEST_BACKEND);
    const alice = await connectClient(node, { sub: 'alice', org: 'acme' });
    await rpc(alice, 'chat.createRoom', { room: 'general', members: ['bob'] });
    const bob = await connectClient(
      node,
      { sub: 'bob', org: 'acme' },
      { subscriptions: ['chat.general'] },
    );
    const broad = await connectClient(node, { sub: 'bob', org: 'acme' }, { subscriptions: ['>'] });

    expect(await rpc(alice, 'chat.typing', { room: 'general' })).toEqual({});
    const event = await bob.next('event');
    expect(event).toMatchObject({
      channel: 'chat.general',
      ephemeral: true,
      from: 'alice',
      data: { type: 'chat.typing', room: 'general', user: 'alice' },
    });
    expect(event).not.toHaveProperty('cursor');
    expect((await broad.quiet()).filter((m) => m.type === 'event')).toEqual([]);
    const history = await bob.request({ type: 'history', channel: 'chat.general', limit: 100 });
    if (history.type !== 'history') throw new Error(JSON.stringify(history));
    expect(history.events.map((e) => (e.data as { type: string }).type)).toEqual([
      'chat.member_joined',
      'chat.member_joined',
    ]);
    // No logged event came with it: the room's history of messages is empty too.
    expect(await rpc(bob, 'chat.history', { room: 'general' })).toMatchObject({ messages: [] });
  });

  it('refuses strangers, rooms the token does not grant, and a flood', async () => {
    const node = await startChat(NODE_TEST_BACKEND);
    const alice = await connectClient(node, { sub: 'alice', org: 'acme' });
    await rpc(alice, 'chat.createRoom', { room: 'general' });
    const mallory = await connectClient(node, { sub: 'mallory', org: 'acme' });
    await refused(mallory, 'chat.typing', { room: 'general' }, 'not_found');
    // Another tenant's room of the same name is not hers either.
    const other = await connectClient(node, { sub: 'alice', org: 'other' });
    await refused(other, 'chat.typing', { room: 'general' }, 'not_found');
    const scoped = await connectClient(node, { sub: 'alice', org: 'acme', subscribe: ['news.>'] });
    await refused(scoped, 'chat.typing', { room: 'general' }, 'forbidden');
    await refused(alice, 'chat.typing', {}, 'bad_request');
    await refused(alice, 'chat.typing', { room: 'a.b' }, 'bad_request');

    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const reply = await alice.request({
        type: 'rpc',
        method: 'chat.typing',
        params: { room: 'general' },
      });
      codes.push(reply.type === 'error' ? reply.code : reply.type);
    }
    // The burst passes (less the signal the `forbidden` token above did not spend), then the
    // bucket refuses; refills take a second, longer than this loop on any machine but a stalled one.
    expect(codes.slice(0, 4)).toEqual(['result', 'result', 'result', 'result']);
    expect(codes).toContain('rate_limited');
  });
});
