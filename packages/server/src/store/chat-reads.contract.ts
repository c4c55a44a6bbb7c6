/**
 * Part of the `ChatStore` contract (see `chat-store.contract.ts`): history paging, search, read
 * positions and unread counts, rooms of a user, profiles, tenant isolation, argument checks and
 * a closed store.
 */
import {
  CHAT_CLIENT_ID_MAX_CHARS,
  CHAT_MENTIONS_MAX,
  CHAT_TEXT_MAX_CHARS,
  CHAT_TITLE_MAX_CHARS,
} from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { chatSetup, expectCode } from './chat-kit.contract.js';
import { CHAT_HISTORY_LIMIT_MAX, type ChatStore } from './chat-store.js';
import { freshOrg, iso, START_MS, type StoreHarness } from './store-kit.contract.js';
import { StoreUnavailableError } from './store.js';

export function describeChatReads(harness: StoreHarness): void {
  const fresh = (options?: Parameters<typeof chatSetup>[1]) => chatSetup(harness, options);

  describe('history', () => {
    it('pages oldest first: the newest page, then before and after', async () => {
      const { chat, org, say } = await fresh();
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) ids.push(await say(i % 2 === 0 ? 'bob' : 'ann', `m${i}`));
      const page = (options: Parameters<ChatStore['history']>[3]) =>
        chat.history(org, 'general', 'cy', options).then((p) => ({
          texts: p.messages.map((m) => m.text),
          more: p.more,
        }));
      expect(await page({ limit: 2 })).toEqual({ texts: ['m4', 'm5'], more: true });
      expect(await page({ limit: 2, before: ids[3] })).toEqual({ texts: ['m2', 'm3'], more: true });
      expect(await page({ limit: 2, before: ids[1] })).toEqual({ texts: ['m1'], more: false });
      expect(await page({ limit: 2, after: ids[0] })).toEqual({ texts: ['m2', 'm3'], more: true });
      expect(await page({ limit: 2, after: ids[2] })).toEqual({ texts: ['m4', 'm5'], more: false });
      expect(await page({ limit: 5 })).toEqual({
        texts: ['m1', 'm2', 'm3', 'm4', 'm5'],
        more: false,
      });
      expect(await page({ limit: 5, after: ids[4] })).toEqual({ texts: [], more: false });
      // Bounds need not be ids of this room.
      expect(await page({ limit: 1, before: '999999999' })).toEqual({ texts: ['m5'], more: true });
    });

    it('lists a thread apart: without thread_id only messages not in a thread', async () => {
      const { chat, org, say } = await fresh();
      const root = await say('ann', 'root');
      await say('bob', 't1', { threadId: root });
      await say('ann', 'main');
      await say('cy', 't2', { threadId: root });
      const texts = async (threadId?: string) =>
        (
          await chat.history(org, 'general', 'bob', {
            limit: 10,
            ...(threadId === undefined ? {} : { threadId }),
          })
        ).messages.map((m) => m.text);
      expect(await texts()).toEqual(['root', 'main']);
      expect(await texts(root)).toEqual(['t1', 't2']);
      const last = await chat.history(org, 'general', 'bob', { limit: 1, threadId: root });
      expect(last.messages.map((m) => m.text)).toEqual(['t2']);
      expect(last.more).toBe(true);
    });

    it('refuses a stranger, a thread of another room, and bad paging', async () => {
      const { chat, org } = await fresh();
      await chat.createRoom(org, { room: 'other', owner: 'ann' });
      const other = (await chat.send(org, { room: 'other', user: 'ann', text: 'o' })).message;
      await expectCode(chat.history(org, 'general', 'eve', { limit: 5 }), 'not_found');
      await expectCode(
        chat.history(org, 'general', 'ann', { limit: 5, threadId: other.id }),
        'not_found',
      );
      await expectCode(
        chat.history(org, 'general', 'ann', { limit: 5, before: '2', after: '1' }),
        'bad_request',
        /before and after/,
      );
      for (const limit of [0, CHAT_HISTORY_LIMIT_MAX + 1, 1.5])
        await expectCode(chat.history(org, 'general', 'ann', { limit }), 'bad_request', /limit/);
      await expectCode(
        chat.history(org, 'general', 'ann', { limit: 5, before: '-1' }),
        'bad_request',
        /before/,
      );
    });
  });

  describe('search', () => {
    it('finds text case-insensitively, newest first, without deleted messages', async () => {
      const { chat, org, say } = await fresh();
      const a = await say('ann', 'Deploy at NOON');
      await say('bob', 'lunch');
      const c = await say('cy', 'the deploy failed');
      const gone = await say('bob', 'deploy again');
      await chat.delete(org, { room: 'general', user: 'bob', id: gone });
      const found = await chat.search(org, 'general', 'bob', 'DEPLOY', { limit: 10 });
      expect(found.messages.map((m) => m.id)).toEqual([c, a]);
      expect(found.more).toBe(false);
      const first = await chat.search(org, 'general', 'bob', 'deploy', { limit: 1 });
      expect(first.messages.map((m) => m.id)).toEqual([c]);
      expect(first.more).toBe(true);
      const next = await chat.search(org, 'general', 'bob', 'deploy', { limit: 1, before: c });
      expect(next.messages.map((m) => m.id)).toEqual([a]);
      expect(next.more).toBe(false);
    });

    it('takes LIKE wildcards and backslashes in the text literally', async () => {
      const { chat, org, say } = await fresh();
      await say('ann', 'up 100% today');
      await say('ann', 'up 1000 today');
      await say('ann', 'a_b and a\\b');
      await say('ann', 'axb');
      const texts = async (text: string) =>
        (await chat.search(org, 'general', 'ann', text, { limit: 10 })).messages.map((m) => m.text);
      expect(await texts('100%')).toEqual(['up 100% today']);
      expect(await texts('a_b')).toEqual(['a_b and a\\b']);
      expect(await texts('a\\b')).toEqual(['a_b and a\\b']);
      expect(await texts('%')).toEqual(['up 100% today']);
    });

    it('refuses a stranger and an empty text', async () => {
      const { chat, org } = await fresh();
      await expectCode(chat.search(org, 'general', 'eve', 'x', { limit: 5 }), 'not_found');
      await expectCode(chat.search(org, 'general', 'ann', '', { limit: 5 }), 'bad_request', /text/);
    });
  });

  describe('read positions', () => {
    it('moves forward only and counts messages of others that are not deleted', async () => {
      const { chat, org, say } = await fresh();
      const m1 = await say('ann', '1');
      const m2 = await say('bob', '2'); // bob's own: never unread for bob
      const m3 = await say('ann', '3');
      const m4 = await say('cy', '4');
      await chat.delete(org, { room: 'general', user: 'cy', id: m4 });
      const read = (id: string) => chat.markRead(org, { room: 'general', user: 'bob', id });
      expect(await read(m1)).toEqual({ last_read: m1, unread: 1, moved: true });
      expect(await read(m3)).toEqual({ last_read: m3, unread: 0, moved: true });
      expect(await read(m2)).toEqual({ last_read: m3, unread: 0, moved: false });
      expect(await read(m3)).toEqual({ last_read: m3, unread: 0, moved: false });
      expect((await chat.member(org, 'general', 'bob'))?.last_read).toBe(m3);
      expect((await chat.member(org, 'general', 'cy'))?.last_read).toBeUndefined();
    });

    it('refuses a stranger and a message of another room', async () => {
      const { chat, org, say } = await fresh();
      const id = await say('ann', 'x');
      await chat.createRoom(org, { room: 'other', owner: 'ann' });
      const other = (await chat.send(org, { room: 'other', user: 'ann', text: 'o' })).message;
      await expectCode(chat.markRead(org, { room: 'general', user: 'eve', id }), 'not_found');
      await expectCode(
        chat.markRead(org, { room: 'general', user: 'bob', id: other.id }),
        'not_found',
      );
    });

    it("lists a user's rooms by name with role, unread count and read position", async () => {
      const { chat, org, say } = await fresh();
      await chat.createRoom(org, { room: 'Zeta', owner: 'bob' });
      await chat.createRoom(org, { room: 'alpha', owner: 'cy', members: ['bob'] });
      await chat.createRoom(org, { room: 'secret', owner: 'cy' });
      const g1 = await say('ann', 'g1');
      await say('cy', 'g2');
      await say('bob', 'mine');
      await chat.send(org, { room: 'alpha', user: 'cy', text: 'a1' });
      await chat.markRead(org, { room: 'general', user: 'bob', id: g1 });
      const rooms = await chat.roomsOf(org, 'bob');
      expect(rooms.map((r) => [r.room.room, r.role, r.unread, r.last_read])).toEqual([
        ['Zeta', 'owner', 0, undefined],
        ['alpha', 'member', 1, undefined],
        ['general', 'member', 1, g1],
      ]);
      expect(rooms[0]?.room).toEqual({
        room: 'Zeta',
        created_by: 'bob',
        created_at: iso(START_MS),
      });
      expect(await chat.roomsOf(org, 'nobody')).toEqual([]);
    });
  });

  describe('profiles', () => {
    it('answers an empty profile until one is set', async () => {
      const { chat, org } = await fresh({ room: false });
      expect(await chat.profile(org, 'ann')).toEqual({});
      expect(await chat.setProfile(org, 'ann', { time_zone: 'Europe/Berlin' })).toEqual({
        time_zone: 'Europe/Berlin',
      });
      expect(await chat.profile(org, 'ann')).toEqual({ time_zone: 'Europe/Berlin' });
      expect(await chat.profile(org, 'bob')).toEqual({});
      expect(await chat.setProfile(org, 'ann', {})).toEqual({});
      expect(await chat.profile(org, 'ann')).toEqual({});
      await expectCode(chat.setProfile(org, 'ann', { time_zone: 'x'.repeat(65) }), 'bad_request');
    });
  });

  describe('tenant isolation', () => {
    it('keeps rooms of the same name in two orgs apart, ids counted per org', async () => {
      const { chat, org, say } = await fresh();
      const other = freshOrg();
      await chat.createRoom(other, { room: 'general', owner: 'eve' });
      const mine = await say('ann', 'mine');
      const theirs = (await chat.send(other, { room: 'general', user: 'eve', text: 'theirs' }))
        .message;
      expect(theirs.id).toBe(mine);
      expect((await chat.members(other, 'general')).map((m) => m.user)).toEqual(['eve']);
      expect(await chat.room(other, 'general', 'ann')).toBeUndefined();
      const page = await chat.history(org, 'general', 'ann', { limit: 10 });
      expect(page.messages.map((m) => m.text)).toEqual(['mine']);
      await expectCode(
        chat.edit(other, { room: 'general', user: 'ann', id: mine, text: 'x' }),
        'not_found',
      );
      await chat.setProfile(other, 'ann', { time_zone: 'UTC' });
      expect(await chat.profile(org, 'ann')).toEqual({});
      expect(await chat.roomsOf(other, 'ann')).toEqual([]);
    });
  });

  describe('argument checks', () => {
    it('refuses names that are not channel segments, naming the field', async () => {
      const { chat, org } = await fresh();
      for (const room of ['', 'a.b', 'a b', 'x'.repeat(65), 'chat>'])
        await expectCode(chat.createRoom(org, { room, owner: 'ann' }), 'bad_request', /room/);
      await expectCode(chat.createRoom(org, { room: 'r', owner: 'a.b' }), 'bad_request', /user/);
      await expectCode(
        chat.createRoom(org, { room: 'r', owner: 'ann', members: ['ok', '*'] }),
        'bad_request',
        /members\[1\]/,
      );
      await expectCode(chat.addMembers(org, 'general', ['x y'], 'ann'), 'bad_request', /users/);
      await expectCode(chat.member(org, 'general', 'a>b'), 'bad_request', /user/);
      await expectCode(chat.roomsOf(org, ''), 'bad_request', /user/);
      await expectCode(chat.profile(org, 'a.b'), 'bad_request', /user/);
      expect(await chat.room(org, 'r')).toBeUndefined();
    });

    it('refuses text, title, client_id and mentions past their limits', async () => {
      const { chat, org } = await fresh();
      const send = { room: 'general', user: 'ann' };
      const long = 'x'.repeat(CHAT_TEXT_MAX_CHARS + 1);
      await expectCode(chat.send(org, { ...send, text: long }), 'bad_request', /text/);
      await expectCode(chat.send(org, { ...send, text: '' }), 'bad_request', /text/);
      await expectCode(chat.send(org, { ...send, text: 'a\u0000b' }), 'bad_request', /text/);
      await expectCode(
        chat.send(org, { ...send, text: 'x', clientId: 'c'.repeat(CHAT_CLIENT_ID_MAX_CHARS + 1) }),
        'bad_request',
        /client_id/,
      );
      const many = Array.from({ length: CHAT_MENTIONS_MAX + 1 }, (_, i) => `u${i}`);
      await expectCode(
        chat.send(org, { ...send, text: 'x', mentions: many }),
        'bad_request',
        /mentions/,
      );
      await expectCode(
        chat.createRoom(org, { room: 'r', title: 't'.repeat(CHAT_TITLE_MAX_CHARS + 1) }),
        'bad_request',
        /title/,
      );
      const id = (await chat.send(org, { ...send, text: 'ok' })).message.id;
      await expectCode(chat.edit(org, { ...send, id, text: long }), 'bad_request', /text/);
      expect((await chat.message(org, { ...send, id })).text).toBe('ok');
      expect(
        (await chat.send(org, { ...send, text: 'x'.repeat(CHAT_TEXT_MAX_CHARS) })).message.text,
      ).toHaveLength(CHAT_TEXT_MAX_CHARS);
    });

    it('refuses malformed message ids', async () => {
      const { chat, org } = await fresh();
      for (const id of ['', 'x', '01', '-1', '1.5', '99999999999999999999'])
        await expectCode(
          chat.message(org, { room: 'general', user: 'ann', id }),
          'bad_request',
          /id/,
        );
    });
  });

  describe('lifecycle', () => {
    it('rejects every call with StoreUnavailableError once closed', async () => {
      const { chat, org, store } = await fresh({ own: true });
      await store.close();
      const ref = { room: 'general', user: 'ann', id: '1' };
      const calls: Promise<unknown>[] = [
        chat.createRoom(org, { room: 'r', owner: 'ann' }),
        chat.room(org, 'general'),
        chat.member(org, 'general', 'ann'),
        chat.members(org, 'general'),
        chat.addMembers(org, 'general', ['dan']),
        chat.removeMember(org, 'general', 'bob'),
        chat.setRole(org, 'general', 'bob', 'owner'),
        chat.roomsOf(org, 'ann'),
        chat.send(org, { room: 'general', user: 'ann', text: 'x' }),
        chat.edit(org, { ...ref, text: 'y' }),
        chat.delete(org, ref),
        chat.react(org, { ...ref, emoji: 'x' }),
        chat.pin(org, ref, true),
        chat.pinned(org, 'general', 'ann'),
        chat.message(org, ref),
        chat.history(org, 'general', 'ann', { limit: 5 }),
        chat.search(org, 'general', 'ann', 'x', { limit: 5 }),
        chat.markRead(org, ref),
        chat.profile(org, 'ann'),
        chat.setProfile(org, 'ann', {}),
      ];
      for (const call of calls) await expect(call).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
}
