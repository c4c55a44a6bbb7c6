import { describe, expect, it } from 'vitest';
import { isHubcastError } from '@hubcast/protocol';
import {
  limitParam,
  messageIdParam,
  optionalData,
  textParam,
  timeZoneParam,
  usersParam,
} from './chat-params.js';

/** The error code a read throws, or `ok` with what it answered. */
function outcome(read: () => unknown): unknown {
  try {
    return { ok: read() };
  } catch (err) {
    return isHubcastError(err) ? err.code : err;
  }
}

describe('chat params', () => {
  it.each<[value: unknown, expected: unknown]>([
    ['Europe/Berlin', { ok: 'Europe/Berlin' }],
    ['UTC', { ok: 'UTC' }],
    ['America/Port-au-Prince', { ok: 'America/Port-au-Prince' }],
    ['Etc/GMT+5', { ok: 'Etc/GMT+5' }],
    [null, { ok: null }], // clears the zone
    [undefined, { ok: undefined }], // reads the profile
    ['Mars/Olympus', 'bad_request'], // the shape of a name, unknown to the runtime
    ['+01:00', 'bad_request'], // an offset is no zone, whatever a newer runtime takes
    ['', 'bad_request'],
    ['Europe/../Berlin', 'bad_request'],
    [7, 'bad_request'],
    ['A'.repeat(65), 'bad_request'],
  ])('time_zone %j → %j', (value, expected) => {
    expect(outcome(() => timeZoneParam({ time_zone: value }))).toEqual(expected);
  });

  it.each<[text: unknown, allowEmpty: boolean, expected: unknown]>([
    ['hi', false, { ok: 'hi' }],
    ['x'.repeat(4000), false, { ok: 'x'.repeat(4000) }], // the limit is inclusive
    ['x'.repeat(4001), false, 'too_large'],
    ['😀'.repeat(2001), false, 'too_large'], // UTF-16 code units: an emoji counts two
    ['', false, 'bad_request'],
    ['', true, { ok: '' }], // with `data`
    [undefined, true, 'bad_request'],
    [['hi'], false, 'bad_request'],
  ])('text %#', (text, allowEmpty, expected) => {
    expect(outcome(() => textParam({ text }, allowEmpty))).toEqual(expected);
  });

  it.each<[value: unknown, expected: unknown]>([
    ['1', { ok: '1' }],
    ['18446744073709551615', { ok: '18446744073709551615' }],
    ['123456789012345678901', 'bad_request'], // longer than any sequence
    ['-1', 'bad_request'],
    ['1e3', 'bad_request'],
    [1, 'bad_request'], // ids are strings on the wire
    ['', 'bad_request'],
  ])('message id %j → %j', (value, expected) => {
    expect(outcome(() => messageIdParam({ id: value }))).toEqual(expected);
  });

  it.each<[value: unknown, expected: unknown]>([
    [undefined, { ok: 50 }],
    [1, { ok: 1 }],
    [200, { ok: 200 }],
    [0, 'bad_request'],
    [201, 'bad_request'],
    [2.5, 'bad_request'],
    ['10', 'bad_request'],
  ])('limit %j → %j', (value, expected) => {
    expect(outcome(() => limitParam({ limit: value }))).toEqual(expected);
  });

  it.each<[value: unknown, expected: unknown]>([
    [['bob', 'carol'], { ok: ['bob', 'carol'] }],
    [[], 'bad_request'], // at least one
    [['bob', 'bob'], 'bad_request'], // each once
    [['a.b'], 'bad_request'], // a user id is a channel segment
    ['bob', 'bad_request'],
    [Array.from({ length: 4 }, (_, i) => `u${i}`), 'bad_request'], // past the maximum
  ])('users %j → %j', (value, expected) => {
    expect(outcome(() => usersParam({ users: value }, 'users', 1, 3))).toEqual(expected);
  });

  it('takes data of any JSON type, null included, up to the depth bound', () => {
    expect(optionalData({}, 2)).toEqual({});
    expect(optionalData({ data: null }, 2)).toEqual({ data: null });
    expect(optionalData({ data: { a: [1] } }, 2)).toEqual({ data: { a: [1] } });
    expect(outcome(() => optionalData({ data: { a: [[1]] } }, 2))).toBe('bad_request');
  });
});
