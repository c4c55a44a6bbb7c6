/**
 * The contract every `ChatStore` passes (STYLE rule 2): rooms and membership, sending, editing,
 * deleting, reactions and pins here; reads, validation and the lifecycle in
 * `chat-reads.contract.ts`; the outbox pushes of each change in `chat-outbox.contract.ts`. A
 * `*.test.ts` per backend calls `describeChatStore(name, newTarget)`; never run on its own.
 *
 * Tests share one target and keep apart by fresh orgs (store-kit.contract.ts). In most, ann
 * owns the room 'general' and bob and cy are members.
 */
import { CHAT_EMOJI_MAX_CHARS, CHAT_EXCERPT_CHARS, type ChatMessage } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { describeChatOutbox } from './chat-outbox.contract.js';
import { describeChatReads } from './chat-reads.contract.js';
import { CHAT_EMOJI_PER_MESSAGE_MAX } from './chat-checks.js';
import { chatSetup, expectCode } from './chat-kit.contract.js';
import { iso, START_MS, useStoreHarness, type StoreTargetFactory } from './store-kit.contract.js';

export function describeChatStore(name: string, newTarget: StoreTargetFactory): void {
  describe(`ChatStore contract: ${name}`, () => {
    const harness = useStoreHarness(newTarget);
    const fresh = (options?: Parameters<typeof chatSetup>[1]) => chatSetup(harness, options);

    describe('rooms and members', () => {
      it('creates a room with its owner first, then its members, by join order', async () => {
        const { chat, org } = await fresh({ room: false });
        const room = await chat.createRoom(org, {
          room: 'general',
          title: 'General',
          owner: 'ann',
          members: ['bob', 'ann', 'cy', 'bob'],
        });
        expect(room).toEqual({
          room: 'general',
          title: 'General',
          created_by: 'ann',
          created_at: iso(START_MS),
        });
        const joined = { joined_at: iso(START_MS) };
        expect(await chat.members(org, 'general', 'bob')).toEqual([
          { user: 'ann', role: 'owner', ...joined },
          { user: 'bob', role: 'member', ...joined },
          { user: 'cy', role: 'member', ...joined },
        ]);
        expect(await chat.room(org, 'general', 'cy')).toEqual(room);
        expect(await chat.room(org, 'general')).toEqual(room);
        expect(await chat.member(org, 'general', 'ann')).toEqual({
          user: 'ann',
          role: 'owner',
          ...joined,
        });
      });

      it('lets the HTTP API create a room without an owner', async () => {
        const { chat, org } = await fresh({ room: false });
        const room = await chat.createRoom(org, { room: 'ops', members: ['dan'] });
        expect(room).toEqual({ room: 'ops', created_by: '', created_at: iso(START_MS) });
        expect((await chat.members(org, 'ops')).map((m) => [m.user, m.role])).toEqual([
          ['dan', 'member'],
        ]);
      });

      it('refuses a taken name with conflict, keeping the first room', async () => {
        const { chat, org } = await fresh();
        await expectCode(chat.createRoom(org, { room: 'general', owner: 'eve' }), 'conflict');
        expect(await chat.member(org, 'general', 'eve')).toBeUndefined();
        expect((await chat.room(org, 'general'))?.created_by).toBe('ann');
      });

      it('hides a room from a non-member as if it did not exist', async () => {
        const { chat, org } = await fresh();
        expect(await chat.room(org, 'general', 'eve')).toBeUndefined();
        expect(await chat.member(org, 'general', 'eve')).toBeUndefined();
        expect(await chat.room(org, 'nowhere')).toBeUndefined();
        await expectCode(chat.members(org, 'general', 'eve'), 'not_found');
        await expectCode(chat.members(org, 'nowhere'), 'not_found');
      });

      it('lets an owner add members, answering only the new ones', async () => {
        const { chat, org, advanceMs } = await fresh();
        advanceMs(1000);
        const added = await chat.addMembers(org, 'general', ['dan', 'bob', 'dan'], 'ann');
        expect(added).toEqual([{ user: 'dan', role: 'member', joined_at: iso(START_MS + 1000) }]);
        expect((await chat.member(org, 'general', 'bob'))?.joined_at).toBe(iso(START_MS));
        expect(await chat.addMembers(org, 'general', ['eve'])).toHaveLength(1); // the HTTP API
        expect((await chat.members(org, 'general')).map((m) => m.user)).toEqual([
          'ann',
          'bob',
          'cy',
          'dan',
          'eve',
        ]);
      });

      it('refuses adding by a plain member (forbidden) or a stranger (not_found)', async () => {
        const { chat, org } = await fresh();
        await expectCode(chat.addMembers(org, 'general', ['dan'], 'bob'), 'forbidden', /owner/);
        await expectCode(chat.addMembers(org, 'general', ['dan'], 'eve'), 'not_found');
        await expectCode(chat.addMembers(org, 'nowhere', ['dan']), 'not_found');
        expect(await chat.member(org, 'general', 'dan')).toBeUndefined();
      });

      it('lets a member leave and an owner remove a member', async () => {
        const { chat, org } = await fresh();
        expect(await chat.removeMember(org, 'general', 'bob', 'bob')).toBe(true);
        expect(await chat.room(org, 'general', 'bob')).toBeUndefined();
        expect(await chat.removeMember(org, 'general', 'cy', 'ann')).toBe(true);
        expect(await chat.removeMember(org, 'general', 'cy', 'ann')).toBe(false);
        expect(await chat.removeMember(org, 'general', 'zed')).toBe(false);
        expect((await chat.members(org, 'general')).map((m) => m.user)).toEqual(['ann']);
      });

      it('refuses removing another member unless an owner asks', async () => {
        const { chat, org } = await fresh();
        await expectCode(chat.removeMember(org, 'general', 'cy', 'bob'), 'forbidden');
        await expectCode(chat.removeMember(org, 'general', 'cy', 'eve'), 'not_found');
        await expectCode(chat.removeMember(org, 'general', 'eve', 'eve'), 'not_found');
        await expectCode(chat.removeMember(org, 'nowhere', 'cy'), 'not_found');
        expect(await chat.member(org, 'general', 'cy')).toBeDefined();
      });

      it('keeps the last owner while other members stay (conflict), not once alone', async () => {
        const { chat, org } = await fresh({ members: ['bob'] });
        await expectCode(chat.removeMember(org, 'general', 'ann', 'ann'), 'conflict', /owner/);
        await expectCode(chat.removeMember(org, 'general', 'ann'), 'conflict');
        await chat.setRole(org, 'general', 'bob', 'owner', 'ann');
        expect(await chat.removeMember(org, 'general', 'ann', 'ann')).toBe(true);
        expect(await chat.removeMember(org, 'general', 'bob', 'bob')).toBe(true);
        expect(await chat.members(org, 'general')).toEqual([]);
      });

      it('sets roles by an owner only; the last owner cannot step down', async () => {
        const { chat, org } = await fresh();
        await expectCode(chat.setRole(org, 'general', 'ann', 'member', 'ann'), 'conflict');
        await expectCode(chat.setRole(org, 'general', 'cy', 'owner', 'bob'), 'forbidden');
        await expectCode(chat.setRole(org, 'general', 'cy', 'owner', 'eve'), 'not_found');
        await expectCode(chat.setRole(org, 'general', 'eve', 'owner', 'ann'), 'not_found');
        const bob = await chat.setRole(org, 'general', 'bob', 'owner', 'ann');
        expect(bob).toEqual({ user: 'bob', role: 'owner', joined_at: iso(START_MS) });
        expect(await chat.setRole(org, 'general', 'ann', 'member', 'ann')).toMatchObject({
          role: 'member',
        });
        expect((await chat.member(org, 'general', 'ann'))?.role).toBe('member');
      });
    });

    describe('send', () => {
      it('stores the message with the fields given', async () => {
        const { chat, org } = await fresh();
        const { message, duplicate } = await chat.send(org, {
          room: 'general',
          user: 'bob',
          text: 'Hello @ann',
          data: { file: 'a.png', size: [1, null] },
          clientId: 'c-1',
          mentions: ['ann', 'ann', 'cy'],
        });
        expect(duplicate).toBe(false);
        expect(message).toEqual({
          id: message.id,
          room: 'general',
          user: 'bob',
          text: 'Hello @ann',
          data: { file: 'a.png', size: [1, null] },
          client_id: 'c-1',
          reply_count: 0,
          mentions: ['ann', 'cy'],
          reactions: {},
          version: 1,
          created_at: iso(START_MS),
        } satisfies ChatMessage);
        expect(message.id).toMatch(/^[1-9][0-9]*$/);
        expect(await chat.message(org, { room: 'general', user: 'cy', id: message.id })).toEqual(
          message,
        );
      });

      it('gives newer messages larger ids, and accepts empty text with data', async () => {
        const { chat, org, say } = await fresh();
        const first = await say('ann', 'one');
        const { message } = await chat.send(org, {
          room: 'general',
          user: 'bob',
          text: '',
          data: null,
        });
        expect(Number(message.id)).toBeGreaterThan(Number(first));
        expect(message).toMatchObject({ text: '', data: null });
      });

      it('refuses a non-member (not_found) and a mention of a non-member (bad_request)', async () => {
        const { chat, org } = await fresh();
        const send = { room: 'general', text: 'x' };
        await expectCode(chat.send(org, { ...send, user: 'eve' }), 'not_found');
        await expectCode(chat.send(org, { ...send, room: 'nowhere', user: 'ann' }), 'not_found');
        await expectCode(
          chat.send(org, { ...send, user: 'ann', mentions: ['bob', 'eve'] }),
          'bad_request',
          /mentions.*eve/,
        );
        expect((await chat.history(org, 'general', 'ann', { limit: 10 })).messages).toEqual([]);
      });

      it('answers a repeated client_id with the first message and writes nothing', async () => {
        const { chat, org, store } = await fresh();
        const send = { room: 'general', user: 'bob', text: 'once', clientId: 'k' };
        const first = await chat.send(org, send);
        const pushes = (await store.notifications.pendingPushes(10_000)).length;
        const again = await chat.send(org, { ...send, text: 'twice' });
        expect(again).toEqual({ message: first.message, duplicate: true });
        expect((await store.notifications.pendingPushes(10_000)).length).toBe(pushes);
        // Another sender, or another room, with the same client id is a new message.
        expect((await chat.send(org, { ...send, user: 'cy' })).duplicate).toBe(false);
        await chat.createRoom(org, { room: 'other', owner: 'bob' });
        expect((await chat.send(org, { ...send, room: 'other' })).duplicate).toBe(false);
        const { messages } = await chat.history(org, 'general', 'ann', { limit: 10 });
        expect(messages.map((m) => [m.user, m.text])).toEqual([
          ['bob', 'once'],
          ['cy', 'once'],
        ]);
      });

      it('copies the parent author and an excerpt into reply_to', async () => {
        const { chat, org, say } = await fresh();
        const long = 'x'.repeat(CHAT_EXCERPT_CHARS - 1) + '😀 and more';
        const parent = await say('ann', long);
        const { message } = await chat.send(org, {
          room: 'general',
          user: 'bob',
          text: 'yes',
          replyTo: parent,
        });
        // The cut falls inside the emoji's surrogate pair, so it ends before it.
        expect(message.reply_to).toEqual({
          id: parent,
          user: 'ann',
          excerpt: 'x'.repeat(CHAT_EXCERPT_CHARS - 1),
        });
        const short = await say('cy', 'short');
        const reply = await chat.send(org, {
          room: 'general',
          user: 'ann',
          text: 'r',
          replyTo: short,
        });
        expect(reply.message.reply_to).toEqual({ id: short, user: 'cy', excerpt: 'short' });
      });

      it('refuses a reply_to or thread_id outside the room', async () => {
        const { chat, org, say } = await fresh();
        await chat.createRoom(org, { room: 'other', owner: 'ann' });
        const elsewhere = (await chat.send(org, { room: 'other', user: 'ann', text: 'o' })).message;
        const send = { room: 'general', user: 'ann', text: 'x' };
        await expectCode(
          chat.send(org, { ...send, replyTo: elsewhere.id }),
          'not_found',
          /reply_to/,
        );
        await expectCode(
          chat.send(org, { ...send, threadId: elsewhere.id }),
          'not_found',
          /thread/,
        );
        await expectCode(chat.send(org, { ...send, replyTo: '999999' }), 'not_found');
        await expectCode(chat.send(org, { ...send, replyTo: 'abc' }), 'bad_request', /reply_to/);
        await expectCode(chat.send(org, { ...send, threadId: '01' }), 'bad_request', /thread_id/);
        await say('ann', 'still works');
      });

      it('counts thread replies on the root, and threads do not nest', async () => {
        const { chat, org, say } = await fresh();
        const root = await say('ann', 'topic');
        const reply = await say('bob', 'first', { threadId: root });
        await say('cy', 'second', { threadId: root });
        expect(await chat.message(org, { room: 'general', user: 'ann', id: root })).toMatchObject({
          reply_count: 2,
          version: 3,
        });
        const replyMsg = await chat.message(org, { room: 'general', user: 'ann', id: reply });
        expect(replyMsg).toMatchObject({ thread_id: root, reply_count: 0, version: 1 });
        await expectCode(
          chat.send(org, { room: 'general', user: 'ann', text: 'x', threadId: reply }),
          'bad_request',
          /thread_id/,
        );
      });
    });

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
        await expectCode(
          react('ann', 'x'.repeat(CHAT_EMOJI_MAX_CHARS + 1)),
          'bad_request',
          /emoji/,
        );
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

    describeChatReads(harness);
    describeChatOutbox(harness);
  });
}
