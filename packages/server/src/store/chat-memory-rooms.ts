/**
 * The rooms half of the memory chat store: its state, rooms, members and roles, a user's rooms
 * and profiles (messages are in `chat-memory.ts`, which extends this class). Every call runs
 * synchronously to its end and checks everything before it changes anything, which makes each
 * call as atomic as a transaction.
 */
import type { ChatMember, ChatRole, ChatRoom } from '@hubcast/protocol';
import {
  checkCreateRoom,
  checkName,
  checkProfile,
  checkRole,
  checkRoomRef,
  checkUsers,
} from './chat-checks.js';
import { toMember, toRoom, type ChatMessageRow } from './chat-rows.js';
import {
  chatEvents,
  checkRemoval,
  lastOwner,
  leavesNoOwner,
  noMember,
  noRoom,
  requireMember,
  requireOwner,
  roomTaken,
  type OutboxEntry,
} from './chat-rules.js';
import type { ChatProfile, CreateRoomInput, RoomOfUser } from './chat-store.js';
import type { MemoryOutbox } from './memory-outbox.js';
import { StoreUnavailableError } from './store.js';

export interface MemberState {
  user: string;
  role: ChatRole;
  joinedAtMs: number;
  lastRead: string | null;
}

export interface RoomState {
  row: { room: string; title: string | null; createdBy: string; createdAtMs: number };
  /** By join order (a Map keeps insertion order). */
  members: Map<string, MemberState>;
  /** Every message id of the room, oldest first. */
  ids: number[];
  /** `user\nclient_id` to the message id. */
  clientIds: Map<string, number>;
  lastPinSeq: number;
}

export interface MessageState extends Omit<ChatMessageRow, 'replyToDeleted'> {
  /** Emoji to users, in the order they reacted (the wire sorts). */
  reactions: Map<string, Set<string>>;
  pinSeq: number | null;
}

export interface OrgChat {
  lastId: number;
  rooms: Map<string, RoomState>;
  messages: Map<number, MessageState>;
  profiles: Map<string, ChatProfile>;
}

export abstract class MemoryChatRooms {
  protected readonly orgs = new Map<string, OrgChat>();

  constructor(
    protected readonly now: () => number,
    protected readonly isClosed: () => boolean,
    protected readonly outbox: MemoryOutbox,
  ) {}

  protected run<T>(work: () => T): Promise<T> {
    if (this.isClosed()) return Promise.reject(new StoreUnavailableError('the store is closed'));
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  protected org(org: string): OrgChat {
    let chat = this.orgs.get(org);
    if (chat === undefined) {
      chat = { lastId: 0, rooms: new Map(), messages: new Map(), profiles: new Map() };
      this.orgs.set(org, chat);
    }
    return chat;
  }

  protected push(org: string, entries: readonly OutboxEntry[]): void {
    for (const e of entries) this.outbox.add(org, e.user, e.channel, e.data);
  }

  protected roomOf(chat: OrgChat, room: string): RoomState {
    const state = chat.rooms.get(room);
    if (state === undefined) throw noRoom(room);
    return state;
  }

  /** The room when `user` is a member; `not_found` otherwise, the same as a missing room. */
  protected memberRoom(chat: OrgChat, room: string, user: string): [RoomState, MemberState] {
    const state = this.roomOf(chat, room);
    return [state, requireMember(state.members.get(user), room)];
  }

  protected unread(chat: OrgChat, room: RoomState, member: MemberState): number {
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
