/**
 * The chat store in memory, for tests and `--store memory` playgrounds: the contract of
 * `chat-store.ts` on Maps; the messages half here, rooms and members in `chat-memory-rooms.ts`,
 * which this class extends. Every call runs synchronously to its end and checks everything before
 * it changes anything, which makes each call as atomic as a transaction.
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
import { dataText, excerptOf, foldAscii, toChatMessage } from './chat-rows.js';
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
import {
  MemoryChatRooms,
  type MessageState,
  type OrgChat,
  type RoomState,
} from './chat-memory-rooms.js';

export class MemoryChatStore extends MemoryChatRooms implements ChatStore {
  private messageIn(chat: OrgChat, room: RoomState, field: string, id: number): MessageState {
    const m = chat.messages.get(id);
    if (m === undefined || m.room !== room.row.room) throw noMessage(field, id);
    return m;
  }

  private wire(chat: OrgChat, m: MessageState): ChatMessage {
    const parent = m.replyToId === null ? undefined : chat.messages.get(Number(m.replyToId));
    const reactions = [...m.reactions].flatMap(([emoji, users]) =>
      [...users].map((user) => ({ emoji, user })),
    );
    return toChatMessage({ ...m, replyToDeleted: parent?.deletedAtMs != null }, reactions);
  }

  send(org: string, input: SendInput): Promise<SendResult> {
    return this.run(() => {
      const checked = checkSend(org, input);
      const chat = this.org(org);
      const [state] = this.memberRoom(chat, input.room, input.user);
      const clientKey = `${input.user}\n${input.clientId ?? ''}`;
      if (input.clientId !== undefined) {
        const prior = state.clientIds.get(clientKey);
        if (prior !== undefined) {
          const m = this.messageIn(chat, state, 'client_id', prior);
          return { message: this.wire(chat, m), duplicate: true };
        }
      }
      const parent =
        checked.replyTo === undefined
          ? undefined
          : this.messageIn(chat, state, 'reply_to', checked.replyTo);
      const root =
        checked.threadId === undefined
          ? undefined
          : this.messageIn(chat, state, 'thread_id', checked.threadId);
      if (root !== undefined && root.threadId !== null) throw nestedThread();
      for (const user of checked.mentions) if (!state.members.has(user)) throw notMentionable(user);

      const nowMs = this.now();
      const id = ++chat.lastId;
      const m: MessageState = {
        id: String(id),
        room: input.room,
        user: input.user,
        text: input.text,
        data: dataText(input.data),
        clientId: input.clientId ?? null,
        replyToId: parent?.id ?? null,
        replyToUser: parent?.user ?? null,
        replyToExcerpt: parent === undefined ? null : excerptOf(parent.text),
        threadId: root?.id ?? null,
        replyCount: 0,
        mentions: checked.mentions.length === 0 ? null : JSON.stringify(checked.mentions),
        version: 1,
        createdAtMs: nowMs,
        editedAtMs: null,
        deletedAtMs: null,
        pinnedAtMs: null,
        pinnedBy: null,
        reactions: new Map(),
        pinSeq: null,
      };
      chat.messages.set(id, m);
      state.ids.push(id);
      if (input.clientId !== undefined) state.clientIds.set(clientKey, id);
      const message = this.wire(chat, m);
      this.push(org, [chatEvents.message(message)]);
      if (root !== undefined) this.changeReplyCount(org, chat, root, +1);
      return { message, duplicate: false };
    });
  }

  private changeReplyCount(org: string, chat: OrgChat, root: MessageState, by: number): void {
    root.replyCount += by;
    root.version++;
    this.push(org, [chatEvents.updated('reply_count', this.wire(chat, root))]);
  }

  /** The message `ref` names, in a room the caller is a member of. */
  private target(org: string, ref: MessageRef, id: number) {
    const chat = this.org(org);
    const [state, member] = this.memberRoom(chat, ref.room, ref.user);
    return { chat, state, member, m: this.messageIn(chat, state, 'id', id) };
  }

  edit(org: string, input: EditInput): Promise<ChatMessage> {
    return this.run(() => {
      const { chat, m } = this.target(org, input, checkEdit(org, input));
      requireAuthor(m, input.user, 'edit');
      if (m.deletedAtMs !== null) throw isDeleted(m.id);
      m.text = input.text;
      if (input.data !== undefined) m.data = dataText(input.data);
      m.editedAtMs = this.now();
      m.version++;
      const message = this.wire(chat, m);
      this.push(org, [chatEvents.updated('edited', message)]);
      return message;
    });
  }

  delete(org: string, input: MessageRef): Promise<ChatMessage> {
    return this.run(() => {
      const { chat, state, member, m } = this.target(org, input, checkMessageRef(org, input));
      requireDeleter(m, input.user, member.role);
      if (m.deletedAtMs !== null) return this.wire(chat, m);
      Object.assign(m, {
        text: '',
        data: null,
        mentions: null,
        deletedAtMs: this.now(),
        pinnedAtMs: null,
        pinnedBy: null,
        pinSeq: null,
        version: m.version + 1,
      });
      m.reactions.clear();
      const message = this.wire(chat, m);
      this.push(org, [chatEvents.updated('deleted', message)]);
      if (m.threadId !== null) {
        this.changeReplyCount(org, chat, this.messageIn(chat, state, 'thread_id', +m.threadId), -1);
      }
      return message;
    });
  }

  react(org: string, input: ReactInput): Promise<{ message: ChatMessage; added: boolean }> {
    return this.run(() => {
      const { chat, m } = this.target(org, input, checkReact(org, input));
      if (m.deletedAtMs !== null) throw isDeleted(m.id);
      const users = m.reactions.get(input.emoji);
      const added = users?.has(input.user) !== true;
      if (added) {
        if (users === undefined && m.reactions.size >= CHAT_EMOJI_PER_MESSAGE_MAX) {
          throw tooManyEmoji();
        }
        if (users === undefined) m.reactions.set(input.emoji, new Set([input.user]));
        else users.add(input.user);
      } else {
        users?.delete(input.user);
        if (users?.size === 0) m.reactions.delete(input.emoji);
      }
      m.version++;
      const message = this.wire(chat, m);
      this.push(org, [chatEvents.updated('reaction', message)]);
      return { message, added };
    });
  }

  pin(org: string, input: MessageRef, pinned: boolean): Promise<ChatMessage> {
    return this.run(() => {
      const { chat, state, m } = this.target(org, input, checkMessageRef(org, input));
      if (pinned && m.deletedAtMs !== null) throw isDeleted(m.id);
      if ((m.pinSeq !== null) === pinned) return this.wire(chat, m);
      if (pinned) {
        const count = state.ids.filter((id) => chat.messages.get(id)?.pinSeq != null).length;
        if (count >= CHAT_PINNED_MAX) throw tooManyPins();
        Object.assign(m, { pinnedAtMs: this.now(), pinnedBy: input.user });
        m.pinSeq = ++state.lastPinSeq;
      } else {
        Object.assign(m, { pinnedAtMs: null, pinnedBy: null, pinSeq: null });
      }
      m.version++;
      const message = this.wire(chat, m);
      this.push(org, [chatEvents.updated(pinned ? 'pinned' : 'unpinned', message)]);
      return message;
    });
  }

  pinned(org: string, room: string, user: string): Promise<ChatMessage[]> {
    return this.run(() => {
      checkRoomRef(org, room, user);
      const chat = this.org(org);
      const [state] = this.memberRoom(chat, room, user);
      return state.ids
        .flatMap((id) => chat.messages.get(id) ?? [])
        .filter((m) => m.pinSeq !== null)
        .sort((a, b) => (b.pinSeq ?? 0) - (a.pinSeq ?? 0))
        .map((m) => this.wire(chat, m));
    });
  }

  message(org: string, input: MessageRef): Promise<ChatMessage> {
    return this.run(() => {
      const { chat, m } = this.target(org, input, checkMessageRef(org, input));
      return this.wire(chat, m);
    });
  }

  history(org: string, room: string, user: string, options: HistoryOptions): Promise<MessagePage> {
    return this.run(() => {
      const { limit, before, after, threadId } = checkHistory(org, room, user, options);
      const chat = this.org(org);
      const [state] = this.memberRoom(chat, room, user);
      if (threadId !== undefined) this.messageIn(chat, state, 'thread_id', threadId);
      const wantedThread = threadId === undefined ? null : String(threadId);
      const ids = state.ids.filter((id) => {
        if (after !== undefined ? id <= after : id >= (before ?? Infinity)) return false;
        return chat.messages.get(id)?.threadId === wantedThread;
      });
      const page = after !== undefined ? ids.slice(0, limit) : ids.slice(-limit);
      return {
        messages: page.flatMap((id) => chat.messages.get(id) ?? []).map((m) => this.wire(chat, m)),
        more: ids.length > limit,
      };
    });
  }

  search(
    org: string,
    room: string,
    user: string,
    text: string,
    options: { limit: number; before?: string },
  ): Promise<MessagePage> {
    return this.run(() => {
      const { limit, before } = checkSearch(org, room, user, text, options);
      const chat = this.org(org);
      const [state] = this.memberRoom(chat, room, user);
      const needle = foldAscii(text);
      const found: ChatMessage[] = [];
      for (let i = state.ids.length - 1; i >= 0; i--) {
        const m = chat.messages.get(state.ids[i] as number);
        if (m === undefined || Number(m.id) >= (before ?? Infinity)) continue;
        if (m.deletedAtMs !== null || !foldAscii(m.text).includes(needle)) continue;
        if (found.length === limit) return { messages: found, more: true };
        found.push(this.wire(chat, m));
      }
      return { messages: found, more: false };
    });
  }

  markRead(
    org: string,
    input: MessageRef,
  ): Promise<{ last_read: string; unread: number; moved: boolean }> {
    return this.run(() => {
      const { chat, state, member, m } = this.target(org, input, checkMessageRef(org, input));
      const moved = member.lastRead === null || Number(m.id) > Number(member.lastRead);
      if (moved) member.lastRead = m.id;
      const unread = this.unread(chat, state, member);
      const lastRead = member.lastRead ?? m.id;
      if (moved) this.push(org, chatEvents.read(input.room, input.user, lastRead, unread));
      return { last_read: lastRead, unread, moved };
    });
  }
}
