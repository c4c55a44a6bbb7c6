/**
 * Part of the `ChatStore` contract (see `chat-store.contract.ts`): editing, deleting (tombstones,
 * thread counts, replies to a deleted parent), reactions and pins.
 */
import { CHAT_EMOJI_MAX_CHARS, type ChatMessage } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { CHAT_EMOJI_PER_MESSAGE_MAX } from './chat-checks.js';
import { chatSetup, expectCode } from './chat-kit.contract.js';
import { iso, START_MS, type StoreHarness } from './store-kit.contract.js';

export function describeChatChanges(harness: StoreHarness): void {
  const fresh = (options?: Parameters<typeof chatSetup>[1]) => chatSetup(harness, options);

  describe('edit and delete', () => {
    it('lets the author edit: new text, edited_at, version + 1; data replaced or kept', async () => {
      const { chat, org, advanceMs, say } = await fresh();
      const id = await say('bob', 'draft', { data: { a: 1 } });
      advanceMs(5000);
      const edited = await chat.edit(org, { room: 'general', user: 'bob', id, text: 'final' });
      expect(edited).toMatchObject({
        text: 'final',
        data: { a: 1 },
        version: 2,
        created_at: iso(START_MS),
        edited_at: iso(START_MS + 5000),
      });
      const nulled = await chat.edit(org, {
        room: 'general',
        user: 'bob',
        id,
        text: 'final',
        data: null,
      });
      expect(nulled).toMatchObject({ data: null, version: 3 });
      expect(await chat.message(org, { room: 'general', user: 'ann', id })).toEqual(nulled);
    });

    it('refuses an edit by anyone but the author, and of a deleted message', async () => {
      const { chat, org, say } = await fresh();
      const id = await say('bob', 'mine');
      const edit = { room: 'general', id, text: 'hacked' };
      await expectCode(chat.edit(org, { ...edit, user: 'ann' }), 'forbidden', /author/);
      await expectCode(chat.edit(org, { ...edit, user: 'eve' }), 'not_found');
      await expectCode(chat.edit(org, { ...edit, user: 'bob', id: '999999' }), 'not_found');
      await chat.delete(org, { room: 'general', user: 'bob', id });
      await expectCode(chat.edit(org, { ...edit, user: 'bob' }), 'conflict');
    });

    it('leaves a tombstone that history still lists; deleting twice changes nothing', async () => {
      const { chat, org, advanceMs, say } = await fresh();
      const id = await say('bob', 'oops', { data: { x: 1 }, mentions: ['cy'], clientId: 'c' });
      await chat.react(org, { room: 'general', user: 'cy', id, emoji: '👍' });
      await chat.pin(org, { room: 'general', user: 'cy', id }, true);
      advanceMs(1000);
      const tomb = await chat.delete(org, { room: 'general', user: 'bob', id });
      expect(tomb).toEqual({
        id,
        room: 'general',
        user: 'bob',
        text: '',
        client_id: 'c',
        reply_count: 0,
        reactions: {},
        version: 4,
        created_at: iso(START_MS),
        deleted_at: iso(START_MS + 1000),
      } satisfies ChatMessage);
      advanceMs(1000);
      expect(await chat.delete(org, { room: 'general', user: 'bob', id })).toEqual(tomb);
      const { messages } = await chat.history(org, 'general', 'ann', { limit: 10 });
      expect(messages).toEqual([tomb]);
      expect(await chat.pinned(org, 'general', 'ann')).toEqual([]);
    });

    it('lets an owner delete any message; a plain member only their own', async () => {
      const { chat, org, say } = await fresh();
      const bobs = await say('bob', 'b');
      await expectCode(
        chat.delete(org, { room: 'general', user: 'cy', id: bobs }),
        'forbidden',
        /author or an owner/,
      );
      await expectCode(chat.delete(org, { room: 'general', user: 'eve', id: bobs }), 'not_found');
      expect((await chat.delete(org, { room: 'general', user: 'ann', id: bobs })).text).toBe('');
    });

    it('lowers the root reply_count and marks replies to a deleted parent', async () => {
      const { chat, org, say } = await fresh();
      const root = await say('ann', 'topic');
      const inThread = await say('bob', 'in thread', { threadId: root });
      const answer = await say('cy', 'answer', { replyTo: inThread });
      await chat.delete(org, { room: 'general', user: 'bob', id: inThread });
      expect(await chat.message(org, { room: 'general', user: 'ann', id: root })).toMatchObject({
        reply_count: 0,
        version: 3,
      });
      const reply = await chat.message(org, { room: 'general', user: 'ann', id: answer });
      expect(reply.reply_to).toEqual({ id: inThread, user: 'bob', excerpt: '', deleted: true });
      // A reply sent after the deletion says so too.
      const late = await say('ann', 'late', { replyTo: inThread });
      expect(
        (await chat.message(org, { room: 'general', user: 'ann', id: late })).reply_to,
      ).toEqual({ id: inThread, user: 'bob', excerpt: '', deleted: true });
    });
  });

  describe('reactions and pins', () => {
    it('toggles each user reaction, users sorted, an emptied emoji removed', async () => {
      const { chat, org, say } = await fresh();
      const id = await say('ann', 'vote');
      const react = (user: string, emoji: string) =>
        chat.react(org, { room: 'general', user, id, emoji });
      expect((await react('cy', '👍')).added).toBe(true);
      await react('bob', '👍');
      const third = await react('ann', '🎉');
      expect(third.message.reactions).toEqual({ '👍': ['bob', 'cy'], '🎉': ['ann'] });
      expect(third.message.version).toBe(4);
      const off = await react('ann', '🎉');
      expect(off.added).toBe(false);
      expect(off.message.reactions).toEqual({ '👍': ['bob', 'cy'] });
      expect((await chat.message(org, { room: 'general', user: 'bob', id })).reactions).toEqual({
        '👍': ['bob', 'cy'],
      });
      await expectCode(react('eve', '👍'), 'not_found');
      await expectCode(react('ann', ''), 'bad_request', /emoji/);
      await expectCode(react('ann', 'x'.repeat(CHAT_EMOJI_MAX_CHARS + 1)), 'bad_request', /emoji/);
      await chat.delete(org, { room: 'general', user: 'ann', id });
      await expectCode(react('ann', '👍'), 'conflict');
    });

    it(`caps a message at ${CHAT_EMOJI_PER_MESSAGE_MAX} different emoji`, async () => {
      const { chat, org, say } = await fresh();
      const id = await say('ann', 'many');
      for (let i = 0; i < CHAT_EMOJI_PER_MESSAGE_MAX; i++)
        await chat.react(org, { room: 'general', user: 'bob', id, emoji: `e${i}` });
      await expectCode(
        chat.react(org, { room: 'general', user: 'bob', id, emoji: 'one-more' }),
        'limit_exceeded',
      );
      // A known emoji still takes more users.
      const { message } = await chat.react(org, { room: 'general', user: 'cy', id, emoji: 'e0' });
      expect(message.reactions['e0']).toEqual(['bob', 'cy']);
    });

    it('pins and unpins; the pinned list is most recently pinned first', async () => {
      const { chat, org, advanceMs, say } = await fresh();
      const [a, b, c] = [await say('ann', 'a'), await say('bob', 'b'), await say('cy', 'c')];
      const pin = (id: string, pinned = true, user = 'bob') =>
        chat.pin(org, { room: 'general', user, id }, pinned);
      advanceMs(1000);
      const pinnedB = await pin(b);
      expect(pinnedB).toMatchObject({
        pinned_at: iso(START_MS + 1000),
        pinned_by: 'bob',
        version: 2,
      });
      await pin(a, true, 'cy');
      await pin(c);
      expect(await pin(b)).toEqual(pinnedB); // pinned already: unchanged
      const list = await chat.pinned(org, 'general', 'ann');
      expect(list.map((m) => m.text)).toEqual(['c', 'a', 'b']);
      const unpinned = await pin(a, false);
      expect(unpinned.version).toBe(3);
      expect(unpinned.pinned_at).toBeUndefined();
      expect(unpinned.pinned_by).toBeUndefined();
      expect(await pin(a, false)).toEqual(unpinned);
      expect((await chat.pinned(org, 'general', 'cy')).map((m) => m.text)).toEqual(['c', 'b']);
      await expectCode(chat.pinned(org, 'general', 'eve'), 'not_found');
      await expectCode(pin(a, true, 'eve'), 'not_found');
    });
  });
}
