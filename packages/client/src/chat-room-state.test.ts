import type { ChatMessage } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import {
  TYPING_TTL_MS,
  applyPinChange,
  applyRoomEvent,
  compareIds,
  emptyRoomState,
  expireTyping,
  noteTyping,
  trimOldest,
  upsertMessage,
} from './chat-room-state.js';

const msg = (id: string, over: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  room: 'r',
  user: 'u',
  text: `t${id}`,
  reply_count: 0,
  reactions: {},
  version: 1,
  created_at: '2026-12-03T12:00:00.000Z',
  ...over,
});

describe('compareIds', () => {
  it.each([
    ['1', '2', -1],
    ['10', '9', 1], // decimal, not text order
    ['42', '42', 0],
    ['100', '99', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareIds(a, b))).toBe(sign);
  });
});

describe('upsertMessage', () => {
  it.each<[string, ChatMessage[], ChatMessage, string | undefined, boolean, string[]]>([
    ['into an empty list', [], msg('5'), undefined, true, ['5']],
    ['in id order', [msg('2'), msg('10')], msg('9'), undefined, true, ['2', '9', '10']],
    [
      'a newer version replaces',
      [msg('2')],
      msg('2', { version: 2, text: 'x' }),
      undefined,
      true,
      ['2'],
    ],
    [
      'an older version is dropped',
      [msg('2', { version: 3 })],
      msg('2', { version: 2 }),
      undefined,
      false,
      ['2'],
    ],
    ['the same version again is nothing', [msg('2')], msg('2'), undefined, false, ['2']],
    // a thread message stays out of the room list, and a room message out of a thread
    ['a thread message in the room list', [], msg('3', { thread_id: '1' }), undefined, false, []],
    ['a room message in a thread', [], msg('3'), '1', false, []],
    ['a thread message in its thread', [], msg('3', { thread_id: '1' }), '1', true, ['3']],
  ])('%s', (_name, list, message, threadId, changed, ids) => {
    const copy = [...list];
    expect(upsertMessage(copy, message, threadId)).toBe(changed);
    expect(copy.map((m) => m.id)).toEqual(ids);
  });
});

describe('trimOldest', () => {
  const ids = (...xs: number[]): ChatMessage[] => xs.map((x) => msg(String(x)));
  it.each<[string, ChatMessage[], number, boolean, string[]]>([
    ['under the cap', ids(1, 2), 3, false, ['1', '2']],
    ['at the cap', ids(1, 2, 3), 3, false, ['1', '2', '3']],
    ['one past the cap drops the oldest', ids(1, 2, 3, 4), 3, true, ['2', '3', '4']],
    ['far past the cap keeps the newest', ids(8, 9, 10, 11, 12), 2, true, ['11', '12']],
    ['a cap of one', ids(1, 2), 1, true, ['2']],
    ['empty', [], 1, false, []],
  ])('%s', (_name, list, max, changed, want) => {
    const copy = [...list];
    expect(trimOldest(copy, max)).toBe(changed);
    expect(copy.map((m) => m.id)).toEqual(want);
  });
});

describe('applyPinChange', () => {
  const pinned = (id: string, at: string, version = 2): ChatMessage =>
    msg(id, { pinned_at: at, pinned_by: 'u', version });
  it.each<[string, ChatMessage[], ChatMessage, string[]]>([
    ['pins first (most recent first)', [pinned('1', 'a')], pinned('2', 'b'), ['2', '1']],
    ['unpins', [pinned('1', 'a')], msg('1', { version: 3 }), []],
    ['an edit of a pinned message keeps it', [pinned('1', 'a')], pinned('1', 'a', 3), ['1']],
    [
      'a deleted message is unpinned',
      [pinned('1', 'a')],
      msg('1', { pinned_at: 'a', deleted_at: 'x', version: 3 }),
      [],
    ],
    ['an older version changes nothing', [pinned('1', 'a', 5)], msg('1', { version: 4 }), ['1']],
    ['an unpinned unknown message', [], msg('1'), []],
  ])('%s', (_name, list, message, ids) => {
    const copy = [...list];
    applyPinChange(copy, message);
    expect(copy.map((m) => m.id)).toEqual(ids);
  });
});

describe('applyRoomEvent', () => {
  it('keeps read positions moving forward only', () => {
    const s = emptyRoomState();
    expect(applyRoomEvent(s, { type: 'chat.read', room: 'r', user: 'b', message_id: '10' })).toBe(
      true,
    );
    expect(applyRoomEvent(s, { type: 'chat.read', room: 'r', user: 'b', message_id: '9' })).toBe(
      false,
    );
    expect(s.reads.get('b')).toBe('10');
  });

  it('ends a typing indicator with the typist’s message', () => {
    const s = emptyRoomState();
    noteTyping(s, 'u', 0);
    applyRoomEvent(s, { type: 'chat.message', message: msg('1') });
    expect(s.typing.size).toBe(0);
  });

  it('leaves an update of a message older than the window out (no gap)', () => {
    const s = emptyRoomState();
    s.messages.push(msg('10'));
    const change = {
      type: 'chat.message_updated',
      change: 'edited',
      message: msg('3', { version: 2 }),
    } as const;
    expect(applyRoomEvent(s, change)).toBe(false);
    expect(s.messages.map((m) => m.id)).toEqual(['10']);
  });

  it('forgets a member who left, and their receipt', () => {
    const s = emptyRoomState();
    s.members.set('b', { user: 'b', role: 'member', joined_at: 'x' });
    s.reads.set('b', '1');
    expect(applyRoomEvent(s, { type: 'chat.member_left', room: 'r', user: 'b' })).toBe(true);
    expect([s.members.size, s.reads.size]).toEqual([0, 0]);
  });
});

describe('expireTyping', () => {
  it.each<[string, number, boolean, number | undefined, string[]]>([
    ['before any expiry', 1000, false, TYPING_TTL_MS, ['a', 'b']],
    ['at the first expiry', TYPING_TTL_MS, true, TYPING_TTL_MS + 2000, ['b']],
    ['after both', TYPING_TTL_MS + 2000, true, undefined, []],
  ])('%s', (_name, nowMs, changed, next, users) => {
    const s = emptyRoomState();
    noteTyping(s, 'a', 0);
    noteTyping(s, 'b', 2000);
    expect(expireTyping(s, nowMs)).toEqual({ changed, nextExpiryMs: next });
    expect([...s.typing.keys()]).toEqual(users);
  });
});
