/**
 * Conformance: the chat service of docs/chat.md over raw frames, on each store backend: every
 * `chat.*` rpc method, the events each change puts on `chat.<room>` and `user.<id>.chat`, the
 * mention notification, read sync across devices.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMember, ChatMessage, ChatRoom } from '@hubcast/protocol';
import {
  CHAT_BACKENDS,
  eventsOn,
  nextData,
  nextOfType,
  refused,
  rpc,
  useChatNodes,
} from '../helpers/chat-client.js';
import type { TestNode } from '../helpers/test-node.js';
import { TS_PATTERN, anyTs, connectClient, type ConnectedClient } from '../helpers/ws-client.js';

const startChat = useChatNodes();

/** A device of `user` in acme, on its own chat channel and the rooms given. */
function device(node: TestNode, user: string, rooms: string[] = []): Promise<ConnectedClient> {
  return connectClient(
    node,
    { sub: user, org: 'acme' },
    { subscriptions: [`user.${user}.chat`, ...rooms.map((r) => `chat.${r}`)] },
  );
}

async function subscribe(client: ConnectedClient, channel: string): Promise<void> {
  const reply = await client.request({ type: 'subscribe', channel });
  expect(reply, JSON.stringify(reply)).toMatchObject({ type: 'subscribed', channel });
}

const message = (r: Record<string, unknown>): ChatMessage => r['message'] as ChatMessage;

describe.each(CHAT_BACKENDS)('chat on the %s store', (backend) => {
  /** alice owns `general` with bob in it; both devices are on the room and their chat channel. */
  async function general() {
    const node = await startChat(backend);
    const alice = await device(node, 'alice');
    const bob = await device(node, 'bob');
    const room = (await rpc(alice, 'chat.createRoom', {
      room: 'general',
      title: 'General',
      members: ['bob'],
      unknown_field: 'ignored',
    })) as unknown as ChatRoom;
    await subscribe(alice, 'chat.general');
    await subscribe(bob, 'chat.general');
    return { node, alice, bob, room };
  }

  it('creates a room: the caller owns it, members join, each device hears of it', async () => {
    const { alice, bob, room } = await general();
    expect(room).toEqual({
      room: 'general',
      title: 'General',
      created_by: 'alice',
      created_at: anyTs,
    });
    expect(await nextData(alice, 'user.alice.chat')).toEqual({
      type: 'chat.room_joined',
      room,
      role: 'owner',
    });
    expect(await nextData(bob, 'user.bob.chat')).toEqual({
      type: 'chat.room_joined',
      room,
      role: 'member',
    });
    expect(await rpc(bob, 'chat.room', { room: 'general' })).toEqual(room);
    const { members } = (await rpc(bob, 'chat.members', { room: 'general' })) as {
      members: ChatMember[];
    };
    expect(members.map((m) => [m.user, m.role])).toEqual([
      ['alice', 'owner'],
      ['bob', 'member'],
    ]);
    expect(members[0]?.joined_at).toMatch(TS_PATTERN);
    expect(await rpc(alice, 'chat.rooms')).toEqual({
      rooms: [{ room, role: 'owner', unread: 0 }],
    });
    await refused(alice, 'chat.createRoom', { room: 'general' }, 'conflict');
  });

  it('sends, answers a resend with the same client_id as a duplicate, pushes once', async () => {
    const { alice, bob } = await general();
    const sent = await rpc(bob, 'chat.send', {
      room: 'general',
      text: 'hello',
      data: { color: 'blue' },
      client_id: 'c-1',
    });
    const m = message(sent);
    expect(sent['duplicate']).toBe(false);
    expect(m).toMatchObject({
      room: 'general',
      user: 'bob',
      text: 'hello',
      data: { color: 'blue' },
      client_id: 'c-1',
      reply_count: 0,
      reactions: {},
      version: 1,
    });
    expect(m.id).toMatch(/^[0-9]+$/);
    expect(m.created_at).toMatch(TS_PATTERN);
    expect(await nextData(alice, 'chat.general')).toEqual({ type: 'chat.message', message: m });

    const again = await rpc(bob, 'chat.send', {
      room: 'general',
      text: 'changed',
      client_id: 'c-1',
    });
    expect(again).toEqual({ message: m, duplicate: true });
    expect(await eventsOn(alice, 'chat.general')).toEqual([]);
  });

  it('edits, reacts, pins, unpins and deletes, each pushing chat.message_updated', async () => {
    const { alice, bob } = await general();
    const m = message(await rpc(bob, 'chat.send', { room: 'general', text: 'helo' }));
    await eventsOn(alice, 'chat.general');
    const seen = async (change: string) => {
      const d = await nextData(alice, 'chat.general');
      expect(d).toMatchObject({ type: 'chat.message_updated', change });
      return d['message'] as ChatMessage;
    };

    const edited = message(
      await rpc(bob, 'chat.edit', { room: 'general', id: m.id, text: 'hello' }),
    );
    expect(edited).toMatchObject({ id: m.id, text: 'hello', version: 2, edited_at: anyTs });
    expect(await seen('edited')).toEqual(edited);

    const reacted = await rpc(alice, 'chat.react', { room: 'general', id: m.id, emoji: '👍' });
    expect(reacted).toMatchObject({ added: true, message: { reactions: { '👍': ['alice'] } } });
    await seen('reaction');
    const unreacted = await rpc(alice, 'chat.react', { room: 'general', id: m.id, emoji: '👍' });
    expect(unreacted).toMatchObject({ added: false, message: { reactions: {} } });
    await seen('reaction');

    const pinned = message(await rpc(alice, 'chat.pin', { room: 'general', id: m.id }));
    expect(pinned).toMatchObject({ pinned_by: 'alice', pinned_at: anyTs });
    await seen('pinned');
    expect(await rpc(bob, 'chat.pinned', { room: 'general' })).toEqual({ messages: [pinned] });
    await rpc(alice, 'chat.unpin', { room: 'general', id: m.id });
    await seen('unpinned');
    expect(await rpc(bob, 'chat.pinned', { room: 'general' })).toEqual({ messages: [] });

    const deleted = message(await rpc(bob, 'chat.delete', { room: 'general', id: m.id }));
    expect(deleted).toMatchObject({ id: m.id, text: '', deleted_at: anyTs });
    expect(await seen('deleted')).toEqual(deleted);
    await refused(bob, 'chat.edit', { room: 'general', id: m.id, text: 'back' }, 'conflict');
  });

  it('replies and threads, and pages history and search', async () => {
    const { alice, bob } = await general();
    const root = message(await rpc(alice, 'chat.send', { room: 'general', text: 'Lunch?' }));
    const reply = message(
      await rpc(bob, 'chat.send', { room: 'general', text: 'yes', reply_to: root.id }),
    );
    expect(reply.reply_to).toEqual({ id: root.id, user: 'alice', excerpt: 'Lunch?' });
    const inThread = message(
      await rpc(bob, 'chat.send', { room: 'general', text: 'at noon', thread_id: root.id }),
    );
    expect(inThread.thread_id).toBe(root.id);
    for (let i = 0; i < 3; i++) await rpc(alice, 'chat.send', { room: 'general', text: `m${i}` });

    const page = await rpc(bob, 'chat.history', { room: 'general', limit: 2 });
    expect((page['messages'] as ChatMessage[]).map((x) => x.text)).toEqual(['m1', 'm2']);
    expect(page['more']).toBe(true);
    const older = await rpc(bob, 'chat.history', {
      room: 'general',
      before: (page['messages'] as ChatMessage[])[0]?.id,
    });
    expect((older['messages'] as ChatMessage[]).map((x) => x.text)).toEqual([
      'Lunch?',
      'yes',
      'm0',
    ]);
    const newer = await rpc(bob, 'chat.history', { room: 'general', after: reply.id });
    expect((newer['messages'] as ChatMessage[]).map((x) => x.text)).toEqual(['m0', 'm1', 'm2']);
    const thread = await rpc(bob, 'chat.history', { room: 'general', thread_id: root.id });
    expect(thread).toEqual({ messages: [inThread], more: false });
    const rootNow = (older['messages'] as ChatMessage[])[0];
    expect(rootNow?.reply_count).toBe(1);

    const found = await rpc(bob, 'chat.search', { room: 'general', text: 'LUNCH' });
    expect((found['messages'] as ChatMessage[]).map((x) => x.id)).toEqual([root.id]);
    await refused(bob, 'chat.history', { room: 'general', before: '1', after: '2' }, 'bad_request');
  });

  it('adds and removes members, lets a member leave, sets roles: owners only', async () => {
    const { alice, bob, node } = await general();
    const carol = await device(node, 'carol');
    await refused(bob, 'chat.addMembers', { room: 'general', users: ['carol'] }, 'forbidden');
    expect(
      await rpc(alice, 'chat.addMembers', { room: 'general', users: ['carol', 'bob'] }),
    ).toEqual({
      added: [{ user: 'carol', role: 'member', joined_at: anyTs }],
    });
    expect(await nextData(carol, 'user.carol.chat')).toMatchObject({
      type: 'chat.room_joined',
      role: 'member',
    });
    await eventsOn(alice, 'chat.general');

    const promoted = await rpc(alice, 'chat.setRole', {
      room: 'general',
      user: 'bob',
      role: 'owner',
    });
    expect(promoted).toMatchObject({ user: 'bob', role: 'owner' });
    expect(await nextData(alice, 'chat.general')).toEqual({
      type: 'chat.member_updated',
      room: 'general',
      member: promoted,
    });
    await refused(
      carol,
      'chat.setRole',
      { room: 'general', user: 'carol', role: 'owner' },
      'forbidden',
    );
    await refused(carol, 'chat.removeMember', { room: 'general', user: 'bob' }, 'forbidden');

    expect(await rpc(bob, 'chat.removeMember', { room: 'general', user: 'carol' })).toEqual({
      removed: true,
    });
    expect(await nextData(alice, 'chat.general')).toEqual({
      type: 'chat.member_left',
      room: 'general',
      user: 'carol',
    });
    expect(await nextData(carol, 'user.carol.chat')).toEqual({
      type: 'chat.room_left',
      room: 'general',
    });
    await refused(carol, 'chat.room', { room: 'general' }, 'not_found');

    expect(await rpc(alice, 'chat.leave', { room: 'general' })).toEqual({ left: true });
    expect(await nextOfType(bob, 'chat.general', 'chat.member_left')).toMatchObject({
      user: 'carol',
    });
    expect(await nextOfType(bob, 'chat.general', 'chat.member_left')).toEqual({
      type: 'chat.member_left',
      room: 'general',
      user: 'alice',
    });
    expect(await rpc(alice, 'chat.rooms')).toEqual({ rooms: [] });
    // The last owner cannot leave while others stay.
    await rpc(bob, 'chat.addMembers', { room: 'general', users: ['carol'] });
    await refused(bob, 'chat.leave', { room: 'general' }, 'conflict');
  });

  it('marks read: both devices of the reader get chat.unread, the room gets chat.read', async () => {
    const { node, alice, bob } = await general();
    const phone = await device(node, 'alice');
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three'])
      ids.push(message(await rpc(bob, 'chat.send', { room: 'general', text })).id);
    expect(await rpc(alice, 'chat.unread')).toEqual({ rooms: [{ room: 'general', count: 3 }] });
    await eventsOn(alice, 'user.alice.chat');
    await eventsOn(phone, 'user.alice.chat');

    expect(await rpc(alice, 'chat.markRead', { room: 'general', id: ids[1] })).toEqual({
      last_read: ids[1],
      unread: 1,
    });
    const unread = { type: 'chat.unread', room: 'general', count: 1, last_read: ids[1] };
    expect(await nextData(alice, 'user.alice.chat')).toEqual(unread);
    expect(await nextData(phone, 'user.alice.chat')).toEqual(unread);
    expect(
      (await eventsOn(bob, 'chat.general'))
        .map((e) => e.data)
        .filter((d) => {
          return (d as { type: string }).type === 'chat.read';
        }),
    ).toEqual([{ type: 'chat.read', room: 'general', user: 'alice', message_id: ids[1] }]);
    expect(await rpc(alice, 'chat.rooms')).toMatchObject({
      rooms: [{ role: 'owner', unread: 1, last_read: ids[1] }],
    });
    // An older id moves nothing and pushes nothing.
    expect(await rpc(alice, 'chat.markRead', { room: 'general', id: ids[0] })).toEqual({
      last_read: ids[1],
      unread: 1,
    });
    expect(await eventsOn(phone, 'user.alice.chat')).toEqual([]);
  });

  it('notifies each mentioned member once, not the sender, also across a resend', async () => {
    const { node, alice, bob } = await general();
    await rpc(alice, 'chat.addMembers', { room: 'general', users: ['carol'] });
    const inbox = await connectClient(
      node,
      { sub: 'carol', org: 'acme' },
      { subscriptions: ['user.carol.notifications'] },
    );
    const params = {
      room: 'general',
      text: '@carol @alice look',
      mentions: ['carol', 'bob'],
      client_id: 'm-1',
    };
    const m = message(await rpc(bob, 'chat.send', params));
    expect(m.mentions).toEqual(['carol', 'bob']);
    expect(await nextData(inbox, 'user.carol.notifications')).toEqual({
      type: 'notification.created',
      notification: {
        id: expect.any(String) as unknown,
        kind: 'chat.mention',
        title: 'bob mentioned you in #general',
        body: '@carol @alice look',
        data: { room: 'general', message_id: m.id },
        created_at: anyTs,
      },
    });
    expect((await rpc(bob, 'chat.send', params))['duplicate']).toBe(true);
    expect(await eventsOn(inbox, 'user.carol.notifications')).toEqual([]);
    expect(await rpc(inbox, 'notifications.unreadCount')).toEqual({ count: 1 });
    expect(await rpc(bob, 'notifications.unreadCount')).toEqual({ count: 0 });
    await refused(
      bob,
      'chat.send',
      { room: 'general', text: 'x', mentions: ['dave'] },
      'bad_request',
    );
  });

  it('keeps a profile time zone, checked against the IANA names', async () => {
    const node = await startChat(backend);
    const alice = await device(node, 'alice');
    expect(await rpc(alice, 'chat.profile')).toEqual({});
    expect(await rpc(alice, 'chat.profile', { time_zone: 'Europe/Berlin' })).toEqual({
      time_zone: 'Europe/Berlin',
    });
    expect(await rpc(alice, 'chat.profile', {})).toEqual({ time_zone: 'Europe/Berlin' });
    for (const bad of ['Mars/Olympus', '+01:00', '', 7, 'x'.repeat(65)])
      expect(await refused(alice, 'chat.profile', { time_zone: bad }, 'bad_request')).toContain(
        'time_zone',
      );
    expect(await rpc(alice, 'chat.profile', { time_zone: null })).toEqual({});
  });
});
