import { describe, expect, it } from 'vitest';
import {
  checkIds,
  listParams,
  notificationsChannel,
  parseMarkReadResult,
  parseNotification,
  parseNotificationPage,
  parseNotificationPush,
  parseUnreadCount,
} from './notification-shapes.js';

const N = { id: 'n1', kind: 'mention', title: 'Hi', created_at: '2025-01-02T03:04:05.678Z' };

describe('parseNotification', () => {
  it('keeps the known fields', () => {
    const full = { ...N, body: 'b', data: { x: [1] }, read_at: '2025-01-03T00:00:00.000Z' };
    expect(parseNotification({ ...full, extra: 1 }, 'r', 'n')).toEqual(full);
  });

  it.each([
    [{ ...N, body: null, read_at: null }, N], // null for an optional field is absence
    [
      { ...N, data: null },
      { ...N, data: null },
    ], // data null is a JSON value, kept
  ])('%j → %j', (input, expected) => {
    expect(parseNotification(input, 'r', 'n')).toEqual(expected);
  });

  it.each([
    [null, "'n' must be an object"],
    [[N], "'n' must be an object"],
    [{ ...N, id: '' }, "'n.id' must be a non-empty string"],
    [{ ...N, id: 7 }, "'n.id' must be a non-empty string"],
    [{ ...N, kind: undefined }, "'n.kind' must be a non-empty string"],
    [{ ...N, title: {} }, "'n.title' must be a non-empty string"],
    [{ ...N, created_at: 0 }, "'n.created_at' must be a non-empty string"],
    [{ ...N, body: 3 }, "'n.body' must be a string"],
    [{ ...N, read_at: true }, "'n.read_at' must be a string"],
  ])('refuses %j', (input, message) => {
    expect(() => parseNotification(input, 'thing', 'n')).toThrow(
      expect.objectContaining({ code: 'internal', message: `malformed thing: ${message}` }),
    );
  });
});

describe('rpc results', () => {
  it('parses a page', () => {
    expect(parseNotificationPage({ items: [N], more: true })).toEqual({ items: [N], more: true });
  });

  it.each([
    [undefined, "'result' must be an object"],
    [{ more: false }, "'items' must be an array"],
    [{ items: [] }, "'more' must be a boolean"],
    [{ items: [N, { ...N, id: null }], more: false }, "'items[1].id' must be a non-empty string"],
  ])('refuses the page %j', (result, message) => {
    expect(() => parseNotificationPage(result)).toThrow(
      `malformed 'notifications.list' result: ${message}`,
    );
  });

  it.each([
    [{ count: 0 }, 0],
    [{ count: 12 }, 12],
  ])('unreadCount %j → %s', (result, count) => {
    expect(parseUnreadCount(result)).toBe(count);
  });

  it.each([[null], [{}], [{ count: -1 }], [{ count: 1.5 }], [{ count: '3' }], [3]])(
    'refuses the count %j',
    (result) => {
      expect(() => parseUnreadCount(result)).toThrow(/^malformed 'notifications.unreadCount'/);
    },
  );

  it('parses and refuses {updated}', () => {
    expect(parseMarkReadResult({ updated: 2 }, 'notifications.markRead')).toEqual({ updated: 2 });
    expect(() => parseMarkReadResult({ updated: null }, 'notifications.markAllRead')).toThrow(
      "malformed 'notifications.markAllRead' result: 'updated' must be a non-negative integer",
    );
  });
});

describe('parseNotificationPush', () => {
  it.each([
    [
      { type: 'notification.created', notification: N },
      { type: 'notification.created', notification: N },
    ],
    [
      { type: 'notification.read', ids: ['a', 'b'] },
      { type: 'notification.read', ids: ['a', 'b'] },
    ],
    [{ type: 'notification.read_all' }, { type: 'notification.read_all' }],
    [{ type: 'notification.deleted', id: 'x' }, { type: 'unknown' }], // a newer server's
  ])('%j', (data, expected) => {
    expect(parseNotificationPush(data)).toEqual(expected);
  });

  it.each([
    [null, "'type' must be a string"],
    ['notification.read_all', "'type' must be a string"],
    [{ type: 'notification.created' }, "'notification' must be an object"],
    [{ type: 'notification.read', ids: 'a' }, "'ids' must be an array of non-empty strings"],
    [{ type: 'notification.read', ids: ['a', ''] }, "'ids' must be an array of non-empty strings"],
  ])('refuses %j', (data, message) => {
    expect(() => parseNotificationPush(data)).toThrow(`malformed notifications event: ${message}`);
  });
});

describe('arguments', () => {
  it('listParams passes the options given, and only those', () => {
    expect(listParams({})).toEqual({});
    expect(listParams({ limit: 100, before: 'n9', unread: false })).toEqual({
      limit: 100,
      before: 'n9',
      unread: false,
    });
  });

  it.each([
    [{ limit: 0 }, "'limit' must be an integer from 1 to 100"],
    [{ limit: 101 }, "'limit' must be an integer from 1 to 100"],
    [{ limit: 2.5 }, "'limit' must be an integer from 1 to 100"],
    [{ before: '' }, "'before' must be a non-empty string"],
    [{ unread: 'yes' }, "'unread' must be a boolean"],
  ])('listParams refuses %j', (options, message) => {
    expect(() => listParams(options as never)).toThrow(
      expect.objectContaining({ code: 'bad_request', message }),
    );
  });

  it('checkIds', () => {
    expect(checkIds(['a', 'b'])).toEqual(['a', 'b']);
    expect(() => checkIds('a')).toThrow("'ids' must be an array of notification ids");
    expect(() => checkIds(['a', 2])).toThrow("'ids[1]' must be a non-empty string");
  });

  it('notificationsChannel', () => {
    expect(notificationsChannel('alice')).toBe('user.alice.notifications');
  });
});
