import { describe, expect, it } from 'vitest';
import { HubcastError } from './errors.js';
import type { ClientMessage } from './messages.js';
import {
  HISTORY_LIMIT_DEFAULT,
  HISTORY_LIMIT_MAX,
  isValidCommandId,
  validateClientMessage,
} from './validate.js';

const MAX_ID = 2 ** 53 - 1;

describe('validateClientMessage: valid messages', () => {
  it.each<[label: string, raw: unknown, expected: ClientMessage]>([
    // connect
    ['connect, token only', { type: 'connect', token: 't' }, { type: 'connect', token: 't' }],
    // A missing or mistyped token is the server's `unauthorized` + 4501 (PROTOCOL.md §3), not a
    // malformed message: it passes as the empty token, which no verifier accepts.
    ['connect without token', { type: 'connect', id: 3 }, { type: 'connect', id: 3, token: '' }],
    ['connect, numeric token', { type: 'connect', token: 5 }, { type: 'connect', token: '' }],
    [
      'connect, every field',
      {
        type: 'connect',
        id: 1,
        token: 'jwt',
        cursor: 'c-1',
        subscriptions: ['a.>', 'user.bob'],
        client: { name: 'sdk', version: '1.2.3', device: 'phone' },
      },
      {
        type: 'connect',
        id: 1,
        token: 'jwt',
        cursor: 'c-1',
        subscriptions: ['a.>', 'user.bob'],
        client: { name: 'sdk', version: '1.2.3', device: 'phone' },
      },
    ],
    [
      // patterns in `subscriptions` are judged one by one at connect time (`rejected`)
      'connect, subscriptions are not name-checked here',
      { type: 'connect', token: 't', subscriptions: ['a..b', ''] },
      { type: 'connect', token: 't', subscriptions: ['a..b', ''] },
    ],
    // A resume cursor the server cannot place is out of retention (§1), not malformed: kept,
    // as '' when it is longer than any cursor, so the reply says `resumed: false`.
    [
      'connect, empty cursor',
      { type: 'connect', token: 't', cursor: '' },
      { type: 'connect', token: 't', cursor: '' },
    ],
    [
      'connect, cursor past 128 characters',
      { type: 'connect', token: 't', cursor: 'c'.repeat(129) },
      { type: 'connect', token: 't', cursor: '' },
    ],
    [
      'subscribe, cursor past 128 characters',
      { type: 'subscribe', channel: 'a', cursor: 'c'.repeat(5000) },
      { type: 'subscribe', channel: 'a', cursor: '' },
    ],
    [
      'connect, empty subscriptions',
      { type: 'connect', token: 't', subscriptions: [] },
      { type: 'connect', token: 't', subscriptions: [] },
    ],
    [
      // a client `org` is ignored (PROTOCOL.md §1), unknown keys are dropped
      'connect, org and unknown keys dropped',
      { type: 'connect', token: 't', org: 'other', extra: 1 },
      { type: 'connect', token: 't' },
    ],
    [
      'connect, partial client with unknown keys',
      { type: 'connect', token: 't', client: { device: 'tablet', os: 'x' } },
      { type: 'connect', token: 't', client: { device: 'tablet' } },
    ],
    [
      'connect, empty client',
      { type: 'connect', token: 't', client: {} },
      { type: 'connect', token: 't', client: {} },
    ],
    // subscribe
    [
      'subscribe, pattern',
      { type: 'subscribe', id: 2, channel: 'a.*.>' },
      { type: 'subscribe', id: 2, channel: 'a.*.>' },
    ],
    [
      'subscribe, every field',
      { type: 'subscribe', channel: 'a.b', cursor: 'c', presence: true },
      { type: 'subscribe', channel: 'a.b', cursor: 'c', presence: true },
    ],
    [
      'subscribe, presence false kept',
      { type: 'subscribe', channel: 'a', presence: false },
      { type: 'subscribe', channel: 'a', presence: false },
    ],
    // unsubscribe
    [
      'unsubscribe',
      { type: 'unsubscribe', id: 3, channel: '>' },
      { type: 'unsubscribe', id: 3, channel: '>' },
    ],
    // publish
    [
      'publish, object data',
      { type: 'publish', id: 4, channel: 'a.b', data: { x: [1, 'y'] } },
      { type: 'publish', id: 4, channel: 'a.b', data: { x: [1, 'y'] } },
    ],
    [
      'publish, null data is data',
      { type: 'publish', channel: 'a', data: null },
      { type: 'publish', channel: 'a', data: null },
    ],
    [
      'publish, key and echo',
      { type: 'publish', channel: 'a', data: 0, key: 'k'.repeat(255), echo: false },
      { type: 'publish', channel: 'a', data: 0, key: 'k'.repeat(255), echo: false },
    ],
    [
      'publish, ephemeral',
      { type: 'publish', id: 4, channel: 'a', data: { x: 1 }, ephemeral: true },
      { type: 'publish', id: 4, channel: 'a', data: { x: 1 }, ephemeral: true },
    ],
    [
      // `false` is a logged publish: the field is dropped, and a key is allowed
      'publish, ephemeral false is a logged publish',
      { type: 'publish', channel: 'a', data: 1, key: 'k', ephemeral: false },
      { type: 'publish', channel: 'a', data: 1, key: 'k' },
    ],
    [
      // personal channels are refused by the server (forbidden), not by the validator
      'publish, personal channel is well-formed',
      { type: 'publish', channel: 'user.bob', data: 'x' },
      { type: 'publish', channel: 'user.bob', data: 'x' },
    ],
    // refresh
    ['refresh', { type: 'refresh', id: 5, token: 'new' }, { type: 'refresh', id: 5, token: 'new' }],
    // presence
    ['presence', { type: 'presence', channel: 'room.1' }, { type: 'presence', channel: 'room.1' }],
    // history
    [
      'history, newest',
      { type: 'history', id: 6, channel: 'a.>' },
      { type: 'history', id: 6, channel: 'a.>' },
    ],
    [
      'history, after and limit 1',
      { type: 'history', channel: 'a', after: 'c', limit: 1 },
      { type: 'history', channel: 'a', after: 'c', limit: 1 },
    ],
    [
      'history, before and limit 1000',
      { type: 'history', channel: 'a', before: 'c', limit: 1000 },
      { type: 'history', channel: 'a', before: 'c', limit: 1000 },
    ],
    // rpc
    [
      'rpc with params',
      { type: 'rpc', id: 7, method: 'chat.send', params: { text: 'hi' } },
      { type: 'rpc', id: 7, method: 'chat.send', params: { text: 'hi' } },
    ],
    [
      'rpc without params',
      { type: 'rpc', method: 'notifications.unreadCount' },
      { type: 'rpc', method: 'notifications.unreadCount' },
    ],
    // ping / pong
    ['ping', { type: 'ping' }, { type: 'ping' }],
    ['ping with id', { type: 'ping', id: 8 }, { type: 'ping', id: 8 }],
    ['pong', { type: 'pong' }, { type: 'pong' }],
    ['pong drops an id (it is no command)', { type: 'pong', id: 9 }, { type: 'pong' }],
    // id bounds
    ['id 1', { type: 'ping', id: 1 }, { type: 'ping', id: 1 }],
    ['id 2^53-1', { type: 'ping', id: MAX_ID }, { type: 'ping', id: MAX_ID }],
  ])('%s', (_label, raw, expected) => {
    // toStrictEqual: no stray keys, not even ones set to undefined.
    expect(validateClientMessage(raw)).toStrictEqual({ ok: true, message: expected });
  });

  it('does not keep a reference to nested client input', () => {
    const client = { name: 'sdk' };
    const result = validateClientMessage({ type: 'connect', token: 't', client });
    client.name = 'changed';
    expect(result).toMatchObject({ ok: true, message: { client: { name: 'sdk' } } });
  });
});

describe('validateClientMessage: invalid messages', () => {
  it.each<[label: string, raw: unknown, field: string | RegExp, id: number | undefined]>([
    // not an object
    ['null', null, /object/, undefined],
    ['undefined', undefined, /object/, undefined],
    ['a string', '{"type":"ping"}', /object/, undefined],
    ['a number', 42, /object/, undefined],
    ['a boolean', true, /object/, undefined],
    ['an array', [{ type: 'ping', id: 1 }], /object/, undefined],
    ['an empty array', [], /object/, undefined],
    // bad ids: the reply cannot carry them
    ['id 0', { type: 'ping', id: 0 }, "'id'", undefined],
    ['id -1', { type: 'ping', id: -1 }, "'id'", undefined],
    ['id 1.5', { type: 'ping', id: 1.5 }, "'id'", undefined],
    ["id '1'", { type: 'ping', id: '1' }, "'id'", undefined],
    ['id 2^53', { type: 'ping', id: 2 ** 53 }, "'id'", undefined],
    ['id NaN', { type: 'ping', id: Number.NaN }, "'id'", undefined],
    ['id Infinity', { type: 'ping', id: Number.POSITIVE_INFINITY }, "'id'", undefined],
    ['id null', { type: 'ping', id: null }, "'id'", undefined],
    ['id true', { type: 'ping', id: true }, "'id'", undefined],
    ['bad id wins over a bad type', { type: 'nope', id: 0 }, "'id'", undefined],
    // type
    ['no type', { id: 1 }, "'type'", 1],
    ['numeric type', { type: 1, id: 1 }, "'type'", 1],
    ['unknown type', { type: 'subscribe_all', id: 2 }, /unknown message type/, 2],
    ['server push type', { type: 'event', id: 2 }, /unknown message type/, 2],
    ['type is case-sensitive', { type: 'PING', id: 2 }, /unknown message type/, 2],
    ['prototype key as type', { type: 'constructor', id: 2 }, /unknown message type/, 2],
    // connect
    [
      'connect, subscriptions string',
      { type: 'connect', token: 't', subscriptions: 'a' },
      "'subscriptions'",
      undefined,
    ],
    [
      'connect, subscriptions [1]',
      { type: 'connect', token: 't', subscriptions: [1] },
      "'subscriptions'",
      undefined,
    ],
    ['connect, numeric cursor', { type: 'connect', token: 't', cursor: 1 }, "'cursor'", undefined],
    [
      'connect, client string',
      { type: 'connect', id: 4, token: 't', client: 'sdk' },
      "'client'",
      4,
    ],
    ['connect, client null', { type: 'connect', id: 4, token: 't', client: null }, "'client'", 4],
    [
      'connect, client array',
      { type: 'connect', id: 4, token: 't', client: ['sdk'] },
      "'client'",
      4,
    ],
    [
      'connect, client.name number',
      { type: 'connect', id: 4, token: 't', client: { name: 1 } },
      "'client.name'",
      4,
    ],
    [
      'connect, client.device too long',
      { type: 'connect', id: 4, token: 't', client: { device: 'd'.repeat(129) } },
      "'client.device'",
      4,
    ],
    [
      'connect, client.version null',
      { type: 'connect', id: 4, token: 't', client: { version: null } },
      "'client.version'",
      4,
    ],
    // subscribe
    ['subscribe without channel', { type: 'subscribe', id: 5 }, "'channel'", 5],
    ['subscribe, numeric channel', { type: 'subscribe', id: 5, channel: 1 }, "'channel'", 5],
    ['subscribe, empty segment', { type: 'subscribe', id: 5, channel: 'a..b' }, "'channel'", 5],
    ['subscribe, > not last', { type: 'subscribe', id: 5, channel: 'a.>.b' }, "'channel'", 5],
    [
      'subscribe, presence string',
      { type: 'subscribe', id: 5, channel: 'a', presence: 'yes' },
      "'presence'",
      5,
    ],
    [
      'subscribe, numeric cursor',
      { type: 'subscribe', id: 5, channel: 'a', cursor: 7 },
      "'cursor'",
      5,
    ],
    // unsubscribe
    ['unsubscribe without channel', { type: 'unsubscribe', id: 6 }, "'channel'", 6],
    ['unsubscribe, bad channel', { type: 'unsubscribe', id: 6, channel: 'a b' }, "'channel'", 6],
    // publish
    ['publish without data', { type: 'publish', id: 7, channel: 'a' }, "'data'", 7],
    ['publish without channel', { type: 'publish', id: 7, data: 1 }, "'channel'", 7],
    ['publish to a * pattern', { type: 'publish', id: 7, channel: 'a.*', data: 1 }, "'channel'", 7],
    ['publish to >', { type: 'publish', id: 7, channel: '>', data: 1 }, "'channel'", 7],
    ['publish, empty key', { type: 'publish', id: 7, channel: 'a', data: 1, key: '' }, "'key'", 7],
    [
      'publish, 256-char key',
      { type: 'publish', id: 7, channel: 'a', data: 1, key: 'k'.repeat(256) },
      "'key'",
      7,
    ],
    ['publish, numeric key', { type: 'publish', id: 7, channel: 'a', data: 1, key: 1 }, "'key'", 7],
    [
      'publish, echo string',
      { type: 'publish', id: 7, channel: 'a', data: 1, echo: 'no' },
      "'echo'",
      7,
    ],
    [
      'publish, ephemeral string',
      { type: 'publish', id: 7, channel: 'a', data: 1, ephemeral: 'yes' },
      "'ephemeral'",
      7,
    ],
    [
      // no idempotency without a log (docs/ephemeral.md)
      'publish, ephemeral with a key',
      { type: 'publish', id: 7, channel: 'a', data: 1, key: 'k1', ephemeral: true },
      "'key'",
      7,
    ],
    // refresh
    ['refresh without token', { type: 'refresh', id: 8 }, "'token'", 8],
    ['refresh, numeric token', { type: 'refresh', id: 8, token: 1 }, "'token'", 8],
    ['refresh, empty token', { type: 'refresh', id: 8, token: '' }, "'token'", 8],
    // presence
    ['presence without channel', { type: 'presence', id: 9 }, "'channel'", 9],
    ['presence on a pattern', { type: 'presence', id: 9, channel: 'room.*' }, "'channel'", 9],
    // history
    [
      'history, after and before',
      { type: 'history', id: 10, channel: 'a', after: 'x', before: 'y' },
      /'after' or 'before'/,
      10,
    ],
    ['history, limit 0', { type: 'history', id: 10, channel: 'a', limit: 0 }, "'limit'", 10],
    ['history, limit 1001', { type: 'history', id: 10, channel: 'a', limit: 1001 }, "'limit'", 10],
    ['history, limit 1.5', { type: 'history', id: 10, channel: 'a', limit: 1.5 }, "'limit'", 10],
    ["history, limit '10'", { type: 'history', id: 10, channel: 'a', limit: '10' }, "'limit'", 10],
    ['history, limit null', { type: 'history', id: 10, channel: 'a', limit: null }, "'limit'", 10],
    ['history, numeric after', { type: 'history', id: 10, channel: 'a', after: 1 }, "'after'", 10],
    [
      'history, empty before',
      { type: 'history', id: 10, channel: 'a', before: '' },
      "'before'",
      10,
    ],
    ['history without channel', { type: 'history', id: 10 }, "'channel'", 10],
    // rpc
    ['rpc without method', { type: 'rpc', id: 11 }, "'method'", 11],
    ['rpc, empty method', { type: 'rpc', id: 11, method: '' }, "'method'", 11],
    ['rpc, 129-char method', { type: 'rpc', id: 11, method: 'm'.repeat(129) }, "'method'", 11],
    ['rpc, numeric method', { type: 'rpc', id: 11, method: 1 }, "'method'", 11],
  ])('%s', (_label, raw, field, id) => {
    const result = validateClientMessage(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(HubcastError);
    expect(result.error.code).toBe('bad_request');
    expect(result.error.httpStatus).toBe(400);
    expect(result.error.message).toMatch(field);
    expect(result.id).toBe(id);
  });

  it.each<[label: string, raw: unknown, secret: string]>([
    [
      'connect with a bad cursor',
      { type: 'connect', token: 'tok-SECRET-1', cursor: 5 },
      'tok-SECRET-1',
    ],
    [
      'connect with a bad client',
      { type: 'connect', token: 'tok-SECRET-2', client: 1 },
      'tok-SECRET-2',
    ],
    [
      'publish with a too-long key',
      { type: 'publish', channel: 'a', data: 1, key: `SECRET${'k'.repeat(256)}` },
      'SECRET',
    ],
    [
      'publish with a key and a bad channel',
      { type: 'publish', channel: 'a.*', data: 1, key: 'key-SECRET-3' },
      'key-SECRET-3',
    ],
    ['refresh with a bad id', { type: 'refresh', id: 0, token: 'tok-SECRET-4' }, 'tok-SECRET-4'],
  ])('never echoes a token or key: %s', (_label, raw, secret) => {
    const result = validateClientMessage(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).not.toContain(secret);
  });

  it('cuts an unknown type to 32 characters in the message', () => {
    const result = validateClientMessage({ type: 'x'.repeat(40) + 'TAIL' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toContain('x'.repeat(32));
    expect(result.error.message).not.toContain('TAIL');
  });
});

describe('isValidCommandId', () => {
  it.each<[id: unknown, expected: boolean]>([
    [1, true],
    [42, true],
    [MAX_ID, true],
    [0, false],
    [-1, false],
    [1.5, false],
    [2 ** 53, false],
    ['1', false],
    [Number.NaN, false],
    [null, false],
    [undefined, false],
  ])('%j → %s', (id, expected) => {
    expect(isValidCommandId(id)).toBe(expected);
  });
});

describe('history limits', () => {
  it('follow PROTOCOL.md §4', () => {
    expect([HISTORY_LIMIT_DEFAULT, HISTORY_LIMIT_MAX]).toEqual([100, 1000]);
  });
});
