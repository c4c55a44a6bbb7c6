/**
 * The chat service's wire shapes (docs/chat.md): what `chat.*` rpc results and the events on
 * `chat.<room>` and `user.<id>.chat` carry. Types and pure name rules only, shared by the
 * server, the SDK and the UI bindings. Times are RFC 3339 UTC with milliseconds; ids are
 * decimal strings of a per-tenant sequence, so a larger id is a newer message.
 */
import type { JsonValue } from './messages.js';

export type ChatRole = 'owner' | 'member';

export interface ChatRoom {
  /** The room's name: one channel segment, so its events are on `chat.<room>`. */
  room: string;
  title?: string;
  created_by: string;
  created_at: string;
}

export interface ChatMember {
  user: string;
  role: ChatRole;
  joined_at: string;
  /** The newest message id this member has read; absent before the first `chat.markRead`. */
  last_read?: string;
}

/** The parent of a reply, copied into the reply so a client can draw it without a fetch. */
export interface ChatReplyRef {
  id: string;
  user: string;
  /** The parent's text cut to `CHAT_EXCERPT_CHARS` (empty once the parent is deleted). */
  excerpt: string;
  deleted?: true;
}

export interface ChatMessage {
  id: string;
  room: string;
  user: string;
  /** Empty on a deleted message (a tombstone keeps its place in history). */
  text: string;
  data?: JsonValue;
  /** The sender's own id for the message, which makes a resend a duplicate. */
  client_id?: string;
  reply_to?: ChatReplyRef;
  /** The root message of the follow-up thread this message belongs to. */
  thread_id?: string;
  /** On a thread root: how many messages (not deleted) its thread holds. */
  reply_count: number;
  /** Users notified by this message; each was a member when it was sent. */
  mentions?: string[];
  /** Emoji to the users who reacted with it, sorted; an emoji with no users is absent. */
  reactions: { [emoji: string]: string[] };
  /** 1 when sent, +1 on every change (edit, delete, reaction, pin, reply count): keep the highest. */
  version: number;
  created_at: string;
  /** Set by the last text edit only. */
  edited_at?: string;
  deleted_at?: string;
  pinned_at?: string;
  pinned_by?: string;
}

/** What changed a message; `chat.message_updated` names it. */
export type ChatChange = 'edited' | 'deleted' | 'reaction' | 'pinned' | 'unpinned' | 'reply_count';

/** The data of events on `chat.<room>` (durable, in the log). */
export type ChatRoomEventData =
  | { type: 'chat.message'; message: ChatMessage }
  | { type: 'chat.message_updated'; change: ChatChange; message: ChatMessage }
  | { type: 'chat.member_joined'; room: string; member: ChatMember }
  | { type: 'chat.member_left'; room: string; user: string }
  | { type: 'chat.member_updated'; room: string; member: ChatMember }
  | { type: 'chat.read'; room: string; user: string; message_id: string };

/** The data of events on `user.<id>.chat`, which keep one user's devices in step. */
export type ChatUserEventData =
  | { type: 'chat.room_joined'; room: ChatRoom; role: ChatRole }
  | { type: 'chat.room_left'; room: string }
  | { type: 'chat.unread'; room: string; count: number; last_read: string };

/** The longest `text` of a message, in UTF-16 code units. */
export const CHAT_TEXT_MAX_CHARS = 4000;
/** `reply_to.excerpt` is the parent's text cut to this many characters. */
export const CHAT_EXCERPT_CHARS = 140;
/** The longest `client_id`, room title, emoji. */
export const CHAT_CLIENT_ID_MAX_CHARS = 64;
export const CHAT_TITLE_MAX_CHARS = 200;
export const CHAT_EMOJI_MAX_CHARS = 32;
/** The most mentions one message may carry. */
export const CHAT_MENTIONS_MAX = 50;

/** The channel of a room's events. */
export function chatChannel(room: string): string {
  return `chat.${room}`;
}

/** The channel that keeps one user's devices in step on their rooms and unread counts. */
export function chatUserChannel(user: string): string {
  return `user.${user}.chat`;
}

/**
 * The room a channel or pattern under `chat.` names (`chat.general` and `chat.general.x` →
 * `general`), or `undefined` outside `chat.`. A wildcard there (`chat.*`, `chat.>`) comes back
 * as `*` or `>`, which is nobody's room: rooms are gated by membership, so, as with personal
 * channels, only a subscription naming one room may receive its events.
 */
export function chatRoomOf(name: string): string | undefined {
  if (!name.startsWith('chat.')) return undefined;
  const end = name.indexOf('.', 5);
  return end === -1 ? name.slice(5) : name.slice(5, end);
}

/** The data of the ephemeral `chat.typing` event on `chat.<room>` (never logged). */
export interface ChatTypingEventData {
  type: 'chat.typing';
  room: string;
  user: string;
}
