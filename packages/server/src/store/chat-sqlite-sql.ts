/**
 * The SQLite chat store's rows and statements (`chat-sqlite.ts` runs them): row shapes as
 * better-sqlite3 returns them, their mapping to `chat-rows.ts`'s, and every statement, prepared
 * once per connection. Message ids and times are INTEGERs (Unix ms).
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type { ChatMember, ChatRole, ChatRoom } from '@hubcast/protocol';
import {
  SEARCH_SCAN_ROWS,
  toMember,
  toRoom,
  type ChatMessageRow,
  type ReactionRow,
} from './chat-rows.js';

export interface RoomRow {
  room: string;
  title: string | null;
  created_by: string;
  created_at: number;
}
export interface MemberRow {
  user_id: string;
  role: ChatRole;
  joined_at: number;
  last_read: number | null;
}
export interface MessageRow {
  id: number;
  room: string;
  user_id: string;
  text: string;
  data: string | null;
  client_id: string | null;
  reply_to_id: number | null;
  reply_to_user: string | null;
  reply_to_excerpt: string | null;
  reply_to_deleted: number;
  thread_id: number | null;
  reply_count: number;
  mentions: string | null;
  version: number;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  pinned_at: number | null;
  pinned_by: string | null;
  pin_seq: number | null;
}

const MESSAGE = `SELECT m.id, m.room, m.user_id, m.text, m.data, m.client_id, m.reply_to_id,
    m.reply_to_user, m.reply_to_excerpt, p.deleted_at IS NOT NULL AS reply_to_deleted,
    m.thread_id, m.reply_count, m.mentions, m.version, m.created_at, m.edited_at, m.deleted_at,
    m.pinned_at, m.pinned_by, m.pin_seq
  FROM chat_messages m LEFT JOIN chat_messages p ON p.org = m.org AND p.id = m.reply_to_id`;

export const roomWire = (r: RoomRow): ChatRoom =>
  toRoom({ room: r.room, title: r.title, createdBy: r.created_by, createdAtMs: r.created_at });
export const memberWire = (r: MemberRow): ChatMember =>
  toMember({
    user: r.user_id,
    role: r.role,
    joinedAtMs: r.joined_at,
    lastRead: r.last_read === null ? null : String(r.last_read),
  });
const str = (n: number | null): string | null => (n === null ? null : String(n));
export const messageRow = (r: MessageRow): ChatMessageRow => ({
  id: String(r.id),
  room: r.room,
  user: r.user_id,
  text: r.text,
  data: r.data,
  clientId: r.client_id,
  replyToId: str(r.reply_to_id),
  replyToUser: r.reply_to_user,
  replyToExcerpt: r.reply_to_excerpt,
  replyToDeleted: r.reply_to_deleted === 1,
  threadId: str(r.thread_id),
  replyCount: r.reply_count,
  mentions: r.mentions,
  version: r.version,
  createdAtMs: r.created_at,
  editedAtMs: r.edited_at,
  deletedAtMs: r.deleted_at,
  pinnedAtMs: r.pinned_at,
  pinnedBy: r.pinned_by,
});

/** The statements, prepared once per connection; names say what each does. */
export interface ChatStatements {
  room: Statement<[string, string], RoomRow>;
  insertRoom: Statement<[string, string, string | null, string, number]>;
  member: Statement<[string, string, string], MemberRow>;
  members: Statement<[string, string], MemberRow>;
  counts: Statement<[string, string], { owners: number; members: number }>;
  insertMember: Statement<[string, string, string, ChatRole, number]>;
  deleteMember: Statement<[string, string, string]>;
  setRole: Statement<[ChatRole, string, string, string]>;
  setLastRead: Statement<[number, string, string, string]>;
  roomsOf: Statement<[string, string], RoomRow & MemberRow & { unread: number }>;
  unread: Statement<[string, string, number, string], { n: number }>;
  bumpCounter: Statement<[string], { last_id: number }>;
  insertMessage: Statement<
    [
      string,
      number,
      string,
      string,
      string,
      string | null,
      string | null,
      number | null,
      string | null,
      string | null,
      number | null,
      string | null,
      number,
    ]
  >;
  message: Statement<[string, number], MessageRow>;
  byClientId: Statement<[string, string, string, string], MessageRow>;
  addReplies: Statement<[number, string, number]>;
  edit: Statement<[string, string | null, number, string, number]>;
  tombstone: Statement<[number, string, number]>;
  bumpVersion: Statement<[string, number]>;
  reactions: Statement<[string, string], ReactionRow & { message_id: number }>;
  emojiCount: Statement<
    [string, string, string, string, number],
    { emoji: number; has_emoji: number; mine: number }
  >;
  addReaction: Statement<[string, number, string, string]>;
  removeReaction: Statement<[string, number, string, string]>;
  clearReactions: Statement<[string, number]>;
  pins: Statement<[string, string], { count: number; last: number }>;
  pin: Statement<[number | null, string | null, number | null, string, number]>;
  pinned: Statement<[string, string, number], MessageRow>;
  timelineDesc: Statement<[string, string, number, number, number], MessageRow>;
  timelineAsc: Statement<[string, string, number, number, number], MessageRow>;
  threadDesc: Statement<[string, number, number, number, number], MessageRow>;
  threadAsc: Statement<[string, number, number, number, number], MessageRow>;
  searchFloor: Statement<[string, string, number], { id: number }>;
  search: Statement<[string, string, number, number, string, number], MessageRow>;
  searchIndexed: Statement<[string, string, string, number, string, number], MessageRow>;
  profile: Statement<[string, string], { time_zone: string | null }>;
  setProfile: Statement<[string, string, string | null]>;
  insertPush: Statement<[string, string, string, string, number]>;
}

export function prepare(db: Db): ChatStatements {
  return {
    room: db.prepare(
      'SELECT room, title, created_by, created_at FROM chat_rooms WHERE org = ? AND room = ?',
    ),
    insertRoom: db.prepare(
      'INSERT INTO chat_rooms (org, room, title, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    member: db.prepare(`SELECT user_id, role, joined_at, last_read FROM chat_members
       WHERE org = ? AND room = ? AND user_id = ?`),
    members: db.prepare(`SELECT user_id, role, joined_at, last_read FROM chat_members
       WHERE org = ? AND room = ? ORDER BY seq`),
    counts: db.prepare(`SELECT coalesce(sum(role = 'owner'), 0) AS owners, count(*) AS members
       FROM chat_members WHERE org = ? AND room = ?`),
    insertMember: db.prepare(
      `INSERT INTO chat_members (org, room, user_id, role, joined_at) VALUES (?, ?, ?, ?, ?)`,
    ),
    deleteMember: db.prepare('DELETE FROM chat_members WHERE org = ? AND room = ? AND user_id = ?'),
    setRole: db.prepare(
      'UPDATE chat_members SET role = ? WHERE org = ? AND room = ? AND user_id = ?',
    ),
    setLastRead: db.prepare(
      'UPDATE chat_members SET last_read = ? WHERE org = ? AND room = ? AND user_id = ?',
    ),
    // One statement for the whole list: each count reads the covering unread index
    // (chat-search-schema.ts) from the member's position on, never the rows.
    roomsOf:
      db.prepare(`SELECT r.room, r.title, r.created_by, r.created_at, m.user_id, m.role, m.joined_at,
         m.last_read,
         (SELECT count(*) FROM chat_messages x WHERE x.org = m.org AND x.room = m.room
            AND x.id > coalesce(m.last_read, 0) AND x.user_id <> m.user_id
            AND x.deleted_at IS NULL) AS unread
       FROM chat_members m JOIN chat_rooms r ON r.org = m.org AND r.room = m.room
       WHERE m.org = ? AND m.user_id = ? ORDER BY m.room`),
    unread: db.prepare(`SELECT count(*) AS n FROM chat_messages
       WHERE org = ? AND room = ? AND id > ? AND user_id <> ? AND deleted_at IS NULL`),
    bumpCounter: db.prepare(`INSERT INTO chat_counters (org, last_id) VALUES (?, 1)
       ON CONFLICT (org) DO UPDATE SET last_id = last_id + 1 RETURNING last_id`),
    insertMessage:
      db.prepare(`INSERT INTO chat_messages (org, id, room, user_id, text, data, client_id, reply_to_id,
         reply_to_user, reply_to_excerpt, thread_id, mentions, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    message: db.prepare(`${MESSAGE} WHERE m.org = ? AND m.id = ?`),
    byClientId: db.prepare(
      `${MESSAGE} WHERE m.org = ? AND m.room = ? AND m.user_id = ? AND m.client_id = ?`,
    ),
    addReplies:
      db.prepare(`UPDATE chat_messages SET reply_count = reply_count + ?, version = version + 1
       WHERE org = ? AND id = ?`),
    edit: db.prepare(`UPDATE chat_messages SET text = ?, data = ?, edited_at = ?, version = version + 1
       WHERE org = ? AND id = ?`),
    tombstone:
      db.prepare(`UPDATE chat_messages SET text = '', data = NULL, mentions = NULL, deleted_at = ?,
         pinned_at = NULL, pinned_by = NULL, pin_seq = NULL, version = version + 1
       WHERE org = ? AND id = ?`),
    bumpVersion: db.prepare(
      'UPDATE chat_messages SET version = version + 1 WHERE org = ? AND id = ?',
    ),
    reactions: db.prepare(`SELECT message_id, emoji, user_id AS user FROM chat_reactions
       WHERE org = ? AND message_id IN (SELECT value FROM json_each(?))`),
    emojiCount:
      db.prepare(`SELECT count(DISTINCT emoji) AS emoji, coalesce(max(emoji = ?), 0) AS has_emoji,
         coalesce(max(emoji = ? AND user_id = ?), 0) AS mine
       FROM chat_reactions WHERE org = ? AND message_id = ?`),
    addReaction: db.prepare(
      'INSERT INTO chat_reactions (org, message_id, emoji, user_id) VALUES (?, ?, ?, ?)',
    ),
    removeReaction: db.prepare(
      'DELETE FROM chat_reactions WHERE org = ? AND message_id = ? AND emoji = ? AND user_id = ?',
    ),
    clearReactions: db.prepare('DELETE FROM chat_reactions WHERE org = ? AND message_id = ?'),
    pins: db.prepare(`SELECT count(*) AS count, coalesce(max(pin_seq), 0) AS last FROM chat_messages
       WHERE org = ? AND room = ? AND pin_seq IS NOT NULL`),
    pin: db.prepare(`UPDATE chat_messages SET pinned_at = ?, pinned_by = ?, pin_seq = ?, version = version + 1
       WHERE org = ? AND id = ?`),
    pinned: db.prepare(`${MESSAGE} WHERE m.org = ? AND m.room = ? AND m.pin_seq IS NOT NULL
       ORDER BY m.pin_seq DESC LIMIT ?`),
    // History: ids in (lo, hi), newest first (then reversed) or, reading `after`, oldest first.
    timelineDesc:
      db.prepare(`${MESSAGE} WHERE m.org = ? AND m.room = ? AND m.thread_id IS NULL AND m.id > ? AND m.id < ?
       ORDER BY m.id DESC LIMIT ?`),
    timelineAsc:
      db.prepare(`${MESSAGE} WHERE m.org = ? AND m.room = ? AND m.thread_id IS NULL AND m.id > ? AND m.id < ?
       ORDER BY m.id ASC LIMIT ?`),
    threadDesc: db.prepare(`${MESSAGE} WHERE m.org = ? AND m.thread_id = ? AND m.id > ? AND m.id < ?
       ORDER BY m.id DESC LIMIT ?`),
    threadAsc: db.prepare(`${MESSAGE} WHERE m.org = ? AND m.thread_id = ? AND m.id > ? AND m.id < ?
       ORDER BY m.id ASC LIMIT ?`),
    // Search reads the newest SEARCH_SCAN_ROWS below `before` directly (a common word fills
    // the page there), then asks the trigram index for the rest (chat-rows.ts searchPlan).
    searchFloor: db.prepare(`SELECT id FROM chat_messages WHERE org = ? AND room = ? AND id < ?
       ORDER BY id DESC LIMIT 1 OFFSET ${SEARCH_SCAN_ROWS - 1}`),
    // SQLite's lower() folds ASCII only, as foldAscii does; instr() has no wildcards.
    search: db.prepare(`${MESSAGE} WHERE m.org = ? AND m.room = ? AND m.id >= ? AND m.id < ?
         AND m.deleted_at IS NULL
         AND instr(lower(m.text), ?) > 0
       ORDER BY m.id DESC LIMIT ?`),
    // The same, with candidates from the trigram index (a phrase of 3 or more characters):
    // instr() still decides, as the index folds more than ASCII.
    searchIndexed: db.prepare(`${MESSAGE} WHERE m.rowid IN
         (SELECT rowid FROM chat_messages_fts WHERE chat_messages_fts MATCH ?)
         AND m.org = ? AND m.room = ? AND m.id < ? AND m.deleted_at IS NULL
         AND instr(lower(m.text), ?) > 0
       ORDER BY m.id DESC LIMIT ?`),
    profile: db.prepare('SELECT time_zone FROM chat_profiles WHERE org = ? AND user_id = ?'),
    setProfile: db.prepare(`INSERT INTO chat_profiles (org, user_id, time_zone) VALUES (?, ?, ?)
       ON CONFLICT (org, user_id) DO UPDATE SET time_zone = excluded.time_zone`),
    insertPush: db.prepare(
      'INSERT INTO push_outbox (org, user_id, channel, data, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
  };
}
