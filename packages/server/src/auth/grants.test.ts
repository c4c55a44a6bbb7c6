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
    [['chat.>'], 'user.alice', undefined],
    [['chat.>'], 'user.alice.notifications', undefined],
    [['chat.>'], 'user.alice.>', undefined],
    [['chat.>'], 'user.alice.*', undefined],
    [[], 'user.alice.notifications', undefined],
    [[], 'user.alice.*.x', undefined],
    [['chat.>'], 'user.bob', 'forbidden'], // still never another user's
    [['chat.>'], 'user.bob.notifications', 'forbidden'],
    [[], 'user.*', 'forbidden'],
    [[], 'user.>', 'forbidden'],
    [['chat.>'], '>', 'forbidden'], // a broad pattern is not a personal one: grants decide
    [['chat.>'], '*.alice', 'forbidden'],
    [['chat.>'], 'user', 'forbidden'], // the bare root is nobody's personal channel
    [['chat.>'], 'users.alice', 'forbidden'], // prefix trap: `users` is not `user`
    // broader patterns are allowed: delivery filters personal events out (canReceive)
    [ALL, '>', undefined],
    [ALL, '*.x', undefined],
    [ALL, '*', undefined],
    [ALL, '*.bob', undefined], // `*` might be `user`, yet only canReceive decides that
    [ALL, 'user', undefined], // the bare root is nobody's personal channel
    [ALL, 'users.bob', undefined], // prefix trap: `users` is not `user`
    // grant coverage, PROTOCOL.md §6
    [[], 'chat.1', 'forbidden'], // no grants, nothing allowed
    [['chat.1'], 'chat.1', undefined],
    [['chat.1'], 'chat.2', 'forbidden'],
    [['chat.1'], 'chat.*', 'forbidden'], // one literal does not cover a wildcard
    [['chat.*'], 'chat.1', undefined],
    [['chat.*'], 'chat.*', undefined],
    [['chat.*'], 'chat.>', 'forbidden'], // `>` reaches deeper than `*`
    [['chat.*'], 'chat.1.x', 'forbidden'],
    [['chat.>'], 'chat.1.x', undefined],
    [['chat.>'], 'chat', 'forbidden'], // `>` needs at least one segment
    [['chat.>'], '>', 'forbidden'],
    [['chat.*', 'chat.*.>'], 'chat.>', undefined], // the union of grants counts
    [['chat.*', 'news.*'], 'chat.1', undefined],
    [['chat.a', 'chat.b'], 'chat.*', 'forbidden'], // two literals are not every value
    [['*.x'], 'chat.x', undefined],
    [['*.x'], 'chat.y', 'forbidden'],
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
    [['chat.>'], 'chat.1', undefined],
    [['chat.*'], 'chat.1.x', 'forbidden'],
    [[], 'chat.1', 'forbidden'], // publish grants default to none
    [ALL, 'anything.at.all', undefined],
    [['chat.1', 'news.>'], 'news.a.b', undefined], // the union of grants counts
    [['chat.1', 'news.>'], 'sports.a', 'forbidden'],
    // clients never publish to personal channels, not even their own (PROTOCOL.md §1)
    [ALL, 'user.alice', 'forbidden'],
    [ALL, 'user.alice.inbox', 'forbidden'],
    [['user.>'], 'user.bob', 'forbidden'], // not even with a grant that names it
    [ALL, 'user', undefined], // the bare root is nobody's personal channel (§1)
    [ALL, 'users.alice', undefined], // prefix trap: `users` is not `user`
    // events go to concrete channels only
    [ALL, 'chat.*', 'bad_request'],
    [ALL, 'chat.>', 'bad_request'],
    [ALL, '>', 'bad_request'],
    [[], 'user.*', 'bad_request'], // shape is checked before ownership
  ])('grants %j, channel %s → %s', (grants, channel, expected) => {
    expect(checkPublish(grants, channel)).toBe(expected);
  });
});

describe('canReceive', () => {
  it.each<[user: string, channel: string, expected: boolean]>([
    ['alice', 'chat.1', true],
    ['alice', 'user.alice', true],
    ['alice', 'user.alice.inbox.x', true],
    ['alice', 'user.bob', false], // another user's personal event, whatever she subscribed to
    ['alice', 'user.bob.inbox', false],
    ['alice', 'user', true], // the bare root is nobody's personal channel
    ['alice', 'users.bob', true],
    ['al', 'user.alice', false], // prefix trap on the owner id
    ['alice', 'user.al', false],
    ['alice', 'chat.user.bob', true], // `user` only counts as the first segment
  ])('%s may receive %s → %s', (user, channel, expected) => {
    expect(canReceive(user, channel)).toBe(expected);
  });
});
