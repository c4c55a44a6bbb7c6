/**
 * What both backends share about notifications: argument checks, the id format and the mapping
 * from a stored row to the wire shape, so SQLite and PostgreSQL cannot drift apart.
 */
import { badRequest, type JsonValue } from '@hubcast/protocol';
import {
  NOTIFICATION_LIST_LIMIT_MAX,
  type CreateInput,
  type ListOptions,
  type Notification,
} from './store.js';

/** A notification as a backend reads it back; times in Unix ms. */
export interface NotificationRow {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  /** JSON text; NULL when the notification has no `data` (JSON `null` is the text `null`). */
  data: string | null;
  createdAtMs: number;
  readAtMs: number | null;
}

export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    ...(row.body === null ? {} : { body: row.body }),
    ...(row.data === null ? {} : { data: JSON.parse(row.data) as JsonValue }),
    created_at: new Date(row.createdAtMs).toISOString(),
    ...(row.readAtMs === null ? {} : { read_at: new Date(row.readAtMs).toISOString() }),
  };
}

/** The JSON text stored for `data`; `undefined` (absent) stays apart from `null`. */
export function dataText(data: JsonValue | undefined): string | null {
  return data === undefined ? null : JSON.stringify(data);
}

/**
 * The number behind a well-formed id, or `undefined`. Ids are canonical decimals (no sign, no
 * leading zero), so each notification has exactly one spelling and `markRead` can answer the
 * strings it was given.
 */
export function parseNotificationId(id: unknown): number | undefined {
  if (typeof id !== 'string' || !/^(?:0|[1-9][0-9]{0,15})$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The well-formed ids among `ids`, each once, in the order given. */
export function distinctIds(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const id of ids) if (parseNotificationId(id) !== undefined) seen.add(id);
  return [...seen];
}

export interface CheckedList {
  limit: number;
  /** Exclusive upper bound of the ids to list. */
  beforeId: number;
  unread: boolean;
}

export function checkList(org: string, user: string, options: ListOptions): CheckedList {
  checkText('org', org);
  checkText('user', user);
  const { limit, before } = options;
  if (!Number.isInteger(limit) || limit < 1 || limit > NOTIFICATION_LIST_LIMIT_MAX) {
    throw badRequest(`limit must be an integer from 1 to ${NOTIFICATION_LIST_LIMIT_MAX}`);
  }
  let beforeId = Number.MAX_SAFE_INTEGER;
  if (before !== undefined) {
    const id = parseNotificationId(before);
    if (id === undefined) throw badRequest('before must be a notification id');
    beforeId = id;
  }
  return { limit, beforeId, unread: options.unread === true };
}

export function checkCreate(org: string, input: CreateInput): void {
  checkText('org', org);
  input.users.forEach((user, i) => checkText(`users[${i}]`, user));
  const { kind, title, body } = input.notification;
  checkText('notification.kind', kind);
  checkText('notification.title', title);
  if (body !== undefined) checkText('notification.body', body);
  if (input.key !== undefined) checkText('key', input.key);
}

/** Checks the names of an inbox (org and user). */
export function checkInbox(org: string, user: string): void {
  checkText('org', org);
  checkText('user', user);
}

/**
 * PostgreSQL text cannot hold U+0000 while SQLite can: refusing it in both keeps them one
 * contract (JSON `data` is unaffected, it stores the character escaped).
 */
function checkText(field: string, value: unknown): void {
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  if (value.includes('\u0000')) throw badRequest(`${field} must not contain U+0000`);
}

/** The channel of a user's inbox pushes (PROTOCOL.md §10). */
export const inboxChannel = (user: string): string => `user.${user}.notifications`;

/** The outbox payloads of PROTOCOL.md §10, as JSON text. */
export const pushText = {
  created: (n: Notification): string =>
    JSON.stringify({ type: 'notification.created', notification: n }),
  read: (ids: readonly string[]): string => JSON.stringify({ type: 'notification.read', ids }),
  readAll: (): string => JSON.stringify({ type: 'notification.read_all' }),
};
