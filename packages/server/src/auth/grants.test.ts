import type { ErrorCode } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { canReceive, checkPublish, checkSubscribe } from './grants.js';

const ALL = ['>'];

describe('checkSubscribe', () => {
  // The caller is alice unless the row says otherwise. `undefined` means allowed.
  it.each<[grants: string[], pattern: string, expected: ErrorCode | undefined]>([
    // personal channels of PROTOCOL.md §1
    [ALL, 'user.alice', undefined],
    [ALL, 'user.alice.x', undefined], // under her own channel, covered by `>`
    [ALL, 'user.alice.>', undefined],
    [ALL, 'user.alice.*', undefined],
    [ALL, 'user.bob', 'forbidden'], // another user's channel, whatever the grants
    [ALL, 'user.bob.x', 'forbidden'],
    [ALL, 'user.*', 'forbidden'], // could match other users' channels
    [ALL, 'user.>', 'forbidden'],
    [ALL, 'user.*.x', 'forbidden'],
    [['user.bob'], 'user.bob', 'forbidden'], // a grant naming bob's channel does not help alice
    [['user.>'], 'user.alice', undefined],
    [['user.alice'], 'user.alice', undefined],
    // her own personal channels need no grant at all (§1), with the README's token or none
    [['user.alice'], 'user.alice.x', undefined],
    [['room.>'], 'user.alice', undefined],
    [['room.>'], 'user.alice.notifications', undefined],
    [['room.>'], 'user.alice.>', undefined],
    [['room.>'], 'user.alice.*', undefined],
    [[], 'user.alice.notifications', undefined],
    [[], 'user.alice.*.x', undefined],
    [['room.>'], 'user.bob', 'forbidden'], // still never another user's
    [['room.>'], 'user.bob.notifications', 'forbidden'],
    [[], 'user.*', 'forbidden'],
    [[], 'user.>', 'forbidden'],
    [['room.>'], '>', 'forbidden'], // a broad pattern is not a personal one: grants decide
    [['room.>'], '*.alice', 'forbidden'],
    [['room.>'], 'user', 'forbidden'], // the bare root is nobody's personal channel
    [['room.>'], 'users.alice', 'forbidden'], // prefix trap: `users` is not `user`
    // broader patterns are allowed: delivery filters personal events out (canReceive)
    [ALL, '>', undefined],
    [ALL, '*.x', undefined],
    [ALL, '*', undefined],
    [ALL, '*.bob', undefined], // `*` might be `user`, yet only canReceive decides that
    [ALL, 'user', undefined], // the bare root is nobody's personal channel
    [ALL, 'users.bob', undefined], // prefix trap: `users` is not `user`
    // grant coverage, PROTOCOL.md §6
    [[], 'room.1', 'forbidden'], // no grants, nothing allowed
    [['room.1'], 'room.1', undefined],
    [['room.1'], 'room.2', 'forbidden'],
    [['room.1'], 'room.*', 'forbidden'], // one literal does not cover a wildcard
    [['room.*'], 'room.1', undefined],
    [['room.*'], 'room.*', undefined],
    [['room.*'], 'room.>', 'forbidden'], // `>` reaches deeper than `*`
    [['room.*'], 'room.1.x', 'forbidden'],
    [['room.>'], 'room.1.x', undefined],
    [['room.>'], 'room', 'forbidden'], // `>` needs at least one segment
    [['room.>'], '>', 'forbidden'],
    [['room.*', 'room.*.>'], 'room.>', undefined], // the union of grants counts
    [['room.*', 'news.*'], 'room.1', undefined],
    [['room.a', 'room.b'], 'room.*', 'forbidden'], // two literals are not every value
    [['*.x'], 'room.x', undefined],
    [['*.x'], 'room.y', 'forbidden'],
    // chat rooms (docs/chat.md): one room at a time, never a wildcard room segment; the grant
    // is needed too, and membership is checked after this (session/room-gate.ts)
    [ALL, 'chat.general', undefined],
    [ALL, 'chat.general.>', undefined], // a pattern under one room names that room
    [ALL, 'chat.general.*', undefined],
    [ALL, 'chat.*', 'forbidden'],
    [ALL, 'chat.>', 'forbidden'],
    [ALL, 'chat.*.x', 'forbidden'],
    [['chat.>'], 'chat.*', 'forbidden'], // not even with a grant that covers it
    [['chat.>'], 'chat.general', undefined],
    [['chat.general'], 'chat.general', undefined],
    [['chat.general'], 'chat.random', 'forbidden'], // membership alone is not enough
    [['room.>'], 'chat.general', 'forbidden'],
    [ALL, 'chat', undefined], // the bare root is no room
    [ALL, 'chats.x', undefined], // prefix trap: `chats` is not `chat`
    [ALL, '*.general', undefined], // broad: allowed, and never delivers a room's events
  ])('grants %j, pattern %s → %s', (grants, pattern, expected) => {
    expect(checkSubscribe('alice', grants, pattern)).toBe(expected);
  });

  it.each<[user: string, pattern: string, expected: ErrorCode | undefined]>([
    ['bob', 'user.bob', undefined],
    ['bob', 'user.alice', 'forbidden'],
    ['user', 'user.user', undefined], // an id that happens to be `user`
    ['al', 'user.alice', 'forbidden'], // prefix trap on the owner id
    // ids are checked when the token is, but a wildcard id must never own `user.*` here either
    ['*', 'user.*', 'forbidden'],
    ['>', 'user.>', 'forbidden'],
  ])('user %s, pattern %s → %s', (user, pattern, expected) => {
    expect(checkSubscribe(user, ALL, pattern)).toBe(expected);
  });
});

describe('checkPublish', () => {
  it.each<[grants: string[], channel: string, expected: ErrorCode | undefined]>([
    [['room.>'], 'room.1', undefined],
    [['room.*'], 'room.1.x', 'forbidden'],
    [[], 'room.1', 'forbidden'], // publish grants default to none
    [ALL, 'anything.at.all', undefined],
    [['room.1', 'news.>'], 'news.a.b', undefined], // the union of grants counts
    [['room.1', 'news.>'], 'sports.a', 'forbidden'],
    // clients never publish to personal channels, not even their own (PROTOCOL.md §1)
    [ALL, 'user.alice', 'forbidden'],
    [ALL, 'user.alice.inbox', 'forbidden'],
    [['user.>'], 'user.bob', 'forbidden'], // not even with a grant that names it
    [ALL, 'user', undefined], // the bare root is nobody's personal channel (§1)
    [ALL, 'users.alice', undefined], // prefix trap: `users` is not `user`
    // events go to concrete channels only
    [ALL, 'room.*', 'bad_request'],
    [ALL, 'room.>', 'bad_request'],
    [ALL, '>', 'bad_request'],
    [[], 'user.*', 'bad_request'], // shape is checked before ownership
    // room channels are the chat service's alone (docs/chat.md)
    [ALL, 'chat.general', 'forbidden'],
    [['chat.>'], 'chat.general', 'forbidden'],
    [ALL, 'chat.general.typing', 'forbidden'],
    [ALL, 'chat', undefined], // the bare root is no room
    [ALL, 'chats.general', undefined],
  ])('grants %j, channel %s → %s', (grants, channel, expected) => {
    expect(checkPublish(grants, channel)).toBe(expected);
  });
});

describe('canReceive', () => {
  it.each<[user: string, channel: string, expected: boolean]>([
    ['alice', 'room.1', true],
    ['alice', 'user.alice', true],
    ['alice', 'user.alice.inbox.x', true],
    ['alice', 'user.bob', false], // another user's personal event, whatever she subscribed to
    ['alice', 'user.bob.inbox', false],
    ['alice', 'user', true], // the bare root is nobody's personal channel
    ['alice', 'users.bob', true],
    ['al', 'user.alice', false], // prefix trap on the owner id
    ['alice', 'user.al', false],
    ['alice', 'room.user.bob', true], // `user` only counts as the first segment
  ])('%s may receive %s → %s', (user, channel, expected) => {
    expect(canReceive(user, channel)).toBe(expected);
  });

  // The third column is the room the subscription was gated by (undefined: a broad pattern).
  it.each<[channel: string, room: string | undefined, expected: boolean]>([
    ['chat.general', 'general', true],
    ['chat.general.x', 'general', true],
    ['chat.general', undefined, false], // `>`, `*.general`: never a room's events
    ['chat.general', 'random', false],
    ['chat.gen', 'general', false], // prefix trap on the room name
    ['chat', undefined, true], // the bare root is no room
    ['chats.general', undefined, true],
    ['news.general', 'general', true], // a room mark does not restrict other channels
    ['user.bob.chat', 'general', false], // nor lift the personal rule
    ['user.alice.chat', undefined, true],
  ])('alice may receive %s through a subscription of room %s → %s', (channel, room, expected) => {
    expect(canReceive('alice', channel, room)).toBe(expected);
  });
});
