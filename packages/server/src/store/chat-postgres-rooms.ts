/**
 * The rooms half of the PostgreSQL chat store: rooms, members and roles, a user's rooms and
 * profiles (messages are in `chat-postgres.ts`, which extends this class). Each change is one
 * transaction that first locks the room's row (`FOR UPDATE`): changes of one room run one after
 * the other, across nodes too, so the checks they make (is the caller a member, an owner, the
 * last owner) still hold when they write, and their pushes enter the outbox in commit order.
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
import { toMember, toRoom } from './chat-rows.js';
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
} from './chat-rules.js';
import type { ChatProfile, CreateRoomInput, RoomOfUser } from './chat-store.js';
import {
  type Queryable,
  type Transaction,
  type RoomRow,
  type MemberRow,
  ROOM,
  MEMBER,
  roomWire,
  memberWire,
  first,
  member,
  push,
} from './chat-postgres-sql.js';

export abstract class PostgresChatRooms {
  constructor(
    protected readonly db: Queryable,
    protected readonly transaction: Transaction,
    protected readonly now: () => number,
  ) {}

  /** A change of one room: the room row stays locked until commit (see the module doc). */
  protected inRoom<T>(
    org: string,
    room: string,
    work: (client: Queryable, room: ChatRoom) => Promise<T>,
  ): Promise<T> {
    return this.transaction(async (client) => {
      const row = await first<RoomRow>(client, `${ROOM} WHERE org = $1 AND room = $2 FOR UPDATE`, [
        org,
        room,
      ]);
      if (row === undefined) throw noRoom(room);
      return work(client, roomWire(row));
    });
  }

  /** The caller's membership, for reads: `not_found` for a stranger or a missing room. */
  protected async memberOf(
    db: Queryable,
    org: string,
    room: string,
    user: string,
  ): Promise<MemberRow> {
    return requireMember(await member(db, org, room, user), room);
  }

  private async join(db: Queryable, org: string, room: ChatRoom, user: string, role: ChatRole) {
    const nowMs = this.now();
    await db.query(
      'INSERT INTO chat_members (org, room, user_id, role, joined_at) VALUES ($1, $2, $3, $4, $5)',
      [org, room.room, user, role, nowMs],
    );
    const m = toMember({ user, role, joinedAtMs: nowMs, lastRead: null });
    await push(db, org, chatEvents.joined(room, m));
    return m;
  }

  async createRoom(org: string, input: CreateRoomInput): Promise<ChatRoom> {
    const members = checkCreateRoom(org, input);
    return this.transaction(async (client) => {
      const nowMs = this.now();
      const createdBy = input.owner ?? '';
      const title = input.title ?? null;
      const { rowCount } = await client.query(
        `INSERT INTO chat_rooms (org, room, title, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org, room) DO NOTHING`,
        [org, input.room, title, createdBy, nowMs],
      );
      if (rowCount === 0) throw roomTaken(input.room);
      const room = toRoom({ room: input.room, title, createdBy, createdAtMs: nowMs });
      if (input.owner !== undefined) await this.join(client, org, room, input.owner, 'owner');
      for (const user of members) await this.join(client, org, room, user, 'member');
      return room;
    });
  }

  async room(org: string, room: string, user?: string): Promise<ChatRoom | undefined> {
    checkRoomRef(org, room, user);
    const row =
      user === undefined
        ? await first<RoomRow>(this.db, `${ROOM} WHERE org = $1 AND room = $2`, [org, room])
        : await first<RoomRow>(
            this.db,
            `${ROOM} r WHERE org = $1 AND room = $2 AND EXISTS (SELECT 1 FROM chat_members m
               WHERE m.org = r.org AND m.room = r.room AND m.user_id = $3)`,
            [org, room, user],
          );
    return row === undefined ? undefined : roomWire(row);
  }

  async member(org: string, room: string, user: string): Promise<ChatMember | undefined> {
    checkRoomRef(org, room, user);
    const row = await member(this.db, org, room, user);
    return row === undefined ? undefined : memberWire(row);
  }

  async members(org: string, room: string, user?: string): Promise<ChatMember[]> {
    checkRoomRef(org, room, user);
    if (user !== undefined) await this.memberOf(this.db, org, room, user);
    const { rows } = await this.db.query<MemberRow>(
      `${MEMBER} WHERE org = $1 AND room = $2 ORDER BY seq`,
      [org, room],
    );
    if (rows.length === 0 && (await this.room(org, room)) === undefined) throw noRoom(room);
    return rows.map(memberWire);
  }

  async addMembers(
    org: string,
    room: string,
    users: readonly string[],
    by?: string,
  ): Promise<ChatMember[]> {
    checkRoomRef(org, room, by);
    const wanted = checkUsers('users', users);
    return this.inRoom(org, room, async (client, r) => {
      if (by !== undefined) {
        requireOwner(by, (await member(client, org, room, by))?.role, room, 'add members');
      }
      const added: ChatMember[] = [];
      for (const user of wanted) {
        if ((await member(client, org, room, user)) !== undefined) continue;
        added.push(await this.join(client, org, r, user, 'member'));
      }
      return added;
    });
  }

  private async counts(client: Queryable, org: string, room: string) {
    const row = await first<{ owners: string; members: string }>(
      client,
      `SELECT count(*) FILTER (WHERE role = 'owner') AS owners, count(*) AS members
       FROM chat_members WHERE org = $1 AND room = $2`,
      [org, room],
    );
    return { owners: Number(row?.owners ?? 0), members: Number(row?.members ?? 0) };
  }

  async removeMember(org: string, room: string, user: string, by?: string): Promise<boolean> {
    checkRoomRef(org, room, user);
    if (by !== undefined) checkName('by', by);
    return this.inRoom(org, room, async (client) => {
      const byRole = by === undefined ? undefined : (await member(client, org, room, by))?.role;
      checkRemoval(room, user, by, byRole);
      const target = await member(client, org, room, user);
      if (target === undefined) return false;
      const { owners, members } = await this.counts(client, org, room);
      if (leavesNoOwner(target.role, owners, members)) throw lastOwner();
      await client.query('DELETE FROM chat_members WHERE org = $1 AND room = $2 AND user_id = $3', [
        org,
        room,
        user,
      ]);
      await push(client, org, chatEvents.left(room, user));
      return true;
    });
  }

  async setRole(
    org: string,
    room: string,
    user: string,
    role: ChatRole,
    by?: string,
  ): Promise<ChatMember> {
    checkRoomRef(org, room, user);
    checkRole(role);
    if (by !== undefined) checkName('by', by);
    return this.inRoom(org, room, async (client) => {
      if (by !== undefined) {
        requireOwner(by, (await member(client, org, room, by))?.role, room, 'change roles');
      }
      const target = await member(client, org, room, user);
      if (target === undefined) throw noMember(user);
      if (target.role === role) return memberWire(target);
      if (role === 'member' && (await this.counts(client, org, room)).owners === 1) {
        throw lastOwner();
      }
      await client.query(
        'UPDATE chat_members SET role = $4 WHERE org = $1 AND room = $2 AND user_id = $3',
        [org, room, user, role],
      );
      const updated = memberWire({ ...target, role });
      await push(client, org, [chatEvents.memberUpdated(room, updated)]);
      return updated;
    });
  }

  async roomsOf(org: string, user: string): Promise<RoomOfUser[]> {
    checkProfile(org, user);
    const { rows } = await this.db.query<RoomRow & MemberRow & { unread: string }>(
      `SELECT r.room, r.title, r.created_by, r.created_at, m.role, m.last_read,
         (SELECT count(*) FROM chat_messages x WHERE x.org = m.org AND x.room = m.room
            AND x.id > coalesce(m.last_read, 0) AND x.user_id <> m.user_id
            AND x.deleted_at IS NULL) AS unread
       FROM chat_members m JOIN chat_rooms r ON r.org = m.org AND r.room = m.room
       WHERE m.org = $1 AND m.user_id = $2 ORDER BY m.room COLLATE "C"`,
      [org, user],
    );
    return rows.map((row) => ({
      room: roomWire(row),
      role: row.role,
      unread: Number(row.unread),
      ...(row.last_read === null ? {} : { last_read: row.last_read }),
    }));
  }

  async profile(org: string, user: string): Promise<ChatProfile> {
    checkProfile(org, user);
    const row = await first<{ time_zone: string | null }>(
      this.db,
      'SELECT time_zone FROM chat_profiles WHERE org = $1 AND user_id = $2',
      [org, user],
    );
    return row?.time_zone == null ? {} : { time_zone: row.time_zone };
  }

  async setProfile(org: string, user: string, profile: ChatProfile): Promise<ChatProfile> {
    checkProfile(org, user, profile);
    await this.db.query(
      `INSERT INTO chat_profiles (org, user_id, time_zone) VALUES ($1, $2, $3)
       ON CONFLICT (org, user_id) DO UPDATE SET time_zone = excluded.time_zone`,
      [org, user, profile.time_zone ?? null],
    );
    return profile.time_zone === undefined ? {} : { time_zone: profile.time_zone };
  }
}
