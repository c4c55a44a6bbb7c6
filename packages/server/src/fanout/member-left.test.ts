import { describe, expect, it } from 'vitest';
import { memberLeftOf } from './member-left.js';

describe('memberLeftOf', () => {
  const left = (room: string, user: unknown): string =>
    JSON.stringify({ type: 'chat.member_left', room, user });
  it.each<
    [channel: string, dataJson: string, expected: { room: string; user: string } | undefined]
  >([
    ['chat.general', left('general', 'bob'), { room: 'general', user: 'bob' }],
    // PostgreSQL's jsonb reorders keys: the type need not come first
    [
      'chat.general',
      '{"room":"general","type":"chat.member_left","user":"bob"}',
      { room: 'general', user: 'bob' },
    ],
    ['chat.general', left('random', 'bob'), undefined], // names another room than its channel
    ['chat.general.x', left('general', 'bob'), undefined], // only on the room's own channel
    ['room.general', left('general', 'bob'), undefined], // not a room channel
    ['chat.general', left('general', ''), undefined],
    ['chat.general', left('general', 7), undefined],
    ['chat.general', JSON.stringify({ type: 'chat.member_joined', room: 'general' }), undefined],
    // a message whose text quotes the type is not a leave
    [
      'chat.general',
      JSON.stringify({ type: 'chat.message', message: { text: '"chat.member_left"' } }),
      undefined,
    ],
    [
      'chat.general',
      JSON.stringify({
        type: 'chat.member_left',
        room: 'general',
        user: 'bob',
        pad: 'x'.repeat(600),
      }),
      undefined,
    ],
    ['chat.general', '"chat.member_left"', undefined], // a string, not an object
  ])('%s %s → %j', (channel, dataJson, expected) => {
    expect(memberLeftOf({ channel, dataJson })).toEqual(expected);
  });
});
