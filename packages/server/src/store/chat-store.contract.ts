/**
 * The contract every `ChatStore` passes (STYLE rule 2): rooms, membership and sending here;
 * edits, deletes, reactions and pins in `chat-changes.contract.ts`; reads, validation and the
 * lifecycle in `chat-reads.contract.ts`; the outbox pushes of each change in
 * `chat-outbox.contract.ts`. A `*.test.ts` per backend calls `describeChatStore(name, newTarget)`; never run on its own.
 *
 * Tests share one target and keep apart by fresh orgs (store-kit.contract.ts). In most, ann
 * owns the room 'general' and bob and cy are members.
 */
import { CHAT_EXCERPT_CHARS, type ChatMessage } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { describeChatChanges } from './chat-changes.contract.js';
import { describeChatOutbox } from './chat-outbox.contract.js';
import { describeChatReads } from './chat-reads.contract.js';
import { describeChatSearch } from './chat-search.contract.js';
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

    describeChatChanges(harness);
    describeChatReads(harness);
    describeChatSearch(harness);
    describeChatOutbox(harness);
  });
}
