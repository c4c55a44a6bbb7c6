/**
 * The chat store in the PostgreSQL store's database (see `postgres.ts`). Each change is one
 * transaction that first locks the room's row (`FOR UPDATE`): changes of one room run one after
 * the other, across nodes too, so the checks they make (is the caller a member, the last owner,
 * is the message deleted) still hold when they write, and their pushes enter the outbox in
 * commit order. A send also takes the org's id counter row, so an org's ids commit in id order
 * and `after` paging skips nothing. Reads are single statements or a few on the pool.
 */
import type { QueryResultRow } from 'pg';
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

/** The pool for single statements, or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}
type Transaction = <T>(work: (client: Queryable) => Promise<T>) => Promise<T>;

/** bigint columns come back as strings, integer ones as numbers. */
interface RoomRow {
  room: string;
  title: string | null;
  created_by: string;
  created_at: string;
}
interface MemberRow {
  user_id: string;
  role: ChatRole;
  joined_at: string;
  last_read: string | null;
}
interface MessageRow {
  id: string;
  room: string;
  user_id: string;
  text: string;
  data: string | null;
  client_id: string | null;
  reply_to_id: string | null;
  reply_to_user: string | null;
  reply_to_excerpt: string | null;
  reply_to_deleted: boolean;
  thread_id: string | null;
  reply_count: number;
  mentions: string | null;
  version: number;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  pinned_at: string | null;
  pinned_by: string | null;
  pin_seq: number | null;
}

const MESSAGE = `SELECT m.id, m.room, m.user_id, m.text, m.data, m.client_id, m.reply_to_id,
    m.reply_to_user, m.reply_to_excerpt, p.deleted_at IS NOT NULL AS reply_to_deleted,
    m.thread_id, m.reply_count, m.mentions, m.version, m.created_at, m.edited_at, m.deleted_at,
    m.pinned_at, m.pinned_by, m.pin_seq
  FROM chat_messages m LEFT JOIN chat_messages p ON p.org = m.org AND p.id = m.reply_to_id`;
const ROOM = 'SELECT room, title, created_by, created_at FROM chat_rooms';
const MEMBER = 'SELECT user_id, role, joined_at, last_read FROM chat_members';
const UNREAD = `SELECT count(*) AS n FROM chat_messages
  WHERE org = $1 AND room = $2 AND id > $3 AND user_id <> $4 AND deleted_at IS NULL`;
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const ms = (v: string | null): number | null => (v === null ? null : Number(v));
const roomWire = (r: RoomRow): ChatRoom =>
  toRoom({
    room: r.room,
    title: r.title,
    createdBy: r.created_by,
    createdAtMs: Number(r.created_at),
  });
const memberWire = (r: MemberRow): ChatMember =>
  toMember({
    user: r.user_id,
    role: r.role,
    joinedAtMs: Number(r.joined_at),
    lastRead: r.last_read,
  });
const messageRow = (r: MessageRow): ChatMessageRow => ({
  id: r.id,
  room: r.room,
  user: r.user_id,
  text: r.text,
  data: r.data,
  clientId: r.client_id,
  replyToId: r.reply_to_id,
  replyToUser: r.reply_to_user,
  replyToExcerpt: r.reply_to_excerpt,
  replyToDeleted: r.reply_to_deleted,
  threadId: r.thread_id,
  replyCount: r.reply_count,
  mentions: r.mentions,
  version: r.version,
  createdAtMs: Number(r.created_at),
  editedAtMs: ms(r.edited_at),
  deletedAtMs: ms(r.deleted_at),
  pinnedAtMs: ms(r.pinned_at),
  pinnedBy: r.pinned_by,
});

/** One statement's first row, or undefined. */
async function first<R extends QueryResultRow>(
  db: Queryable,
  text: string,
  values: unknown[],
): Promise<R | undefined> {
  return (await db.query<R>(text, values)).rows[0];
}

const member = (db: Queryable, org: string, room: string, user: string) =>
  first<MemberRow>(db, `${MEMBER} WHERE org = $1 AND room = $2 AND user_id = $3`, [
    org,
    room,
    user,
  ]);

async function unreadOf(
  db: Queryable,
  org: string,
  room: string,
  lastRead: string | null,
  user: string,
): Promise<number> {
  const row = await first<{ n: string }>(db, UNREAD, [org, room, lastRead ?? '0', user]);
  return Number(row?.n ?? 0);
}

/** Rows to wire messages, with their reactions read in one statement. */
async function wire(
  db: Queryable,
  org: string,
  rows: readonly MessageRow[],
): Promise<ChatMessage[]> {
  if (rows.length === 0) return [];
  const { rows: reactions } = await db.query<ReactionRow & { message_id: string }>(
    `SELECT message_id, emoji, user_id AS "user" FROM chat_reactions
     WHERE org = $1 AND message_id = ANY ($2::bigint[])`,
    [org, rows.map((r) => r.id)],
  );
  const byId = new Map<string, ReactionRow[]>();
  for (const r of reactions) {
    let list = byId.get(r.message_id);
    if (list === undefined) byId.set(r.message_id, (list = []));
    list.push(r);
  }
  return rows.map((r) => toChatMessage(messageRow(r), byId.get(r.id) ?? []));
}

async function wireOne(db: Queryable, org: string, row: MessageRow): Promise<ChatMessage> {
  return (await wire(db, org, [row]))[0] as ChatMessage;
}

async function messageIn(
  db: Queryable,
  org: string,
  room: string,
  field: string,
  id: number,
): Promise<MessageRow> {
  const row = await first<MessageRow>(db, `${MESSAGE} WHERE m.org = $1 AND m.id = $2`, [org, id]);
  if (row === undefined || row.room !== room) throw noMessage(field, id);
  return row;
}

/** The message as it is now, inside the transaction that changed it. */
async function reread(db: Queryable, org: string, id: string): Promise<ChatMessage> {
  const row = await first<MessageRow>(db, `${MESSAGE} WHERE m.org = $1 AND m.id = $2`, [org, id]);
  if (row === undefined) throw new Error(`message ${id} vanished inside its transaction`);
  return wireOne(db, org, row);
}

async function push(db: Queryable, org: string, entries: readonly OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO push_outbox (org, user_id, channel, data)
     SELECT $1, t.user_id, t.channel, t.data
     FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t (user_id, channel, data, n)
     ORDER BY t.n`,
    [org, entries.map((e) => e.user), entries.map((e) => e.channel), entries.map(entryText)],
  );
}

export class PostgresChatStore implements ChatStore {
  constructor(
    private readonly db: Queryable,
    private readonly transaction: Transaction,
    private readonly now: () => number,
  ) {}

  /** A change of one room: the room row stays locked until commit (see the module doc). */
  private inRoom<T>(
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
  private async memberOf(
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

  async send(org: string, input: SendInput): Promise<SendResult> {
    const checked = checkSend(org, input);
    const { room, user } = input;
    return this.inRoom(org, room, async (client) => {
      await this.memberOf(client, org, room, user);
      if (input.clientId !== undefined) {
        const prior = await first<MessageRow>(
          client,
          `${MESSAGE} WHERE m.org = $1 AND m.room = $2 AND m.user_id = $3 AND m.client_id = $4`,
          [org, room, user, input.clientId],
        );
        if (prior !== undefined)
          return { message: await wireOne(client, org, prior), duplicate: true };
      }
      const parent =
        checked.replyTo === undefined
          ? undefined
          : await messageIn(client, org, room, 'reply_to', checked.replyTo);
      const root =
        checked.threadId === undefined
          ? undefined
          : await messageIn(client, org, room, 'thread_id', checked.threadId);
      if (root !== undefined && root.thread_id !== null) throw nestedThread();
      for (const m of checked.mentions)
        if ((await member(client, org, room, m)) === undefined) throw notMentionable(m);

      const counter = await first<{ last_id: string }>(
        client,
        `INSERT INTO chat_counters (org, last_id) VALUES ($1, 1)
         ON CONFLICT (org) DO UPDATE SET last_id = chat_counters.last_id + 1 RETURNING last_id`,
        [org],
      );
      if (counter === undefined) throw new Error('the id counter returned no row');
      const id = counter.last_id;
      // Read after taking the counter: created_at then grows with the ids of the org.
      const nowMs = this.now();
      await client.query(
        `INSERT INTO chat_messages (org, id, room, user_id, text, data, client_id, reply_to_id,
           reply_to_user, reply_to_excerpt, thread_id, mentions, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          org,
          id,
          room,
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
        ],
      );
      const message = await reread(client, org, id);
      await push(client, org, [chatEvents.message(message)]);
      if (root !== undefined) await this.addReplies(client, org, root.id, +1);
      return { message, duplicate: false };
    });
  }

  private async addReplies(client: Queryable, org: string, rootId: string, by: number) {
    await client.query(
      `UPDATE chat_messages SET reply_count = reply_count + $3, version = version + 1
       WHERE org = $1 AND id = $2`,
      [org, rootId, by],
    );
    await push(client, org, [chatEvents.updated('reply_count', await reread(client, org, rootId))]);
  }

  /** A change of the message `ref` names, by a member of its room. */
  private onMessage<T>(
    org: string,
    ref: MessageRef,
    id: number,
    work: (client: Queryable, row: MessageRow, me: MemberRow) => Promise<T>,
  ): Promise<T> {
    return this.inRoom(org, ref.room, async (client) => {
      const me = await this.memberOf(client, org, ref.room, ref.user);
      return work(client, await messageIn(client, org, ref.room, 'id', id), me);
    });
  }

  async edit(org: string, input: EditInput): Promise<ChatMessage> {
    return this.onMessage(org, input, checkEdit(org, input), async (client, row) => {
      requireAuthor({ user: row.user_id }, input.user, 'edit');
      if (row.deleted_at !== null) throw isDeleted(row.id);
      const data = input.data === undefined ? row.data : dataText(input.data);
      await client.query(
        `UPDATE chat_messages SET text = $3, data = $4, edited_at = $5, version = version + 1
         WHERE org = $1 AND id = $2`,
        [org, row.id, input.text, data, this.now()],
      );
      const message = await reread(client, org, row.id);
      await push(client, org, [chatEvents.updated('edited', message)]);
      return message;
    });
  }

  async delete(org: string, input: MessageRef): Promise<ChatMessage> {
    return this.onMessage(org, input, checkMessageRef(org, input), async (client, row, me) => {
      requireDeleter({ user: row.user_id }, input.user, me.role);
      if (row.deleted_at !== null) return wireOne(client, org, row);
      await client.query(
        `UPDATE chat_messages SET text = '', data = NULL, mentions = NULL, deleted_at = $3,
           pinned_at = NULL, pinned_by = NULL, pin_seq = NULL, version = version + 1
         WHERE org = $1 AND id = $2`,
        [org, row.id, this.now()],
      );
      await client.query('DELETE FROM chat_reactions WHERE org = $1 AND message_id = $2', [
        org,
        row.id,
      ]);
      const message = await reread(client, org, row.id);
      await push(client, org, [chatEvents.updated('deleted', message)]);
      if (row.thread_id !== null) await this.addReplies(client, org, row.thread_id, -1);
      return message;
    });
  }

  async react(org: string, input: ReactInput): Promise<{ message: ChatMessage; added: boolean }> {
    return this.onMessage(org, input, checkReact(org, input), async (client, row) => {
      if (row.deleted_at !== null) throw isDeleted(row.id);
      const seen = await first<{ emoji: string; has_emoji: boolean; mine: boolean }>(
        client,
        `SELECT count(DISTINCT emoji) AS emoji, coalesce(bool_or(emoji = $3), false) AS has_emoji,
           coalesce(bool_or(emoji = $3 AND user_id = $4), false) AS mine
         FROM chat_reactions WHERE org = $1 AND message_id = $2`,
        [org, row.id, input.emoji, input.user],
      );
      const added = seen?.mine !== true;
      const values = [org, row.id, input.emoji, input.user];
      if (added) {
        if (seen?.has_emoji !== true && Number(seen?.emoji ?? 0) >= CHAT_EMOJI_PER_MESSAGE_MAX) {
          throw tooManyEmoji();
        }
        await client.query(
          'INSERT INTO chat_reactions (org, message_id, emoji, user_id) VALUES ($1, $2, $3, $4)',
          values,
        );
      } else {
        await client.query(
          `DELETE FROM chat_reactions
           WHERE org = $1 AND message_id = $2 AND emoji = $3 AND user_id = $4`,
          values,
        );
      }
      await client.query(
        'UPDATE chat_messages SET version = version + 1 WHERE org = $1 AND id = $2',
        [org, row.id],
      );
      const message = await reread(client, org, row.id);
      await push(client, org, [chatEvents.updated('reaction', message)]);
      return { message, added };
    });
  }

  async pin(org: string, input: MessageRef, pinned: boolean): Promise<ChatMessage> {
    return this.onMessage(org, input, checkMessageRef(org, input), async (client, row) => {
      if (pinned && row.deleted_at !== null) throw isDeleted(row.id);
      if ((row.pin_seq !== null) === pinned) return wireOne(client, org, row);
      let values: unknown[] = [null, null, null];
      if (pinned) {
        const pins = await first<{ count: string; last: number }>(
          client,
          `SELECT count(*) AS count, coalesce(max(pin_seq), 0) AS last FROM chat_messages
           WHERE org = $1 AND room = $2 AND pin_seq IS NOT NULL`,
          [org, input.room],
        );
        if (Number(pins?.count ?? 0) >= CHAT_PINNED_MAX) throw tooManyPins();
        values = [this.now(), input.user, (pins?.last ?? 0) + 1];
      }
      await client.query(
        `UPDATE chat_messages SET pinned_at = $3, pinned_by = $4, pin_seq = $5,
           version = version + 1
         WHERE org = $1 AND id = $2`,
        [org, row.id, ...values],
      );
      const message = await reread(client, org, row.id);
      await push(client, org, [chatEvents.updated(pinned ? 'pinned' : 'unpinned', message)]);
      return message;
    });
  }

  async pinned(org: string, room: string, user: string): Promise<ChatMessage[]> {
    checkRoomRef(org, room, user);
    await this.memberOf(this.db, org, room, user);
    const { rows } = await this.db.query<MessageRow>(
      `${MESSAGE} WHERE m.org = $1 AND m.room = $2 AND m.pin_seq IS NOT NULL
       ORDER BY m.pin_seq DESC LIMIT $3`,
      [org, room, CHAT_PINNED_MAX],
    );
    return wire(this.db, org, rows);
  }

  async message(org: string, input: MessageRef): Promise<ChatMessage> {
    const id = checkMessageRef(org, input);
    await this.memberOf(this.db, org, input.room, input.user);
    return wireOne(this.db, org, await messageIn(this.db, org, input.room, 'id', id));
  }

  async history(
    org: string,
    room: string,
    user: string,
    options: HistoryOptions,
  ): Promise<MessagePage> {
    const { limit, before, after, threadId } = checkHistory(org, room, user, options);
    await this.memberOf(this.db, org, room, user);
    if (threadId !== undefined) await messageIn(this.db, org, room, 'thread_id', threadId);
    const ascending = after !== undefined;
    const where =
      threadId === undefined ? 'm.room = $2 AND m.thread_id IS NULL' : 'm.thread_id = $2';
    const { rows } = await this.db.query<MessageRow>(
      `${MESSAGE} WHERE m.org = $1 AND ${where} AND m.id > $3 AND m.id < $4
       ORDER BY m.id ${ascending ? 'ASC' : 'DESC'} LIMIT $5`,
      [org, threadId ?? room, after ?? 0, before ?? Number.MAX_SAFE_INTEGER, limit + 1],
    );
    const page = rows.slice(0, limit);
    if (!ascending) page.reverse();
    return { messages: await wire(this.db, org, page), more: rows.length > limit };
  }

  async search(
    org: string,
    room: string,
    user: string,
    text: string,
    options: { limit: number; before?: string },
  ): Promise<MessagePage> {
    const { limit, before } = checkSearch(org, room, user, text, options);
    await this.memberOf(this.db, org, room, user);
    // translate() folds ASCII only, whatever the locale, as foldAscii does; strpos() has no
    // wildcards.
    const { rows } = await this.db.query<MessageRow>(
      `${MESSAGE} WHERE m.org = $1 AND m.room = $2 AND m.id < $3 AND m.deleted_at IS NULL
         AND strpos(translate(m.text, '${UPPER}', '${UPPER.toLowerCase()}'), $4) > 0
       ORDER BY m.id DESC LIMIT $5`,
      [org, room, before ?? Number.MAX_SAFE_INTEGER, foldAscii(text), limit + 1],
    );
    return { messages: await wire(this.db, org, rows.slice(0, limit)), more: rows.length > limit };
  }

  async markRead(
    org: string,
    input: MessageRef,
  ): Promise<{ last_read: string; unread: number; moved: boolean }> {
    const { room, user } = input;
    return this.onMessage(org, input, checkMessageRef(org, input), async (client, row, me) => {
      const moved = me.last_read === null || Number(row.id) > Number(me.last_read);
      const lastRead = moved ? row.id : (me.last_read ?? row.id);
      if (moved) {
        await client.query(
          'UPDATE chat_members SET last_read = $4 WHERE org = $1 AND room = $2 AND user_id = $3',
          [org, room, user, lastRead],
        );
      }
      const unread = await unreadOf(client, org, room, lastRead, user);
      if (moved) await push(client, org, chatEvents.read(room, user, lastRead, unread));
      return { last_read: lastRead, unread, moved };
    });
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
