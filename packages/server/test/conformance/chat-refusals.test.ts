/**
 * Conformance: every refusal of the chat rpc methods (docs/chat.md), on each store backend:
 * strangers, roles, authorship, bad params, oversized text, the write rate, token grants and
 * tenants. Each refusal changes nothing and pushes nothing.
 */
import { describe, expect, it } from 'vitest';
import { CHAT_TEXT_MAX_CHARS, type ChatMessage } from '@hubcast/protocol';
import { CHAT_BACKENDS, eventsOn, refused, rpc, useChatNodes } from '../helpers/chat-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { connectClient, type ConnectedClient } from '../helpers/ws-client.js';

const startChat = useChatNodes();

function device(
  node: TestNode,
  user: string,
  org = 'acme',
  subscribe?: string[],
): Promise<ConnectedClient> {
  return connectClient(node, { sub: user, org, ...(subscribe === undefined ? {} : { subscribe }) });
}

describe.each(CHAT_BACKENDS)('chat refusals on the %s store', (backend) => {
  async function room(overrides = {}) {
    const node = await startChat(backend, overrides);
    const alice = await device(node, 'alice');
    const bob = await device(node, 'bob');
    const mallory = await device(node, 'mallory');
    await rpc(alice, 'chat.createRoom', { room: 'general', members: ['bob'] });
    const m = (await rpc(alice, 'chat.send', { room: 'general', text: 'mine' }))[
      'message'
    ] as ChatMessage;
    return { node, alice, bob, mallory, m };
  }

  it('answers a stranger not_found for every room method, as if the room did not exist', async () => {
    const { mallory, m } = await room();
    const calls: [string, Record<string, unknown>][] = [
      ['chat.room', {}],
      ['chat.members', {}],
      ['chat.send', { text: 'hi' }],
      ['chat.edit', { id: m.id, text: 'x' }],
      ['chat.delete', { id: m.id }],
      ['chat.react', { id: m.id, emoji: '👍' }],
      ['chat.pin', { id: m.id }],
      ['chat.unpin', { id: m.id }],
      ['chat.pinned', {}],
      ['chat.history', {}],
      ['chat.search', { text: 'mine' }],
      ['chat.markRead', { id: m.id }],
      ['chat.leave', {}],
    ];
    for (const [method, params] of calls) {
      const inRoom = await refused(mallory, method, { room: 'general', ...params }, 'not_found');
      const noRoom = await refused(mallory, method, { room: 'nowhere', ...params }, 'not_found');
      // The same answer for a private room and a missing one, bar the name.
      expect(inRoom.replace('general', 'R')).toBe(noRoom.replace('nowhere', 'R'));
    }
    expect(await rpc(mallory, 'chat.rooms')).toEqual({ rooms: [] });
  });

  it('refuses what the role or authorship does not allow', async () => {
    const { alice, bob, m } = await room();
    await refused(bob, 'chat.edit', { room: 'general', id: m.id, text: 'not mine' }, 'forbidden');
    await refused(bob, 'chat.delete', { room: 'general', id: m.id }, 'forbidden');
    await refused(bob, 'chat.addMembers', { room: 'general', users: ['carol'] }, 'forbidden');
    await refused(bob, 'chat.removeMember', { room: 'general', user: 'alice' }, 'forbidden');
    await refused(
      bob,
      'chat.setRole',
      { room: 'general', user: 'bob', role: 'owner' },
      'forbidden',
    );
    await refused(
      alice,
      'chat.setRole',
      { room: 'general', user: 'alice', role: 'member' },
      'conflict',
    );
    const history = await rpc(bob, 'chat.history', { room: 'general' });
    expect((history['messages'] as ChatMessage[]).map((x) => x.text)).toEqual(['mine']);
  });

  it('refuses bad params with bad_request naming the field', async () => {
    const { bob, m } = await room();
    const cases: [string, unknown, string][] = [
      ['chat.send', 'not an object', 'params'],
      ['chat.send', { text: 'x' }, 'room'],
      ['chat.send', { room: 'a.b', text: 'x' }, 'room'],
      ['chat.send', { room: 'general' }, 'text'],
      ['chat.send', { room: 'general', text: '' }, 'text'],
      ['chat.send', { room: 'general', text: 7 }, 'text'],
      ['chat.send', { room: 'general', text: 'x', client_id: '' }, 'client_id'],
      ['chat.send', { room: 'general', text: 'x', reply_to: 'abc' }, 'reply_to'],
      ['chat.send', { room: 'general', text: 'x', thread_id: 12 }, 'thread_id'],
      ['chat.send', { room: 'general', text: 'x', mentions: 'alice' }, 'mentions'],
      ['chat.send', { room: 'general', text: 'x', mentions: ['alice', 'alice'] }, 'mentions[1]'],
      ['chat.send', { room: 'general', text: 'x', mentions: ['a.b'] }, 'mentions[0]'],
      ['chat.edit', { room: 'general', text: 'x' }, 'id'],
      ['chat.react', { room: 'general', id: m.id }, 'emoji'],
      ['chat.react', { room: 'general', id: m.id, emoji: 'x'.repeat(33) }, 'emoji'],
      ['chat.setRole', { room: 'general', user: 'bob', role: 'admin' }, 'role'],
      ['chat.history', { room: 'general', limit: 0 }, 'limit'],
      ['chat.history', { room: 'general', limit: 201 }, 'limit'],
      ['chat.search', { room: 'general' }, 'text'],
      ['chat.createRoom', { room: 'x', title: 'x'.repeat(201) }, 'title'],
      ['chat.createRoom', { room: 'x', members: [1] }, 'members[0]'],
      ['chat.addMembers', { room: 'general', users: [] }, 'users'],
    ];
    for (const [method, params, field] of cases) {
      expect(await refused(bob, method, params, 'bad_request')).toContain(`'${field}'`);
      // Ten bad requests in a row close a connection (PROTOCOL.md §4): a ping breaks the row.
      await bob.request({ type: 'ping' });
    }
    await refused(bob, 'chat.nothing', {}, 'not_found');
    await refused(bob, 'chat.rooms', [], 'bad_request');
  });

  it('refuses text over the limit with too_large, and takes text at the limit', async () => {
    const { bob } = await room();
    const big = 'x'.repeat(CHAT_TEXT_MAX_CHARS + 1);
    expect(await refused(bob, 'chat.send', { room: 'general', text: big }, 'too_large')).toContain(
      `${CHAT_TEXT_MAX_CHARS}`,
    );
    const m = (await rpc(bob, 'chat.send', { room: 'general', text: big.slice(1) }))[
      'message'
    ] as ChatMessage;
    await refused(bob, 'chat.edit', { room: 'general', id: m.id, text: big }, 'too_large');
  });

  it('limits chat writes per user with rate_limited, whatever the connection', async () => {
    const { node, bob } = await room({ chatSendRate: 0.001, chatSendBurst: 3 });
    const phone = await device(node, 'bob');
    for (let i = 0; i < 2; i++) await rpc(bob, 'chat.send', { room: 'general', text: `${i}` });
    await rpc(phone, 'chat.send', { room: 'general', text: 'third' });
    expect(
      await refused(phone, 'chat.send', { room: 'general', text: 'x' }, 'rate_limited'),
    ).toMatch(/slow down/);
    await refused(bob, 'chat.send', { room: 'general', text: 'x' }, 'rate_limited');
    // A refused send takes no token: bad params are answered as such, not as rate_limited.
    await refused(bob, 'chat.send', { room: 'general' }, 'bad_request');
    // Reads and other users are not limited.
    await rpc(bob, 'chat.history', { room: 'general' });
    const alice = await device(node, 'alice');
    await rpc(alice, 'chat.send', { room: 'general', text: 'still fine' });
  });

  it('needs the token to grant the room channel, for every room method', async () => {
    const { node, bob } = await room();
    const scoped = await device(node, 'bob', 'acme', ['chat.random']);
    await refused(scoped, 'chat.send', { room: 'general', text: 'x' }, 'forbidden');
    await refused(scoped, 'chat.history', { room: 'general' }, 'forbidden');
    await refused(scoped, 'chat.createRoom', { room: 'other' }, 'forbidden');
    await rpc(scoped, 'chat.createRoom', { room: 'random' });
    // Lists show only the rooms this token grants.
    expect(
      ((await rpc(scoped, 'chat.rooms'))['rooms'] as { room: { room: string } }[]).map(
        (r) => r.room.room,
      ),
    ).toEqual(['random']);
    expect(
      ((await rpc(bob, 'chat.rooms'))['rooms'] as { room: { room: string } }[]).map(
        (r) => r.room.room,
      ),
    ).toEqual(['general', 'random']);
  });

  it('keeps tenants apart: the same room name in another org is another room', async () => {
    const { node, bob } = await room();
    expect(await bob.request({ type: 'subscribe', channel: 'chat.general' })).toMatchObject({
      type: 'subscribed',
    });
    const eve = await device(node, 'alice', 'globex');
    await refused(eve, 'chat.room', { room: 'general' }, 'not_found');
    await refused(eve, 'chat.send', { room: 'general', text: 'x' }, 'not_found');
    expect(await rpc(eve, 'chat.createRoom', { room: 'general' })).toMatchObject({
      room: 'general',
      created_by: 'alice',
    });
    await rpc(eve, 'chat.send', { room: 'general', text: 'globex only' });
    const history = await rpc(bob, 'chat.history', { room: 'general' });
    expect((history['messages'] as ChatMessage[]).map((x) => x.text)).toEqual(['mine']);
    expect(await eventsOn(bob, 'chat.general')).toEqual([]);
  });
});
