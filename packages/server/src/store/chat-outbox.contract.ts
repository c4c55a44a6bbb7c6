/**
 * Part of the `ChatStore` contract (see `chat-store.contract.ts`): the exact pushes each change
 * writes into the outbox, in order, and that refusals and no-op changes write none.
 */
import type { ChatMessage } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { chatSetup, expectCode, outboxOf } from './chat-kit.contract.js';
import { iso, START_MS, type StoreHarness } from './store-kit.contract.js';

const joined = iso(START_MS);
const room = { room: 'general', created_by: 'ann', created_at: joined };

export function describeChatOutbox(harness: StoreHarness): void {
  describe('outbox pushes', () => {
    /** A fresh org without a room, with the outbox emptied of earlier tests' pushes. */
    async function start() {
      const s = await chatSetup(harness, { room: false });
      const outbox = outboxOf(s.store);
      await outbox.clear();
      return { ...s, take: () => outbox.take(s.org) };
    }

    it('createRoom: member_joined and room_joined for each member, in join order', async () => {
      const { chat, org, take } = await start();
      await chat.createRoom(org, { room: 'general', owner: 'ann', members: ['bob'] });
      expect(await take()).toEqual([
        [
          'chat.general',
          {
            type: 'chat.member_joined',
            room: 'general',
            member: { user: 'ann', role: 'owner', joined_at: joined },
          },
        ],
        ['user.ann.chat', { type: 'chat.room_joined', room, role: 'owner' }],
        [
          'chat.general',
          {
            type: 'chat.member_joined',
            room: 'general',
            member: { user: 'bob', role: 'member', joined_at: joined },
          },
        ],
        ['user.bob.chat', { type: 'chat.room_joined', room, role: 'member' }],
      ]);
      expect(await take()).toEqual([]);
    });

    it('membership: joins, leaves and role changes', async () => {
      const { chat, org, take } = await start();
      await chat.createRoom(org, { room: 'general', owner: 'ann' });
      await take();
      await chat.addMembers(org, 'general', ['bob', 'ann'], 'ann');
      await chat.setRole(org, 'general', 'bob', 'owner', 'ann');
      await chat.setRole(org, 'general', 'bob', 'owner', 'ann'); // unchanged: no push
      await chat.removeMember(org, 'general', 'ann', 'ann');
      await chat.removeMember(org, 'general', 'ann', 'bob'); // not a member: no push
      const bob = { user: 'bob', joined_at: joined };
      expect(await take()).toEqual([
        [
          'chat.general',
          { type: 'chat.member_joined', room: 'general', member: { ...bob, role: 'member' } },
        ],
        ['user.bob.chat', { type: 'chat.room_joined', room, role: 'member' }],
        [
          'chat.general',
          { type: 'chat.member_updated', room: 'general', member: { ...bob, role: 'owner' } },
        ],
        ['chat.general', { type: 'chat.member_left', room: 'general', user: 'ann' }],
        ['user.ann.chat', { type: 'chat.room_left', room: 'general' }],
      ]);
    });

    it('messages: each change pushes the message as it is now', async () => {
      const { chat, org, take } = await start();
      await chat.createRoom(org, { room: 'general', owner: 'ann', members: ['bob'] });
      const ref = (id: string, user = 'ann') => ({ room: 'general', user, id });
      const root = (await chat.send(org, { room: 'general', user: 'ann', text: 'root' })).message;
      await take();
      const reply = (
        await chat.send(org, { room: 'general', user: 'bob', text: 'r', threadId: root.id })
      ).message;
      const rootAfterReply = await chat.message(org, ref(root.id));
      expect(await take()).toEqual([
        ['chat.general', { type: 'chat.message', message: reply }],
        [
          'chat.general',
          { type: 'chat.message_updated', change: 'reply_count', message: rootAfterReply },
        ],
      ]);
      const steps: [string, () => Promise<ChatMessage>][] = [
        ['edited', () => chat.edit(org, { ...ref(root.id), text: 'root!' })],
        ['reaction', async () => (await chat.react(org, { ...ref(root.id), emoji: 'x' })).message],
        ['pinned', () => chat.pin(org, ref(root.id), true)],
        ['unpinned', () => chat.pin(org, ref(root.id), false)],
      ];
      for (const [change, step] of steps) {
        const message = await step();
        expect(await take()).toEqual([
          ['chat.general', { type: 'chat.message_updated', change, message }],
        ]);
      }
      const tomb = await chat.delete(org, ref(reply.id, 'bob'));
      const rootAfterDelete = await chat.message(org, ref(root.id));
      expect(rootAfterDelete.reply_count).toBe(0);
      expect(await take()).toEqual([
        ['chat.general', { type: 'chat.message_updated', change: 'deleted', message: tomb }],
        [
          'chat.general',
          { type: 'chat.message_updated', change: 'reply_count', message: rootAfterDelete },
        ],
      ]);
      // Changes that change nothing push nothing.
      await chat.delete(org, ref(reply.id, 'bob'));
      await chat.pin(org, ref(root.id), false);
      await chat.send(org, { room: 'general', user: 'ann', text: 'k', clientId: 'c' });
      await take();
      await chat.send(org, { room: 'general', user: 'ann', text: 'k', clientId: 'c' });
      expect(await take()).toEqual([]);
    });

    it('markRead: read on the room and the new count on the reader channel, when it moves', async () => {
      const { chat, org, take } = await start();
      await chat.createRoom(org, { room: 'general', owner: 'ann', members: ['bob'] });
      const send = (text: string) => chat.send(org, { room: 'general', user: 'ann', text });
      const m1 = (await send('1')).message.id;
      const m2 = (await send('2')).message.id;
      await take();
      await chat.markRead(org, { room: 'general', user: 'bob', id: m1 });
      await chat.markRead(org, { room: 'general', user: 'bob', id: m1 }); // not moved: no push
      expect(await take()).toEqual([
        ['chat.general', { type: 'chat.read', room: 'general', user: 'bob', message_id: m1 }],
        ['user.bob.chat', { type: 'chat.unread', room: 'general', count: 1, last_read: m1 }],
      ]);
      expect(m2).not.toBe(m1);
    });

    it('refusals push nothing', async () => {
      const { chat, org, take } = await start();
      await chat.createRoom(org, { room: 'general', owner: 'ann', members: ['bob'] });
      const id = (await chat.send(org, { room: 'general', user: 'bob', text: 'b' })).message.id;
      await take();
      await expectCode(chat.createRoom(org, { room: 'general', owner: 'bob' }), 'conflict');
      await expectCode(chat.addMembers(org, 'general', ['cy'], 'bob'), 'forbidden');
      await expectCode(chat.removeMember(org, 'general', 'ann', 'ann'), 'conflict');
      await expectCode(
        chat.send(org, { room: 'general', user: 'bob', text: 'x', mentions: ['zed'] }),
        'bad_request',
      );
      await expectCode(
        chat.edit(org, { room: 'general', user: 'ann', id, text: 'x' }),
        'forbidden',
      );
      await expectCode(chat.markRead(org, { room: 'general', user: 'zed', id }), 'not_found');
      expect(await take()).toEqual([]);
    });
  });
}
