/**
 * The notifications service's shapes (docs/protocol.md §10) and their checks at the edge: rpc
 * results and pushed event data are `unknown` until these say otherwise, so a malformed reply
 * fails its call with a message naming the field instead of breaking a UI later.
 */
import {
  HubcastError,
  badRequest,
  isObject,
  type JsonValue,
  type Notification,
} from '@hubcast/protocol';

export type { Notification };

/** Result of `notifications.list`: newest first. */
export interface NotificationPage {
  items: Notification[];
  /** Whether older entries exist (pass the last item's `id` as `before`). */
  more: boolean;
}

export interface ListNotificationsOptions {
  /** 1–100, server default 20. */
  limit?: number;
  /** Entries older than this notification id. */
  before?: string;
  /** Only unread entries. */
  unread?: boolean;
}

/** Result of `markRead` and `markAllRead`. */
export interface MarkReadResult {
  /** How many entries went from unread to read. */
  updated: number;
}

/** The data of an event on `user.<id>.notifications`; `unknown` is a type from a newer server. */
export type NotificationPush =
  | { type: 'notification.created'; notification: Notification }
  | { type: 'notification.read'; ids: string[] }
  | { type: 'notification.read_all' }
  | { type: 'unknown' };

export const LIST_LIMIT_MAX = 100;

/** The channel the service pushes a user's inbox changes to. */
export function notificationsChannel(userId: string): string {
  return `user.${userId}.notifications`;
}

/** Thrown for a reply or push that breaks docs/protocol.md §10; `where` names the bad field. */
function malformed(what: string, where: string, why: string): HubcastError {
  return new HubcastError('internal', `malformed ${what}: '${where}' ${why}`);
}

/** Checks the options of `list` and builds the rpc params from the ones given. */
export function listParams(options: ListNotificationsOptions): { [key: string]: JsonValue } {
  if (typeof options !== 'object' || options === null)
    throw badRequest("'options' must be an object");
  const params: { [key: string]: JsonValue } = {};
  const { limit, before, unread } = options;
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX)
      throw badRequest(`'limit' must be an integer from 1 to ${LIST_LIMIT_MAX}`);
    params.limit = limit;
  }
  if (before !== undefined) {
    if (typeof before !== 'string' || before === '')
      throw badRequest("'before' must be a non-empty string");
    params.before = before;
  }
  if (unread !== undefined) {
    if (typeof unread !== 'boolean') throw badRequest("'unread' must be a boolean");
    params.unread = unread;
  }
  return params;
}

/** Checks the ids given to `markRead`. */
export function checkIds(ids: unknown): string[] {
  if (!Array.isArray(ids)) throw badRequest("'ids' must be an array of notification ids");
  const out: string[] = [];
  for (const [i, id] of ids.entries()) {
    if (typeof id !== 'string' || id === '')
      throw badRequest(`'ids[${i}]' must be a non-empty string`);
    out.push(id);
  }
  return out;
}

/**
 * A notification as the server sent it, reduced to the known fields. `null` for an optional
 * field is taken as absent (a server may serialize an unset column that way); `data: null`
 * stays, since null is a JSON value like any other.
 */
export function parseNotification(v: unknown, what: string, where: string): Notification {
  if (!isObject(v)) throw malformed(what, where, 'must be an object');
  const required = (key: string): string => {
    const value = v[key];
    if (typeof value !== 'string' || value === '')
      throw malformed(what, `${where}.${key}`, 'must be a non-empty string');
    return value;
  };
  const optional = (key: string): string | undefined => {
    const value = v[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw malformed(what, `${where}.${key}`, 'must be a string');
    return value;
  };
  const n: Notification = {
    id: required('id'),
    kind: required('kind'),
    title: required('title'),
    created_at: required('created_at'),
  };
  const body = optional('body');
  if (body !== undefined) n.body = body;
  if (v.data !== undefined) n.data = v.data as JsonValue;
  const readAt = optional('read_at');
  if (readAt !== undefined) n.read_at = readAt;
  return n;
}

export function parseNotificationPage(result: unknown): NotificationPage {
  const what = "'notifications.list' result";
  if (!isObject(result)) throw malformed(what, 'result', 'must be an object');
  if (!Array.isArray(result.items)) throw malformed(what, 'items', 'must be an array');
  if (typeof result.more !== 'boolean') throw malformed(what, 'more', 'must be a boolean');
  const items = result.items.map((item, i) => parseNotification(item, what, `items[${i}]`));
  return { items, more: result.more };
}

/** `{updated}` of `markRead` / `markAllRead`. */
export function parseMarkReadResult(result: unknown, method: string): MarkReadResult {
  return { updated: countField(result, `'${method}' result`, 'updated') };
}

/** `{count}` of `unreadCount`. */
export function parseUnreadCount(result: unknown): number {
  return countField(result, "'notifications.unreadCount' result", 'count');
}

function countField(result: unknown, what: string, key: string): number {
  if (!isObject(result)) throw malformed(what, 'result', 'must be an object');
  const value = result[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw malformed(what, key, 'must be a non-negative integer');
  return value;
}

/**
 * The data of an inbox event. A `type` this SDK does not know is `{type: 'unknown'}` (a newer
 * server's addition); a known type with bad fields throws.
 */
export function parseNotificationPush(data: unknown): NotificationPush {
  const what = 'notifications event';
  if (!isObject(data) || typeof data.type !== 'string')
    throw malformed(what, 'type', 'must be a string');
  switch (data.type) {
    case 'notification.created':
      return {
        type: data.type,
        notification: parseNotification(data.notification, what, 'notification'),
      };
    case 'notification.read': {
      const ids = data.ids;
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string' && id !== ''))
        throw malformed(what, 'ids', 'must be an array of non-empty strings');
      return { type: data.type, ids: ids as string[] };
    }
    case 'notification.read_all':
      return { type: data.type };
    default:
      return { type: 'unknown' };
  }
}
