/**
 * Who may change what in a room, the refusals every backend answers with, and the outbox events
 * each change writes, decided once for SQLite, PostgreSQL and memory. Backends call these inside
 * the transaction that acts, on the state it read.
 */
import {
  badRequest,
  chatChannel,
  chatUserChannel,
  conflict,
  forbidden,
  limitExceeded,
  notFound,
  type ChatChange,
  type ChatMember,
  type ChatMessage,
  type ChatRole,
  type ChatRoom,
  type JsonValue,
} from '@hubcast/protocol';
import { CHAT_EMOJI_PER_MESSAGE_MAX, CHAT_PINNED_MAX } from './chat-checks.js';

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
