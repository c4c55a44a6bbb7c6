/**
 * The chat store on the SQLite store's file (see `sqlite.ts`): the messages half here, rooms and
 * members in `chat-sqlite-rooms.ts`, which this class extends. Each change is one IMMEDIATE
 * transaction that checks the caller, writes the change and its outbox pushes. better-sqlite3 is
 * synchronous, so a call runs to its end in one go.
 */
import type { ChatMessage } from '@hubcast/protocol';
import {
  checkEdit,
  checkHistory,
  checkMessageRef,
  checkReact,
  checkRoomRef,
  checkSearch,
  checkSend,
  CHAT_EMOJI_PER_MESSAGE_MAX,
  CHAT_PINNED_MAX,
} from './chat-checks.js';
import {
  dataText,
  excerptOf,
  foldAscii,
  toChatMessage,
  trigramPhrase,
  type ReactionRow,
} from './chat-rows.js';
import {
  chatEvents,
  isDeleted,
  nestedThread,
  noMessage,
  notMentionable,
  requireAuthor,
  requireDeleter,
  tooManyEmoji,
  tooManyPins,
} from './chat-rules.js';
import type {
  ChatStore,
  EditInput,
  HistoryOptions,
  MessagePage,
  MessageRef,
  ReactInput,
  SendInput,
  SendResult,
} from './chat-store.js';

import { messageRow, type MessageRow } from './chat-sqlite-sql.js';

import { MAX_ID, NO_ID, SqliteChatRooms } from './chat-sqlite-rooms.js';

export class SqliteChatStore extends SqliteChatRooms implements ChatStore {
  private messageIn(org: string, name: string, field: string, id: number): MessageRow {
    const row = this.stmt.message.get(org, id);
    if (row === undefined || row.room !== name) throw noMessage(field, id);
    return row;
  }

  /** Rows to wire messages, with their reactions read in one statement. */
  private wire(org: string, rows: readonly MessageRow[]): ChatMessage[] {
    if (rows.length === 0) return [];
    const ids = JSON.stringify(rows.map((r) => r.id));
    const byId = new Map<number, ReactionRow[]>();
    for (const r of this.stmt.reactions.all(org, ids)) {
      let list = byId.get(r.message_id);
      if (list === undefined) byId.set(r.message_id, (list = []));
      list.push(r);
    }
    return rows.map((r) => toChatMessage(messageRow(r), byId.get(r.id) ?? []));
  }

  private one(org: string, id: number): ChatMessage {
    const row = this.stmt.message.get(org, id);
    if (row === undefined) throw new Error(`message ${id} vanished inside its transaction`);
    return this.wire(org, [row])[0] as ChatMessage;
  }

  send(org: string, input: SendInput): Promise<SendResult> {
    return this.write(() => {
      const checked = checkSend(org, input);
      const { room: name, user } = input;
      this.roomRow(org, name);
      this.memberOf(org, name, user);
      if (input.clientId !== undefined) {
        const prior = this.stmt.byClientId.get(org, name, user, input.clientId);
        if (prior !== undefined)
          return { message: this.wire(org, [prior])[0] as ChatMessage, duplicate: true };
      }
      const parent =
        checked.replyTo === undefined
          ? undefined
          : this.messageIn(org, name, 'reply_to', checked.replyTo);
      const root =
        checked.threadId === undefined
          ? undefined
          : this.messageIn(org, name, 'thread_id', checked.threadId);
      if (root !== undefined && root.thread_id !== null) throw nestedThread();
      for (const m of checked.mentions)
        if (this.stmt.member.get(org, name, m) === undefined) throw notMentionable(m);

      const id = this.stmt.bumpCounter.get(org)?.last_id;
      if (id === undefined) throw new Error('the id counter returned no row');
      const nowMs = this.now();
      this.stmt.insertMessage.run(
        org,
        id,
        name,
        user,
        input.text,
        dataText(input.data),
        input.clientId ?? null,
        parent?.id ?? null,
        parent?.user_id ?? null,
        parent === undefined ? null : excerptOf(parent.text),
        root?.id ?? null,
        checked.mentions.length === 0 ? null : JSON.stringify(checked.mentions),
        nowMs,
      );
      const message = this.one(org, id);
      this.push(org, [chatEvents.message(message)], nowMs);
      if (root !== undefined) this.addReplies(org, root.id, +1, nowMs);
      return { message, duplicate: false };
    });
  }

  private addReplies(org: string, rootId: number, by: number, nowMs: number): void {
    this.stmt.addReplies.run(by, org, rootId);
    this.push(org, [chatEvents.updated('reply_count', this.one(org, rootId))], nowMs);
  }

  /** The member's row and the message `ref` names, in a room they are a member of. */
  private target(org: string, ref: MessageRef, id: number) {
    this.roomRow(org, ref.room);
    const me = this.memberOf(org, ref.room, ref.user);
    return { me, row: this.messageIn(org, ref.room, 'id', id) };
  }

  edit(org: string, input: EditInput): Promise<ChatMessage> {
    return this.write(() => {
      const { row } = this.target(org, input, checkEdit(org, input));
      requireAuthor({ user: row.user_id }, input.user, 'edit');
      if (row.deleted_at !== null) throw isDeleted(String(row.id));
      const data = input.data === undefined ? row.data : dataText(input.data);
      const nowMs = this.now();
      this.stmt.edit.run(input.text, data, nowMs, org, row.id);
      const message = this.one(org, row.id);
      this.push(org, [chatEvents.updated('edited', message)], nowMs);
      return message;
    });
  }

  delete(org: string, input: MessageRef): Promise<ChatMessage> {
    return this.write(() => {
      const { me, row } = this.target(org, input, checkMessageRef(org, input));
      requireDeleter({ user: row.user_id }, input.user, me.role);
      if (row.deleted_at !== null) return this.wire(org, [row])[0] as ChatMessage;
      const nowMs = this.now();
      this.stmt.tombstone.run(nowMs, org, row.id);
      this.stmt.clearReactions.run(org, row.id);
      const message = this.one(org, row.id);
      this.push(org, [chatEvents.updated('deleted', message)], nowMs);
      if (row.thread_id !== null) this.addReplies(org, row.thread_id, -1, nowMs);
      return message;
    });
  }

  react(org: string, input: ReactInput): Promise<{ message: ChatMessage; added: boolean }> {
    return this.write(() => {
      const { row } = this.target(org, input, checkReact(org, input));
      if (row.deleted_at !== null) throw isDeleted(String(row.id));
      const seen = this.stmt.emojiCount.get(input.emoji, input.emoji, input.user, org, row.id);
      const added = seen?.mine !== 1;
      if (added) {
        if (seen?.has_emoji !== 1 && (seen?.emoji ?? 0) >= CHAT_EMOJI_PER_MESSAGE_MAX)
          throw tooManyEmoji();
        this.stmt.addReaction.run(org, row.id, input.emoji, input.user);
      } else {
        this.stmt.removeReaction.run(org, row.id, input.emoji, input.user);
      }
      this.stmt.bumpVersion.run(org, row.id);
      const message = this.one(org, row.id);
      this.push(org, [chatEvents.updated('reaction', message)], this.now());
      return { message, added };
    });
  }

  pin(org: string, input: MessageRef, pinned: boolean): Promise<ChatMessage> {
    return this.write(() => {
      const { row } = this.target(org, input, checkMessageRef(org, input));
      if (pinned && row.deleted_at !== null) throw isDeleted(String(row.id));
      if ((row.pin_seq !== null) === pinned) return this.wire(org, [row])[0] as ChatMessage;
      const nowMs = this.now();
      if (pinned) {
        const pins = this.stmt.pins.get(org, input.room) ?? { count: 0, last: 0 };
        if (pins.count >= CHAT_PINNED_MAX) throw tooManyPins();
        this.stmt.pin.run(nowMs, input.user, pins.last + 1, org, row.id);
      } else {
        this.stmt.pin.run(null, null, null, org, row.id);
      }
      const message = this.one(org, row.id);
      this.push(org, [chatEvents.updated(pinned ? 'pinned' : 'unpinned', message)], nowMs);
      return message;
    });
  }

  pinned(org: string, name: string, user: string): Promise<ChatMessage[]> {
    return this.read(() => {
      checkRoomRef(org, name, user);
      this.roomRow(org, name);
      this.memberOf(org, name, user);
      return this.wire(org, this.stmt.pinned.all(org, name, CHAT_PINNED_MAX));
    });
  }

  message(org: string, input: MessageRef): Promise<ChatMessage> {
    return this.read(() => {
      const { row } = this.target(org, input, checkMessageRef(org, input));
      return this.wire(org, [row])[0] as ChatMessage;
    });
  }

  history(org: string, name: string, user: string, options: HistoryOptions): Promise<MessagePage> {
    return this.read(() => {
      const { limit, before, after, threadId } = checkHistory(org, name, user, options);
      this.roomRow(org, name);
      this.memberOf(org, name, user);
      if (threadId !== undefined) this.messageIn(org, name, 'thread_id', threadId);
      const lo = after ?? NO_ID;
      const hi = before ?? MAX_ID;
      const ascending = after !== undefined;
      const s = this.stmt;
      const rows =
        threadId === undefined
          ? (ascending ? s.timelineAsc : s.timelineDesc).all(org, name, lo, hi, limit + 1)
          : (ascending ? s.threadAsc : s.threadDesc).all(org, threadId, lo, hi, limit + 1);
      const page = rows.slice(0, limit);
      if (!ascending) page.reverse();
      return { messages: this.wire(org, page), more: rows.length > limit };
    });
  }

  search(
    org: string,
    name: string,
    user: string,
    text: string,
    options: { limit: number; before?: string },
  ): Promise<MessagePage> {
    return this.read(() => {
      const { limit, before } = checkSearch(org, name, user, text, options);
      this.roomRow(org, name);
      this.memberOf(org, name, user);
      const needle = foldAscii(text);
      const phrase = trigramPhrase(needle);
      const hi = before ?? MAX_ID;
      // Below the floor lie the older messages that the index searches; no floor: a short room.
      const floor = phrase === undefined ? undefined : this.stmt.searchFloor.get(org, name, hi)?.id;
      const rows = this.stmt.search.all(org, name, floor ?? 0, hi, needle, limit + 1);
      if (phrase !== undefined && floor !== undefined && rows.length <= limit) {
        const rest = limit + 1 - rows.length;
        rows.push(...this.stmt.searchIndexed.all(phrase, org, name, floor, needle, rest));
      }
      return { messages: this.wire(org, rows.slice(0, limit)), more: rows.length > limit };
    });
  }

  markRead(
    org: string,
    input: MessageRef,
  ): Promise<{ last_read: string; unread: number; moved: boolean }> {
    return this.write(() => {
      const { me, row } = this.target(org, input, checkMessageRef(org, input));
      const moved = me.last_read === null || row.id > me.last_read;
      const lastRead = moved ? row.id : (me.last_read ?? row.id);
      if (moved) this.stmt.setLastRead.run(lastRead, org, input.room, input.user);
      const unread = this.stmt.unread.get(org, input.room, lastRead, input.user)?.n ?? 0;
      const position = String(lastRead);
      if (moved)
        this.push(org, chatEvents.read(input.room, input.user, position, unread), this.now());
      return { last_read: position, unread, moved };
    });
  }
}
