/**
 * The chat store in the PostgreSQL store's database (see `postgres.ts`): the messages half here,
 * rooms and members in `chat-postgres-rooms.ts`, which this class extends. Each change is one
 * transaction that first locks the room's row (`FOR UPDATE`), so the checks it makes (is the
 * caller a member, the author, is the message deleted) still hold when it writes, across nodes
 * too, and its pushes enter the outbox in commit order. A send also takes the org's id counter
 * row, so an org's ids commit in id order and `after` paging skips nothing. Reads are single
 * statements or a few on the pool.
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
  escapeLike,
  excerptOf,
  foldAscii,
  indexedPrefix,
  trigramPhrase,
} from './chat-rows.js';
import {
  chatEvents,
  isDeleted,
  nestedThread,
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
  type Queryable,
  type MemberRow,
  type MessageRow,
  MESSAGE,
  SEARCH_FLOOR,
  SEARCH_INDEXED,
  SEARCH_SCAN,
  first,
  member,
  unreadOf,
  wire,
  wireOne,
  messageIn,
  reread,
  push,
} from './chat-postgres-sql.js';
import { PostgresChatRooms } from './chat-postgres-rooms.js';

export class PostgresChatStore extends PostgresChatRooms implements ChatStore {
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
    const needle = foldAscii(text);
    const long = trigramPhrase(needle) !== undefined;
    const hi = before ?? Number.MAX_SAFE_INTEGER;
    // The newest SEARCH_SCAN_ROWS below `before` are read row by row, the older ones through the
    // trigram index (chat-rows.ts); no floor: the room is short, the scan reads it all.
    const floor = long
      ? (await first<{ id: string }>(this.db, SEARCH_FLOOR, [org, room, hi]))?.id
      : undefined;
    const scan = [org, room, floor ?? 0, hi, needle, limit + 1];
    const { rows } = await this.db.query<MessageRow>(SEARCH_SCAN, scan);
    if (floor !== undefined && rows.length <= limit) {
      const pattern = `%${escapeLike(indexedPrefix(needle))}%`;
      const indexed = [org, room, floor, pattern, limit + 1 - rows.length, needle];
      const rest = await this.db.query<MessageRow>(SEARCH_INDEXED, indexed);
      rows.push(...rest.rows);
    }
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
}
