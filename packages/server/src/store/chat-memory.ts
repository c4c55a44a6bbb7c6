/**
 * The chat store in memory, for tests and `--store memory` playgrounds: the contract of
 * `chat-store.ts` on Maps. Every call runs synchronously to its end and checks everything before
 * it changes anything, which makes each call as atomic as a transaction.
 */
import type { ChatMember, ChatMessage, ChatRole, ChatRoom } from '@hubcast/protocol';
import {
  checkCreateRoom,
  checkEdit,
  checkHistory,
  checkMessageRef,
  checkName,
  checkProfile,
  checkReact,
  checkRole,
  checkRoomRef,
  checkSearch,
  checkSend,
  checkUsers,
  CHAT_EMOJI_PER_MESSAGE_MAX,
  CHAT_PINNED_MAX,
} from './chat-checks.js';
import {
  dataText,
  excerptOf,
  foldAscii,
  toChatMessage,
  toMember,
  toRoom,
  type ChatMessageRow,
} from './chat-rows.js';
import {
  chatEvents,
  checkRemoval,
  isDeleted,
  lastOwner,
  leavesNoOwner,
  nestedThread,
  noMember,
  noMessage,
  noRoom,
  notMentionable,
  requireAuthor,
  requireDeleter,
  requireMember,
  requireOwner,
  roomTaken,
  tooManyEmoji,
  tooManyPins,
  type OutboxEntry,
} from './chat-rules.js';
import type {
  ChatProfile,
  ChatStore,
  CreateRoomInput,
  EditInput,
  HistoryOptions,
  MessagePage,
  MessageRef,
  ReactInput,
  RoomOfUser,
  SendInput,
  SendResult,
} from './chat-store.js';
import type { MemoryOutbox } from './memory-outbox.js';
import { StoreUnavailableError } from './store.js';

interface MemberState {
  user: string;
  role: ChatRole;
  joinedAtMs: number;
  lastRead: string | null;
}

interface RoomState {
  row: { room: string; title: string | null; createdBy: string; createdAtMs: number };
  /** By join order (a Map keeps insertion order). */
  members: Map<string, MemberState>;
  /** Every message id of the room, oldest first. */
  ids: number[];
  /** `user\nclient_id` to the message id. */
  clientIds: Map<string, number>;
  lastPinSeq: number;
}

interface MessageState extends Omit<ChatMessageRow, 'replyToDeleted'> {
  /** Emoji to users, in the order they reacted (the wire sorts). */
  reactions: Map<string, Set<string>>;
  pinSeq: number | null;
}

interface OrgChat {
  lastId: number;
  rooms: Map<string, RoomState>;
  messages: Map<number, MessageState>;
  profiles: Map<string, ChatProfile>;
}

export class MemoryChatStore implements ChatStore {
  private readonly orgs = new Map<string, OrgChat>();

  constructor(
    private readonly now: () => number,
    private readonly isClosed: () => boolean,
    private readonly outbox: MemoryOutbox,
  ) {}

  private run<T>(work: () => T): Promise<T> {
    if (this.isClosed()) return Promise.reject(new StoreUnavailableError('the store is closed'));
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private org(org: string): OrgChat {
    let chat = this.orgs.get(org);
    if (chat === undefined) {
      chat = { lastId: 0, rooms: new Map(), messages: new Map(), profiles: new Map() };
      this.orgs.set(org, chat);
    }
    return chat;
  }

  private push(org: string, entries: readonly OutboxEntry[]): void {
    for (const e of entries) this.outbox.add(org, e.user, e.channel, e.data);
  }

  private roomOf(chat: OrgChat, room: string): RoomState {
    const state = chat.rooms.get(room);
    if (state === undefined) throw noRoom(room);
    return state;
  }

  /** The room when `user` is a member; `not_found` otherwise, the same as a missing room. */
  private memberRoom(chat: OrgChat, room: string, user: string): [RoomState, MemberState] {
    const state = this.roomOf(chat, room);
    return [state, requireMember(state.members.get(user), room)];
  }

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

  private unread(chat: OrgChat, room: RoomState, member: MemberState): number {
    const after = member.lastRead === null ? 0 : Number(member.lastRead);
    let n = 0;
    for (const id of room.ids) {
      if (id <= after) continue;
      const m = chat.messages.get(id);
      if (m !== undefined && m.user !== member.user && m.deletedAtMs === null) n++;
    }
    return n;
  }

  private join(org: string, room: RoomState, user: string, role: ChatRole, nowMs: number) {
    const member: MemberState = { user, role, joinedAtMs: nowMs, lastRead: null };
    room.members.set(user, member);
    const wire = toMember(member);
    this.push(org, chatEvents.joined(toRoom(room.row), wire));
    return wire;
  }

  createRoom(org: string, input: CreateRoomInput): Promise<ChatRoom> {
    return this.run(() => {
      const members = checkCreateRoom(org, input);
      const chat = this.org(org);
      if (chat.rooms.has(input.room)) throw roomTaken(input.room);
      const nowMs = this.now();
      const row = {
        room: input.room,
        title: input.title ?? null,
        createdBy: input.owner ?? '',
        createdAtMs: nowMs,
      };
      const state: RoomState = {
        row,
        members: new Map(),
        ids: [],
        clientIds: new Map(),
        lastPinSeq: 0,
      };
      chat.rooms.set(input.room, state);
      if (input.owner !== undefined) this.join(org, state, input.owner, 'owner', nowMs);
      for (const user of members) this.join(org, state, user, 'member', nowMs);
      return toRoom(row);
    });
  }

  room(org: string, room: string, user?: string): Promise<ChatRoom | undefined> {
    return this.run(() => {
      checkRoomRef(org, room, user);
      const state = this.org(org).rooms.get(room);
      if (state === undefined || (user !== undefined && !state.members.has(user))) return undefined;
      return toRoom(state.row);
    });
  }

  member(org: string, room: string, user: string): Promise<ChatMember | undefined> {
    return this.run(() => {
      checkRoomRef(org, room, user);
      const member = this.org(org).rooms.get(room)?.members.get(user);
      return member === undefined ? undefined : toMember(member);
    });
  }

  members(org: string, room: string, user?: string): Promise<ChatMember[]> {
    return this.run(() => {
      checkRoomRef(org, room, user);
      const state = this.roomOf(this.org(org), room);
      if (user !== undefined) requireMember(state.members.get(user), room);
      return [...state.members.values()].map(toMember);
    });
  }

  addMembers(
    org: string,
    room: string,
    users: readonly string[],
    by?: string,
  ): Promise<ChatMember[]> {
    return this.run(() => {
      checkRoomRef(org, room, by);
      const wanted = checkUsers('users', users);
      const state = this.roomOf(this.org(org), room);
      if (by !== undefined) requireOwner(by, state.members.get(by)?.role, room, 'add members');
      const nowMs = this.now();
      return wanted
        .filter((user) => !state.members.has(user))
        .map((user) => this.join(org, state, user, 'member', nowMs));
    });
  }

  removeMember(org: string, room: string, user: string, by?: string): Promise<boolean> {
    return this.run(() => {
      checkRoomRef(org, room, user);
      if (by !== undefined) checkName('by', by);
      const state = this.roomOf(this.org(org), room);
      checkRemoval(room, user, by, by === undefined ? undefined : state.members.get(by)?.role);
      const target = state.members.get(user);
      if (target === undefined) return false;
      const owners = [...state.members.values()].filter((m) => m.role === 'owner').length;
      if (leavesNoOwner(target.role, owners, state.members.size)) throw lastOwner();
      state.members.delete(user);
      this.push(org, chatEvents.left(room, user));
      return true;
    });
  }

  setRole(
    org: string,
    room: string,
    user: string,
    role: ChatRole,
    by?: string,
  ): Promise<ChatMember> {
    return this.run(() => {
      checkRoomRef(org, room, user);
      checkRole(role);
      if (by !== undefined) checkName('by', by);
      const state = this.roomOf(this.org(org), room);
      if (by !== undefined) requireOwner(by, state.members.get(by)?.role, room, 'change roles');
      const target = state.members.get(user);
      if (target === undefined) throw noMember(user);
      if (target.role === role) return toMember(target);
      const owners = [...state.members.values()].filter((m) => m.role === 'owner').length;
      if (role === 'member' && owners === 1) throw lastOwner();
      target.role = role;
      const wire = toMember(target);
      this.push(org, [chatEvents.memberUpdated(room, wire)]);
      return wire;
    });
  }

  roomsOf(org: string, user: string): Promise<RoomOfUser[]> {
    return this.run(() => {
      checkProfile(org, user);
      const chat = this.org(org);
      const names = [...chat.rooms.keys()].filter((r) => chat.rooms.get(r)?.members.has(user));
      return names.sort().map((name) => {
        const [state, member] = this.memberRoom(chat, name, user);
        return {
          room: toRoom(state.row),
          role: member.role,
          unread: this.unread(chat, state, member),
          ...(member.lastRead === null ? {} : { last_read: member.lastRead }),
        };
      });
    });
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

  profile(org: string, user: string): Promise<ChatProfile> {
    return this.run(() => {
      checkProfile(org, user);
      return { ...this.org(org).profiles.get(user) };
    });
  }

  setProfile(org: string, user: string, profile: ChatProfile): Promise<ChatProfile> {
    return this.run(() => {
      checkProfile(org, user, profile);
      const stored = profile.time_zone === undefined ? {} : { time_zone: profile.time_zone };
      this.org(org).profiles.set(user, stored);
      return { ...stored };
    });
  }
}
