/**
 * The PostgreSQL chat store's rows and queries (`chat-postgres-rooms.ts` and `chat-postgres.ts`
 * run them): row shapes as pg returns them (bigint as strings), their mapping to
 * `chat-rows.ts`'s, and the queries both halves share. Times are Unix ms.
 */
import type { QueryResultRow } from 'pg';
import type { ChatMember, ChatMessage, ChatRole, ChatRoom } from '@hubcast/protocol';
import {
  SEARCH_SCAN_ROWS,
  toChatMessage,
  toMember,
  toRoom,
  type ChatMessageRow,
  type ReactionRow,
} from './chat-rows.js';
import { entryText, noMessage, type OutboxEntry } from './chat-rules.js';
import { UPPER_ASCII } from './chat-search-schema.js';

/** The pool for single statements, or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
export type Transaction = <T>(work: (client: Queryable) => Promise<T>) => Promise<T>;

/** bigint columns come back as strings, integer ones as numbers. */
export interface RoomRow {
  room: string;
  title: string | null;
  created_by: string;
  created_at: string;
}
export interface MemberRow {
  user_id: string;
  role: ChatRole;
  joined_at: string;
  last_read: string | null;
}
export interface MessageRow {
  id: string;
  room: string;
  user_id: string;
  text: string;
  data: string | null;
  client_id: string | null;
  reply_to_id: string | null;
  reply_to_user: string | null;
  reply_to_excerpt: string | null;
  reply_to_deleted: boolean;
  thread_id: string | null;
  reply_count: number;
  mentions: string | null;
  version: number;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  pinned_at: string | null;
  pinned_by: string | null;
  pin_seq: number | null;
}

export const MESSAGE = `SELECT m.id, m.room, m.user_id, m.text, m.data, m.client_id, m.reply_to_id,
    m.reply_to_user, m.reply_to_excerpt, p.deleted_at IS NOT NULL AS reply_to_deleted,
    m.thread_id, m.reply_count, m.mentions, m.version, m.created_at, m.edited_at, m.deleted_at,
    m.pinned_at, m.pinned_by, m.pin_seq
  FROM chat_messages m LEFT JOIN chat_messages p ON p.org = m.org AND p.id = m.reply_to_id`;
export const ROOM = 'SELECT room, title, created_by, created_at FROM chat_rooms';
export const MEMBER = 'SELECT user_id, role, joined_at, last_read FROM chat_members';
export const UNREAD = `SELECT count(*) AS n FROM chat_messages
  WHERE org = $1 AND room = $2 AND id > $3 AND user_id <> $4 AND deleted_at IS NULL`;
const FOLDED = `translate(m.text, '${UPPER_ASCII}', '${UPPER_ASCII.toLowerCase()}')`;
/** The SEARCH_SCAN_ROWS-th newest id of a room below $3: older messages go to the index. */
export const SEARCH_FLOOR = `SELECT id FROM chat_messages WHERE org = $1 AND room = $2 AND id < $3
  ORDER BY id DESC LIMIT 1 OFFSET ${SEARCH_SCAN_ROWS - 1}`;
// translate() folds ASCII only, whatever the locale, as foldAscii does; strpos() has no
// wildcards, and the escaped LIKE pattern matches as it does, through the trigram index on the
// same expression (chat-search-schema.ts).
export const SEARCH_SCAN = `${MESSAGE} WHERE m.org = $1 AND m.room = $2 AND m.id >= $3
    AND m.id < $4 AND m.deleted_at IS NULL AND strpos(${FOLDED}, $5) > 0
  ORDER BY m.id DESC LIMIT $6`;
// $4 is the LIKE pattern of the needle's first characters, for the index; $6 the needle.
export const SEARCH_INDEXED = `${MESSAGE} WHERE m.org = $1 AND m.room = $2 AND m.id < $3
    AND m.deleted_at IS NULL AND ${FOLDED} LIKE $4 AND strpos(${FOLDED}, $6) > 0
  ORDER BY m.id DESC LIMIT $5`;

const ms = (v: string | null): number | null => (v === null ? null : Number(v));
export const roomWire = (r: RoomRow): ChatRoom =>
  toRoom({
    room: r.room,
    title: r.title,
    createdBy: r.created_by,
    createdAtMs: Number(r.created_at),
  });
export const memberWire = (r: MemberRow): ChatMember =>
  toMember({
    user: r.user_id,
    role: r.role,
    joinedAtMs: Number(r.joined_at),
    lastRead: r.last_read,
  });
export const messageRow = (r: MessageRow): ChatMessageRow => ({
  id: r.id,
  room: r.room,
  user: r.user_id,
  text: r.text,
  data: r.data,
  clientId: r.client_id,
  replyToId: r.reply_to_id,
  replyToUser: r.reply_to_user,
  replyToExcerpt: r.reply_to_excerpt,
  replyToDeleted: r.reply_to_deleted,
  threadId: r.thread_id,
  replyCount: r.reply_count,
  mentions: r.mentions,
  version: r.version,
  createdAtMs: Number(r.created_at),
  editedAtMs: ms(r.edited_at),
  deletedAtMs: ms(r.deleted_at),
  pinnedAtMs: ms(r.pinned_at),
  pinnedBy: r.pinned_by,
});

/** One statement's first row, or undefined. */
export async function first<R extends QueryResultRow>(
  db: Queryable,
  text: string,
  values: unknown[],
): Promise<R | undefined> {
  return (await db.query<R>(text, values)).rows[0];
}

export const member = (db: Queryable, org: string, room: string, user: string) =>
  first<MemberRow>(db, `${MEMBER} WHERE org = $1 AND room = $2 AND user_id = $3`, [
    org,
    room,
    user,
  ]);

export async function unreadOf(
  db: Queryable,
  org: string,
  room: string,
  lastRead: string | null,
  user: string,
): Promise<number> {
  const row = await first<{ n: string }>(db, UNREAD, [org, room, lastRead ?? '0', user]);
  return Number(row?.n ?? 0);
}

/** Rows to wire messages, with their reactions read in one statement. */
export async function wire(
  db: Queryable,
  org: string,
  rows: readonly MessageRow[],
): Promise<ChatMessage[]> {
  if (rows.length === 0) return [];
  const { rows: reactions } = await db.query<ReactionRow & { message_id: string }>(
    `SELECT message_id, emoji, user_id AS "user" FROM chat_reactions
     WHERE org = $1 AND message_id = ANY ($2::bigint[])`,
    [org, rows.map((r) => r.id)],
  );
  const byId = new Map<string, ReactionRow[]>();
  for (const r of reactions) {
    let list = byId.get(r.message_id);
    if (list === undefined) byId.set(r.message_id, (list = []));
    list.push(r);
  }
  return rows.map((r) => toChatMessage(messageRow(r), byId.get(r.id) ?? []));
}

export async function wireOne(db: Queryable, org: string, row: MessageRow): Promise<ChatMessage> {
  return (await wire(db, org, [row]))[0] as ChatMessage;
}

export async function messageIn(
  db: Queryable,
  org: string,
  room: string,
  field: string,
  id: number,
): Promise<MessageRow> {
  const row = await first<MessageRow>(db, `${MESSAGE} WHERE m.org = $1 AND m.id = $2`, [org, id]);
  if (row === undefined || row.room !== room) throw noMessage(field, id);
  return row;
}

/** The message as it is now, inside the transaction that changed it. */
export async function reread(db: Queryable, org: string, id: string): Promise<ChatMessage> {
  const row = await first<MessageRow>(db, `${MESSAGE} WHERE m.org = $1 AND m.id = $2`, [org, id]);
  if (row === undefined) throw new Error(`message ${id} vanished inside its transaction`);
  return wireOne(db, org, row);
}

export async function push(
  db: Queryable,
  org: string,
  entries: readonly OutboxEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO push_outbox (org, user_id, channel, data)
     SELECT $1, t.user_id, t.channel, t.data
     FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t (user_id, channel, data, n)
     ORDER BY t.n`,
    [org, entries.map((e) => e.user), entries.map((e) => e.channel), entries.map(entryText)],
  );
}
