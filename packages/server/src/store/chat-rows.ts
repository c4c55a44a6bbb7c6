/**
 * What the three chat backends share: argument checks, the id format, the authorization
 * decisions, the mapping from a stored row to the wire shape and the outbox events of each
 * change, so SQLite, PostgreSQL and memory cannot drift apart (as `notification-rows.ts` does
 * for the inbox).
 *
 * A deleted message is a tombstone: its text is '' and its data, mentions, reactions and pin are
 * gone; it keeps its id, author, place in history, reply and thread links and reply count.
 */
import {
  badRequest,
  CHAT_CLIENT_ID_MAX_CHARS,
  CHAT_EMOJI_MAX_CHARS,
  CHAT_EXCERPT_CHARS,
  CHAT_MENTIONS_MAX,
  CHAT_TEXT_MAX_CHARS,
  CHAT_TITLE_MAX_CHARS,
  chatChannel,
  chatUserChannel,
  conflict,
  forbidden,
  isValidSegment,
  limitExceeded,
  notFound,
  type ChatChange,
  type ChatMember,
  type ChatMessage,
  type ChatRole,
  type ChatRoom,
  type JsonValue,
} from '@hubcast/protocol';
import {
  CHAT_HISTORY_LIMIT_MAX,
  type ChatProfile,
  type CreateRoomInput,
  type EditInput,
  type HistoryOptions,
  type MessageRef,
  type ReactInput,
  type SendInput,
} from './chat-store.js';
import { dataText, parseNotificationId } from './notification-rows.js';

/** The most users one `createRoom` or `addMembers` may name. */
export const CHAT_USERS_PER_CALL_MAX = 1000;
/** The most pinned messages a room keeps; `pinned` answers them all. */
export const CHAT_PINNED_MAX = 100;
/** The most distinct emoji on one message (the users per emoji are bounded by the members). */
export const CHAT_EMOJI_PER_MESSAGE_MAX = 50;
/** The longest `time_zone` of a profile (IANA names are far shorter). */
export const CHAT_TIME_ZONE_MAX_CHARS = 64;

/** A message as a backend reads it back; times in Unix ms, ids as decimal strings. */
export interface ChatMessageRow {
  id: string;
  room: string;
  user: string;
  text: string;
  /** JSON text; NULL when the message has no `data`. */
  data: string | null;
  clientId: string | null;
  replyToId: string | null;
  replyToUser: string | null;
  /** The parent's excerpt as copied at send time. */
  replyToExcerpt: string | null;
  /** The parent is deleted now (read from the parent, not copied). */
  replyToDeleted: boolean;
  threadId: string | null;
  replyCount: number;
  /** JSON array text; NULL without mentions. */
  mentions: string | null;
  version: number;
  createdAtMs: number;
  editedAtMs: number | null;
  deletedAtMs: number | null;
  pinnedAtMs: number | null;
  pinnedBy: string | null;
}

/** One user's reaction as stored: one row per (message, emoji, user). */
export interface ReactionRow {
  emoji: string;
  user: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toChatMessage(row: ChatMessageRow, reactions: readonly ReactionRow[]): ChatMessage {
  const replyTo =
    row.replyToId === null
      ? {}
      : {
          reply_to: {
            id: row.replyToId,
            user: row.replyToUser ?? '',
            excerpt: row.replyToDeleted ? '' : (row.replyToExcerpt ?? ''),
            ...(row.replyToDeleted ? { deleted: true as const } : {}),
          },
        };
  return {
    id: row.id,
    room: row.room,
    user: row.user,
    text: row.text,
    ...(row.data === null ? {} : { data: JSON.parse(row.data) as JsonValue }),
    ...(row.clientId === null ? {} : { client_id: row.clientId }),
    ...replyTo,
    ...(row.threadId === null ? {} : { thread_id: row.threadId }),
    reply_count: row.replyCount,
    ...(row.mentions === null ? {} : { mentions: JSON.parse(row.mentions) as string[] }),
    reactions: groupReactions(reactions),
    version: row.version,
    created_at: iso(row.createdAtMs),
    ...(row.editedAtMs === null ? {} : { edited_at: iso(row.editedAtMs) }),
    ...(row.deletedAtMs === null ? {} : { deleted_at: iso(row.deletedAtMs) }),
    ...(row.pinnedAtMs === null ? {} : { pinned_at: iso(row.pinnedAtMs) }),
    ...(row.pinnedBy === null ? {} : { pinned_by: row.pinnedBy }),
  };
}

/** Emoji (sorted) to their users (sorted): one order whatever order the backend read them in. */
export function groupReactions(rows: readonly ReactionRow[]): { [emoji: string]: string[] } {
  const byEmoji = new Map<string, string[]>();
  for (const { emoji, user } of rows) {
    let users = byEmoji.get(emoji);
    if (users === undefined) byEmoji.set(emoji, (users = []));
    users.push(user);
  }
  const out: { [emoji: string]: string[] } = {};
  for (const emoji of [...byEmoji.keys()].sort()) out[emoji] = (byEmoji.get(emoji) ?? []).sort();
  return out;
}

export const toRoom = (row: {
  room: string;
  title: string | null;
  createdBy: string;
  createdAtMs: number;
}): ChatRoom => ({
  room: row.room,
  ...(row.title === null ? {} : { title: row.title }),
  created_by: row.createdBy,
  created_at: iso(row.createdAtMs),
});

export const toMember = (row: {
  user: string;
  role: ChatRole;
  joinedAtMs: number;
  lastRead: string | null;
}): ChatMember => ({
  user: row.user,
  role: row.role,
  joined_at: iso(row.joinedAtMs),
  ...(row.lastRead === null ? {} : { last_read: row.lastRead }),
});

/**
 * The parent's text cut to `CHAT_EXCERPT_CHARS` code units, one shorter when the cut would split
 * a surrogate pair (half an emoji would not survive a UTF-8 round trip).
 */
export function excerptOf(text: string): string {
  if (text.length <= CHAT_EXCERPT_CHARS) return text;
  const last = text.charCodeAt(CHAT_EXCERPT_CHARS - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? CHAT_EXCERPT_CHARS - 1 : CHAT_EXCERPT_CHARS;
  return text.slice(0, end);
}

/**
 * Case folding for `search`: ASCII letters only, which is what SQLite's `lower()` does and what
 * the PostgreSQL query spells with `translate`, so all backends match the same messages whatever
 * the database's locale.
 */
export function foldAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

// ---- argument checks (before any transaction) ----

/** PostgreSQL text cannot hold U+0000: refused everywhere to keep one contract. */
function checkString(field: string, value: unknown, maxChars: number, minChars = 1): string {
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  if (value.length < minChars) throw badRequest(`${field} must not be empty`);
  if (value.length > maxChars) throw badRequest(`${field} must be at most ${maxChars} characters`);
  if (value.includes('\u0000')) throw badRequest(`${field} must not contain U+0000`);
  return value;
}

export function checkOrg(org: unknown): void {
  checkString('org', org, 1000);
}

/** Room names and user ids become channel segments (`chat.<room>`, `user.<id>.chat`). */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !isValidSegment(value)) {
    throw badRequest(`${field} must be 1 to 64 of A-Z a-z 0-9 _ - : @ = +`);
  }
  return value;
}

/** The number behind a message id (canonical decimal), or a `bad_request` naming the field. */
export function checkId(field: string, id: unknown): number {
  const n = parseNotificationId(id);
  if (n === undefined) throw badRequest(`${field} must be a message id`);
  return n;
}

/** A list of user ids, each once, in the order first named. */
export function checkUsers(field: string, users: unknown): string[] {
  if (!Array.isArray(users)) throw badRequest(`${field} must be an array`);
  if (users.length > CHAT_USERS_PER_CALL_MAX) {
    throw badRequest(`${field} must name at most ${CHAT_USERS_PER_CALL_MAX} users`);
  }
  return [...new Set(users.map((u: unknown, i) => checkName(`${field}[${i}]`, u)))];
}

export function checkRoomRef(org: string, room: string, user?: string): void {
  checkOrg(org);
  checkName('room', room);
  if (user !== undefined) checkName('user', user);
}

export function checkCreateRoom(org: string, input: CreateRoomInput): string[] {
  checkRoomRef(org, input.room, input.owner);
  if (input.title !== undefined) checkString('title', input.title, CHAT_TITLE_MAX_CHARS, 0);
  const members = checkUsers('members', input.members ?? []);
  return members.filter((m) => m !== input.owner);
}

/** Text may be empty only when the call carries `data` (an attachment without a caption). */
function checkMessageText(text: unknown, hasData: boolean): void {
  checkString('text', text, CHAT_TEXT_MAX_CHARS, hasData ? 0 : 1);
}

/** Checked send arguments; mentions deduplicated. */
export interface CheckedSend {
  replyTo?: number;
  threadId?: number;
  mentions: string[];
}

export function checkSend(org: string, input: SendInput): CheckedSend {
  checkRoomRef(org, input.room, input.user);
  checkMessageText(input.text, input.data !== undefined);
  if (input.clientId !== undefined) {
    checkString('client_id', input.clientId, CHAT_CLIENT_ID_MAX_CHARS);
  }
  const mentions = input.mentions === undefined ? [] : checkUsers('mentions', input.mentions);
  if (mentions.length > CHAT_MENTIONS_MAX) {
    throw badRequest(`mentions must name at most ${CHAT_MENTIONS_MAX} users`);
  }
  return {
    ...(input.replyTo === undefined ? {} : { replyTo: checkId('reply_to', input.replyTo) }),
    ...(input.threadId === undefined ? {} : { threadId: checkId('thread_id', input.threadId) }),
    mentions,
  };
}

export function checkMessageRef(org: string, input: MessageRef): number {
  checkRoomRef(org, input.room, input.user);
  return checkId('id', input.id);
}

export function checkEdit(org: string, input: EditInput): number {
  const id = checkMessageRef(org, input);
  checkMessageText(input.text, input.data !== undefined);
  return id;
}

export function checkReact(org: string, input: ReactInput): number {
  const id = checkMessageRef(org, input);
  checkString('emoji', input.emoji, CHAT_EMOJI_MAX_CHARS);
  return id;
}

function checkLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw badRequest(`limit must be an integer from 1 to ${CHAT_HISTORY_LIMIT_MAX}`);
  }
  if (limit > CHAT_HISTORY_LIMIT_MAX) {
    throw badRequest(`limit must be an integer from 1 to ${CHAT_HISTORY_LIMIT_MAX}`);
  }
  return limit;
}

export interface CheckedHistory {
  limit: number;
  /** Exclusive bounds of the ids to read. */
  before?: number;
  after?: number;
  threadId?: number;
}

export function checkHistory(
  org: string,
  room: string,
  user: string,
  options: HistoryOptions,
): CheckedHistory {
  checkRoomRef(org, room, user);
  const limit = checkLimit(options.limit);
  if (options.before !== undefined && options.after !== undefined) {
    throw badRequest('before and after cannot be given together');
  }
  return {
    limit,
    ...(options.before === undefined ? {} : { before: checkId('before', options.before) }),
    ...(options.after === undefined ? {} : { after: checkId('after', options.after) }),
    ...(options.threadId === undefined ? {} : { threadId: checkId('thread_id', options.threadId) }),
  };
}

export function checkSearch(
  org: string,
  room: string,
  user: string,
  text: string,
  options: { limit: number; before?: string },
): { limit: number; before?: number } {
  checkRoomRef(org, room, user);
  checkString('text', text, CHAT_TEXT_MAX_CHARS);
  const limit = checkLimit(options.limit);
  return {
    limit,
    ...(options.before === undefined ? {} : { before: checkId('before', options.before) }),
  };
}

export function checkProfile(org: string, user: string, profile?: ChatProfile): void {
  checkOrg(org);
  checkName('user', user);
  if (profile?.time_zone !== undefined) {
    checkString('time_zone', profile.time_zone, CHAT_TIME_ZONE_MAX_CHARS);
  }
}

export const checkRole = (role: unknown): ChatRole => {
  if (role !== 'owner' && role !== 'member') throw badRequest("role must be 'owner' or 'member'");
  return role;
};

// ---- decisions inside the transaction ----

/** The caller's membership, or `not_found`: a non-member cannot tell the room exists. */
export function requireMember<M>(member: M | undefined, room: string): M {
  if (member === undefined) throw notFound(`no room '${room}'`);
  return member;
}

/**
 * When `by` acts (undefined: the HTTP API, which may do anything), they must be an owner:
 * `not_found` for a non-member, `forbidden` for a plain member.
 */
export function requireOwner(
  by: string | undefined,
  role: ChatRole | undefined,
  room: string,
  action: string,
): void {
  if (by === undefined) return;
  if (requireMember(role, room) !== 'owner') throw forbidden(`only an owner may ${action}`);
}

export const noRoom = (room: string): Error => notFound(`no room '${room}'`);
export const roomTaken = (room: string): Error => conflict(`room '${room}' exists`);
export const noMessage = (field: string, id: string | number): Error =>
  notFound(`${field}: no message ${id} in this room`);
export const noMember = (user: string): Error => notFound(`'${user}' is not a member`);
export const lastOwner = (): Error =>
  conflict('the last owner cannot leave or step down while other members stay');
export const isDeleted = (id: string): Error => conflict(`message ${id} is deleted`);
export const notMentionable = (user: string): Error =>
  badRequest(`mentions: '${user}' is not a member of the room`);
export const nestedThread = (): Error =>
  badRequest('thread_id names a message in a thread: threads do not nest');
export const tooManyPins = (): Error =>
  limitExceeded(`a room keeps at most ${CHAT_PINNED_MAX} pinned messages`);
export const tooManyEmoji = (): Error =>
  limitExceeded(`a message carries at most ${CHAT_EMOJI_PER_MESSAGE_MAX} different emoji`);

/** Only the author edits. */
export function requireAuthor(message: { user: string }, user: string, action: string): void {
  if (message.user !== user) throw forbidden(`only the author may ${action} a message`);
}

/** The author, or an owner of the room, deletes. */
export function requireDeleter(message: { user: string }, user: string, role: ChatRole): void {
  if (message.user !== user && role !== 'owner') {
    throw forbidden('only the author or an owner may delete a message');
  }
}

/** Removing `target` by `by`: themselves, or another as an owner (or the HTTP API). */
export function checkRemoval(
  room: string,
  target: string,
  by: string | undefined,
  byRole: ChatRole | undefined,
): void {
  if (by === undefined || by === target) {
    if (by !== undefined) requireMember(byRole, room);
    return;
  }
  requireOwner(by, byRole, room, 'remove another member');
}

/**
 * Whether removing or demoting an owner leaves the room without one while members stay.
 * `owners` and `members` count the room before the change.
 */
export function leavesNoOwner(role: ChatRole, owners: number, members: number): boolean {
  return role === 'owner' && owners === 1 && members > 1;
}

// ---- the outbox events of each change ----

/** A push as a backend writes it into the outbox (`PendingPush` without its id). */
export interface OutboxEntry {
  channel: string;
  /** The user the event is about (the member, the author). */
  user: string;
  data: JsonValue;
}

const onRoom = (room: string, user: string, data: JsonValue): OutboxEntry => ({
  channel: chatChannel(room),
  user,
  data,
});
const onUser = (user: string, data: JsonValue): OutboxEntry => ({
  channel: chatUserChannel(user),
  user,
  data,
});

/** JSON values of the protocol's types (which are JSON by construction). */
const json = (value: object): JsonValue => value as JsonValue;

export const chatEvents = {
  message: (m: ChatMessage): OutboxEntry =>
    onRoom(m.room, m.user, json({ type: 'chat.message', message: m })),
  updated: (change: ChatChange, m: ChatMessage): OutboxEntry =>
    onRoom(m.room, m.user, json({ type: 'chat.message_updated', change, message: m })),
  /** `member_joined` on the room, then `room_joined` on the member's own channel. */
  joined: (room: ChatRoom, member: ChatMember): OutboxEntry[] => [
    onRoom(room.room, member.user, json({ type: 'chat.member_joined', room: room.room, member })),
    onUser(member.user, json({ type: 'chat.room_joined', room, role: member.role })),
  ],
  /** `member_left` on the room, then `room_left` on the user's own channel. */
  left: (room: string, user: string): OutboxEntry[] => [
    onRoom(room, user, { type: 'chat.member_left', room, user }),
    onUser(user, { type: 'chat.room_left', room }),
  ],
  memberUpdated: (room: string, member: ChatMember): OutboxEntry =>
    onRoom(room, member.user, json({ type: 'chat.member_updated', room, member })),
  /** `read` on the room, then the new count on the reader's own channel. */
  read: (room: string, user: string, lastRead: string, unread: number): OutboxEntry[] => [
    onRoom(room, user, { type: 'chat.read', room, user, message_id: lastRead }),
    onUser(user, { type: 'chat.unread', room, count: unread, last_read: lastRead }),
  ],
};

/** The JSON text a backend stores for an entry's data. */
export const entryText = (entry: OutboxEntry): string => JSON.stringify(entry.data);

export { dataText };
