/**
 * What the three chat backends share about rows: the mapping from a stored message, room and
 * member to the wire shape, excerpts and search folding, so SQLite, PostgreSQL and memory cannot
 * drift apart (as `notification-rows.ts` does for the inbox). Argument checks are in
 * `chat-checks.ts`, who may do what and the events of each change in `chat-rules.ts`.
 *
 * A deleted message is a tombstone: its text is '' and its data, mentions, reactions and pin are
 * gone; it keeps its id, author, place in history, reply and thread links and reply count.
 */
import {
  CHAT_EXCERPT_CHARS,
  type ChatMember,
  type ChatMessage,
  type ChatRole,
  type ChatRoom,
  type JsonValue,
} from '@hubcast/protocol';
import { dataText } from './notification-rows.js';

export { dataText };

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

/** The trigram index finds a needle of 3 characters (code points) or more; shorter ones scan. */
export const TRIGRAM_MIN_CHARS = 3;

/**
 * Search reads this many of the newest messages below `before` row by row before it asks the
 * trigram index: a common word fills its page there at once, where the index would gather every
 * match of the room (and of other rooms) to sort them; a rare one costs one short scan more.
 */
export const SEARCH_SCAN_ROWS = 1000;

/** Trigrams the index is asked for at most: enough to narrow, few enough to stay cheap. */
export const INDEX_TRIGRAMS_MAX = 4;

/**
 * The FTS5 query for `needle` with the trigram tokenizer: up to `INDEX_TRIGRAMS_MAX` of its
 * trigrams, spread from its start to its end, each quoted (no character is query syntax) and
 * ANDed; `undefined` when the needle is too short for a trigram. The index only proposes
 * candidates, and the text itself decides: a phrase of the whole needle reads every one of its
 * trigrams' lists over all rooms, about 2 s for a 200-character needle over 200,000 messages.
 */
export function trigramPhrase(needle: string): string | undefined {
  const chars = [...needle];
  const last = chars.length - TRIGRAM_MIN_CHARS;
  if (last < 0) return undefined;
  const picked = new Set<string>();
  for (let i = 0; i < INDEX_TRIGRAMS_MAX; i++) {
    const at = Math.round((last * i) / Math.max(1, INDEX_TRIGRAMS_MAX - 1));
    picked.add(chars.slice(at, at + TRIGRAM_MIN_CHARS).join(''));
  }
  return [...picked].map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
}

/**
 * The part of `needle` the PostgreSQL trigram index is asked for (its first characters): pg_trgm
 * reads one posting list per trigram of a LIKE pattern, so a long needle would cost one list per
 * character; the exact match on the whole needle decides after.
 */
export function indexedPrefix(needle: string): string {
  return [...needle].slice(0, INDEX_TRIGRAMS_MAX + TRIGRAM_MIN_CHARS - 1).join('');
}

/** `text` as a LIKE pattern matching itself (backslash is LIKE's default escape). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
