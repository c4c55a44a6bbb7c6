/**
 * The rooms half of the SQLite chat store: rooms, members and roles, a user's rooms and profiles
 * (messages are in `chat-sqlite.ts`, which extends this class). Each change is one IMMEDIATE
 * transaction that checks the caller, writes the change and its outbox pushes, so nothing can
 * slip in between the check and the write; reads of several statements run in one (deferred)
 * transaction, so they see one state.
 */
import type { Database as Db } from 'better-sqlite3';
import type { ChatMember, ChatRole, ChatRoom } from '@hubcast/protocol';
import {
  checkCreateRoom,
  checkName,
  checkProfile,
  checkRole,
  checkRoomRef,
  checkUsers,
} from './chat-checks.js';
import { toMember, toRoom } from './chat-rows.js';
import {
  chatEvents,
  checkRemoval,
  entryText,
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

import {
  memberWire,
  prepare,
  roomWire,
  type ChatStatements,
  type MemberRow,
  type RoomRow,
} from './chat-sqlite-sql.js';

export type Run = <T>(work: () => T) => Promise<T>;

export const NO_ID = 0;
export const MAX_ID = Number.MAX_SAFE_INTEGER;

export abstract class SqliteChatRooms {
  protected readonly stmt: ChatStatements;

  constructor(
    protected readonly db: Db,
    protected readonly run: Run,
    protected readonly now: () => number,
  ) {
    this.stmt = prepare(db);
  }

  /** One change: checks and writes under the write lock, taken before the first read. */
  protected write<T>(work: () => T): Promise<T> {
    return this.run(() => this.db.transaction(work).immediate());
  }

  /** Reads of several statements, in one snapshot. */
  protected read<T>(work: () => T): Promise<T> {
    return this.run(() => this.db.transaction(work).deferred());
  }

  protected push(org: string, entries: readonly OutboxEntry[], nowMs: number): void {
    for (const e of entries) this.stmt.insertPush.run(org, e.user, e.channel, entryText(e), nowMs);
  }

  protected roomRow(org: string, name: string): RoomRow {
    const row = this.stmt.room.get(org, name);
    if (row === undefined) throw noRoom(name);
    return row;
  }

  protected memberOf(org: string, name: string, user: string): MemberRow {
    return requireMember(this.stmt.member.get(org, name, user), name);
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
        unread: row.unread,
        ...(row.last_read === null ? {} : { last_read: String(row.last_read) }),
      }));
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
