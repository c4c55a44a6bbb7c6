/**
 * The chat store on the SQLite store's file (see `sqlite.ts`): each change is one IMMEDIATE
 * transaction that checks the caller, writes the change and its outbox pushes, so nothing can
 * slip in between the check and the write. better-sqlite3 is synchronous, so a call runs to its
 * end in one go; reads of several statements run in one (deferred) transaction too, so they see
 * one state.
 */
import type { Database as Db } from 'better-sqlite3';
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
  type ReactionRow,
} from './chat-rows.js';
import {
  chatEvents,
  checkRemoval,
  entryText,
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

import {
  memberWire,
  messageRow,
  prepare,
  roomWire,
  type ChatStatements,
  type MemberRow,
  type MessageRow,
  type RoomRow,
} from './chat-sqlite-sql.js';

type Run = <T>(work: () => T) => Promise<T>;

const NO_ID = 0;
const MAX_ID = Number.MAX_SAFE_INTEGER;

export class SqliteChatStore implements ChatStore {
  private readonly stmt: ChatStatements;

  constructor(
    private readonly db: Db,
    private readonly run: Run,
    private readonly now: () => number,
  ) {
    this.stmt = prepare(db);
  }

  /** One change: checks and writes under the write lock, taken before the first read. */
  private write<T>(work: () => T): Promise<T> {
    return this.run(() => this.db.transaction(work).immediate());
  }

  /** Reads of several statements, in one snapshot. */
  private read<T>(work: () => T): Promise<T> {
    return this.run(() => this.db.transaction(work).deferred());
  }

  private push(org: string, entries: readonly OutboxEntry[], nowMs: number): void {
    for (const e of entries) this.stmt.insertPush.run(org, e.user, e.channel, entryText(e), nowMs);
  }

  private roomRow(org: string, name: string): RoomRow {
    const row = this.stmt.room.get(org, name);
    if (row === undefined) throw noRoom(name);
    return row;
  }

  private memberOf(org: string, name: string, user: string): MemberRow {
    return requireMember(this.stmt.member.get(org, name, user), name);
  }

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

  private join(org: string, r: ChatRoom, user: string, role: ChatRole, nowMs: number) {
    this.stmt.insertMember.run(org, r.room, user, role, nowMs);
    const m = toMember({ user, role, joinedAtMs: nowMs, lastRead: null });
    this.push(org, chatEvents.joined(r, m), nowMs);
    return m;
  }

  createRoom(org: string, input: CreateRoomInput): Promise<ChatRoom> {
    return this.write(() => {
      const members = checkCreateRoom(org, input);
      if (this.stmt.room.get(org, input.room) !== undefined) throw roomTaken(input.room);
      const nowMs = this.now();
      const createdBy = input.owner ?? '';
      this.stmt.insertRoom.run(org, input.room, input.title ?? null, createdBy, nowMs);
      const r = toRoom({
        room: input.room,
        title: input.title ?? null,
        createdBy,
        createdAtMs: nowMs,
      });
      if (input.owner !== undefined) this.join(org, r, input.owner, 'owner', nowMs);
      for (const user of members) this.join(org, r, user, 'member', nowMs);
      return r;
    });
  }

  room(org: string, name: string, user?: string): Promise<ChatRoom | undefined> {
    return this.read(() => {
      checkRoomRef(org, name, user);
      const row = this.stmt.room.get(org, name);
      if (row === undefined) return undefined;
      if (user !== undefined && this.stmt.member.get(org, name, user) === undefined)
        return undefined;
      return roomWire(row);
    });
  }

  member(org: string, name: string, user: string): Promise<ChatMember | undefined> {
    return this.run(() => {
      checkRoomRef(org, name, user);
      const row = this.stmt.member.get(org, name, user);
      return row === undefined ? undefined : memberWire(row);
    });
  }

  members(org: string, name: string, user?: string): Promise<ChatMember[]> {
    return this.read(() => {
      checkRoomRef(org, name, user);
      this.roomRow(org, name);
      if (user !== undefined) this.memberOf(org, name, user);
      return this.stmt.members.all(org, name).map(memberWire);
    });
  }

  addMembers(
    org: string,
    name: string,
    users: readonly string[],
    by?: string,
  ): Promise<ChatMember[]> {
    return this.write(() => {
      checkRoomRef(org, name, by);
      const wanted = checkUsers('users', users);
      const r = roomWire(this.roomRow(org, name));
      if (by !== undefined)
        requireOwner(by, this.stmt.member.get(org, name, by)?.role, name, 'add members');
      const nowMs = this.now();
      return wanted
        .filter((user) => this.stmt.member.get(org, name, user) === undefined)
        .map((user) => this.join(org, r, user, 'member', nowMs));
    });
  }

  removeMember(org: string, name: string, user: string, by?: string): Promise<boolean> {
    return this.write(() => {
      checkRoomRef(org, name, user);
      if (by !== undefined) checkName('by', by);
      this.roomRow(org, name);
      const byRole = by === undefined ? undefined : this.stmt.member.get(org, name, by)?.role;
      checkRemoval(name, user, by, byRole);
      const target = this.stmt.member.get(org, name, user);
      if (target === undefined) return false;
      const counts = this.stmt.counts.get(org, name) ?? { owners: 0, members: 0 };
      if (leavesNoOwner(target.role, counts.owners, counts.members)) throw lastOwner();
      this.stmt.deleteMember.run(org, name, user);
      this.push(org, chatEvents.left(name, user), this.now());
      return true;
    });
  }

  setRole(
    org: string,
    name: string,
    user: string,
    role: ChatRole,
    by?: string,
  ): Promise<ChatMember> {
    return this.write(() => {
      checkRoomRef(org, name, user);
      checkRole(role);
      if (by !== undefined) checkName('by', by);
      this.roomRow(org, name);
      if (by !== undefined)
        requireOwner(by, this.stmt.member.get(org, name, by)?.role, name, 'change roles');
      const target = this.stmt.member.get(org, name, user);
      if (target === undefined) throw noMember(user);
      if (target.role === role) return memberWire(target);
      const counts = this.stmt.counts.get(org, name) ?? { owners: 0, members: 0 };
      if (role === 'member' && counts.owners === 1) throw lastOwner();
      this.stmt.setRole.run(role, org, name, user);
      const updated = memberWire({ ...target, role });
      this.push(org, [chatEvents.memberUpdated(name, updated)], this.now());
      return updated;
    });
  }

  roomsOf(org: string, user: string): Promise<RoomOfUser[]> {
    return this.read(() => {
      checkProfile(org, user);
      return this.stmt.roomsOf.all(org, user).map((row) => ({
        room: roomWire(row),
        role: row.role,
        unread: this.stmt.unread.get(org, row.room, row.last_read ?? NO_ID, user)?.n ?? 0,
        ...(row.last_read === null ? {} : { last_read: String(row.last_read) }),
      }));
    });
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
      const rows = this.stmt.search.all(org, name, before ?? MAX_ID, foldAscii(text), limit + 1);
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

  profile(org: string, user: string): Promise<ChatProfile> {
    return this.run(() => {
      checkProfile(org, user);
      const timeZone = this.stmt.profile.get(org, user)?.time_zone;
      return timeZone === undefined || timeZone === null ? {} : { time_zone: timeZone };
    });
  }

  setProfile(org: string, user: string, profile: ChatProfile): Promise<ChatProfile> {
    return this.write(() => {
      checkProfile(org, user, profile);
      this.stmt.setProfile.run(org, user, profile.time_zone ?? null);
      return profile.time_zone === undefined ? {} : { time_zone: profile.time_zone };
    });
  }
}
