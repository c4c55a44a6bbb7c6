/**
 * The store of the embedded deployment: one SQLite file (WAL), apart from the event log's file
 * so the two writers never wait for each other.
 *
 * better-sqlite3 is synchronous, so every call runs to its end in one go and calls never
 * interleave: a create's read of its key and its writes are one transaction with no await in
 * between. A lock held by another connection is waited for `busyTimeoutMs` at most (blocking
 * the event loop meanwhile, hence short), then the call fails with `StoreUnavailableError`.
 * Reads keep working while another connection writes (WAL).
 */
import { dirname } from 'node:path';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { isHubcastError, type JsonValue } from '@hubcast/protocol';
import { makeDirectory } from '../data-dir.js';
import {
  pendingMigrations,
  progressMessage,
  type AppliedMigration,
  type Migration,
} from './migrations.js';
import {
  checkCreate,
  checkInbox,
  checkList,
  dataText,
  distinctIds,
  inboxChannel,
  toNotification,
  type NotificationRow,
  pushText,
} from './notification-rows.js';
import { describeSqliteError, isSqliteUnavailable } from '../sqlite-errors.js';
import { SqliteChatStore } from './chat-sqlite.js';
import type { ChatStore } from './chat-store.js';
import { SQLITE_MIGRATIONS, SQLITE_MIGRATIONS_TABLE } from './sqlite-schema.js';
import {
  StoreUnavailableError,
  type CreateInput,
  type CreateResult,
  type ListOptions,
  type ListResult,
  type Notification,
  drainOwnPushes,
  type NotificationStore,
  type PendingPush,
  type Store,
  type StoreOptions,
} from './store.js';
import { SqlitePushStore } from './push-sqlite.js';
import type { PushSubscriptionStore } from './push-store.js';
import type { WebhookStore } from './webhook-store.js';
import { SqliteWebhooks } from './webhooks-sqlite.js';
import type { FollowUpStore } from './follow-up-store.js';
import { SqliteFollowUps } from './follow-ups-sqlite.js';

export interface SqliteStoreOptions extends StoreOptions {
  /** The database file, e.g. `<dataDir>/store.db`; its directory is created when missing. */
  path: string;
  /** How long a write waits for another connection's lock before failing (default 100). */
  busyTimeoutMs?: number;
  /**
   * `normal` survives a crash of the process (the default); `full` also survives a power cut,
   * at one fsync per commit.
   */
  synchronous?: 'normal' | 'full';
}

const DEFAULT_BUSY_TIMEOUT_MS = 100;

interface SqliteRow {
  id: number;
  user_id: string;
  kind: string;
  title: string;
  body: string | null;
  data: string | null;
  created_at: number;
  read_at: number | null;
}

const COLUMNS = 'id, user_id, kind, title, body, data, created_at, read_at';

export class SqliteStore implements Store {
  readonly notifications: NotificationStore;
  readonly push: PushSubscriptionStore;
  readonly chat: ChatStore;
  readonly webhooks: WebhookStore;
  readonly followUps: FollowUpStore;
  private closed = false;

  /** Opens (or creates) the file and migrates it; fails naming the file when it cannot. */
  static open(options: SqliteStoreOptions): Promise<SqliteStore> {
    try {
      return Promise.resolve(new SqliteStore(options));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private readonly db: Db;
  private readonly probe: () => void;

  private constructor(options: SqliteStoreOptions) {
    const now = options.now ?? Date.now;
    const db = openDatabase(options.path, options);
    try {
      migrateSqlite(db, SQLITE_MIGRATIONS, options.onProgress, now());
      const push = new SqlitePushStore(db, this.run, now);
      const webhooks = new SqliteWebhooks(db, this.run, now);
      const followUps = new SqliteFollowUps(db, this.run, push, webhooks);
      this.notifications = new SqliteNotifications(db, this.run, now, followUps);
      this.push = push;
      this.chat = new SqliteChatStore(db, this.run, now);
      this.webhooks = webhooks;
      this.followUps = followUps;
      const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck();
      // BEGIN IMMEDIATE takes the write lock, so check() fails while a writer holds it.
      const probe = db.transaction(() => version.get());
      this.probe = () => void probe.immediate();
    } catch (err) {
      db.close();
      throw openError(options.path, err);
    }
    this.db = db;
  }

  /** Runs one synchronous unit of work and maps what it throws (see `toStoreError`). */
  private readonly run = <T>(work: () => T): Promise<T> => {
    if (this.closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    try {
      return Promise.resolve(work());
    } catch (err) {
      return Promise.reject(toStoreError(err));
    }
  };

  check(): Promise<void> {
    return this.run(this.probe);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }
}

type Run = <T>(work: () => T) => Promise<T>;

class SqliteNotifications implements NotificationStore {
  private readonly stmt: {
    keyIds: Statement<[string, string], string>;
    insertKey: Statement<[string, string, string, number]>;
    bumpCounter: Statement<[string, number], number>;
    insert: Statement<
      [string, number, string, string, string, string | null, string | null, number]
    >;
    byIds: Statement<[string, string], SqliteRow>;
    list: Statement<[string, string, number, number], SqliteRow>;
    listUnread: Statement<[string, string, number, number], SqliteRow>;
    markRead: Statement<[number, string, string, string], number>;
    markAllRead: Statement<[number, string, string]>;
    unreadCount: Statement<[string, string], number>;
    insertPush: Statement<[string, string, string, string, number]>;
    pendingPushes: Statement<[number], SqlitePushRow>;
    pushesDone: Statement<[string]>;
  };
  private readonly markReadTx: (org: string, user: string, wanted: string[]) => string[];
  private readonly markAllReadTx: (org: string, user: string) => number;
  private readonly createTx: (org: string, input: CreateInput, nowMs: number) => CreateResult;

  constructor(
    db: Db,
    private readonly run: Run,
    private readonly now: () => number,
    private readonly followUps: SqliteFollowUps,
  ) {
    this.stmt = {
      keyIds: db
        .prepare<[string, string], string>(
          'SELECT ids FROM notification_keys WHERE org = ? AND key = ?',
        )
        .pluck(),
      insertKey: db.prepare(
        'INSERT INTO notification_keys (org, key, ids, created_at) VALUES (?, ?, ?, ?)',
      ),
      bumpCounter: db
        .prepare<[string, number], number>(
          `INSERT INTO notification_counters (org, last_id) VALUES (?, ?)
           ON CONFLICT (org) DO UPDATE SET last_id = last_id + excluded.last_id
           RETURNING last_id`,
        )
        .pluck(),
      insert: db.prepare(
        `INSERT INTO notifications (org, id, user_id, kind, title, body, data, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byIds: db.prepare(
        `SELECT ${COLUMNS} FROM notifications
         WHERE org = ? AND id IN (SELECT value FROM json_each(?))`,
      ),
      list: db.prepare(
        `SELECT ${COLUMNS} FROM notifications WHERE org = ? AND user_id = ? AND id < ?
         ORDER BY id DESC LIMIT ?`,
      ),
      listUnread: db.prepare(
        `SELECT ${COLUMNS} FROM notifications
         WHERE org = ? AND user_id = ? AND id < ? AND read_at IS NULL
         ORDER BY id DESC LIMIT ?`,
      ),
      markRead: db
        .prepare<[number, string, string, string], number>(
          `UPDATE notifications SET read_at = ?
           WHERE org = ? AND user_id = ? AND read_at IS NULL
             AND id IN (SELECT value FROM json_each(?))
           RETURNING id`,
        )
        .pluck(),
      markAllRead: db.prepare(
        'UPDATE notifications SET read_at = ? WHERE org = ? AND user_id = ? AND read_at IS NULL',
      ),
      unreadCount: db
        .prepare<[string, string], number>(
          'SELECT count(*) FROM notifications WHERE org = ? AND user_id = ? AND read_at IS NULL',
        )
        .pluck(),
      insertPush: db.prepare(
        'INSERT INTO push_outbox (org, user_id, channel, data, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      pendingPushes: db.prepare(
        'SELECT id, org, user_id, channel, data FROM push_outbox ORDER BY id LIMIT ?',
      ),
      pushesDone: db.prepare(
        'DELETE FROM push_outbox WHERE id IN (SELECT value FROM json_each(?))',
      ),
    };
    // The inbox change and its push commit together (see PendingPush).
    this.markReadTx = db.transaction((org: string, user: string, wanted: string[]) => {
      const nowMs = this.now();
      const changed = new Set(
        this.stmt.markRead.all(nowMs, org, user, JSON.stringify(wanted.map(Number))).map(String),
      );
      const updated = wanted.filter((id) => changed.has(id));
      if (updated.length > 0)
        this.stmt.insertPush.run(org, user, inboxChannel(user), pushText.read(updated), nowMs);
      return updated;
    });
    this.markAllReadTx = db.transaction((org: string, user: string) => {
      const nowMs = this.now();
      const updated = this.stmt.markAllRead.run(nowMs, org, user).changes;
      if (updated > 0)
        this.stmt.insertPush.run(org, user, inboxChannel(user), pushText.readAll(), nowMs);
      return updated;
    });
    const create = db.transaction((org: string, input: CreateInput, nowMs: number): CreateResult =>
      this.writeCreate(org, input, nowMs),
    );
    // IMMEDIATE: take the write lock before reading the key, so no other connection can
    // claim it in between.
    this.createTx = (org, input, nowMs) => create.immediate(org, input, nowMs);
  }

  create(org: string, input: CreateInput): Promise<CreateResult> {
    return this.run(() => {
      checkCreate(org, input);
      return this.createTx(org, input, this.now());
    });
  }

  private writeCreate(org: string, input: CreateInput, nowMs: number): CreateResult {
    const { key, users } = input;
    if (key !== undefined) {
      const prior = this.stmt.keyIds.get(org, key);
      if (prior !== undefined) return this.readCreated(org, JSON.parse(prior) as string[]);
    }
    const ids: string[] = [];
    const notifications: Notification[] = [];
    if (users.length > 0) {
      const lastId = this.stmt.bumpCounter.get(org, users.length);
      if (lastId === undefined) throw new Error('the id counter returned no row');
      const { kind, title } = input.notification;
      const body = input.notification.body ?? null;
      const data = dataText(input.notification.data);
      users.forEach((user, i) => {
        const id = lastId - users.length + 1 + i;
        this.stmt.insert.run(org, id, user, kind, title, body, data, nowMs);
        const row = { id: String(id), kind, title, body, data, createdAtMs: nowMs, readAtMs: null };
        ids.push(row.id);
        const notification = toNotification(row);
        notifications.push(notification);
        this.stmt.insertPush.run(
          org,
          user,
          inboxChannel(user),
          pushText.created(notification),
          nowMs,
        );
      });
    }
    if (key !== undefined) this.stmt.insertKey.run(org, key, JSON.stringify(ids), nowMs);
    if (input.followUp !== undefined && ids.length > 0)
      this.followUps.add(org, ids, input.followUp, nowMs);
    return { ids, users: [...users], created: true, notifications };
  }

  /** The answer to a repeated key: the first call's notifications as they are now. */
  private readCreated(org: string, ids: string[]): CreateResult {
    const rows = new Map(
      this.stmt.byIds.all(org, JSON.stringify(ids.map(Number))).map((r) => [String(r.id), r]),
    );
    const found = ids.flatMap((id) => rows.get(id) ?? []);
    return {
      ids,
      users: found.map((row) => row.user_id),
      created: false,
      notifications: found.map((row) => toNotification(fromSqlite(row))),
    };
  }

  list(org: string, user: string, options: ListOptions): Promise<ListResult> {
    return this.run(() => {
      const { limit, beforeId, unread } = checkList(org, user, options);
      const stmt = unread ? this.stmt.listUnread : this.stmt.list;
      const rows = stmt.all(org, user, beforeId, limit + 1);
      return {
        items: rows.slice(0, limit).map((row) => toNotification(fromSqlite(row))),
        more: rows.length > limit,
      };
    });
  }

  markRead(org: string, user: string, ids: readonly string[]): Promise<string[]> {
    return this.run(() => {
      checkInbox(org, user);
      const wanted = distinctIds(ids);
      return wanted.length === 0 ? [] : this.markReadTx(org, user, wanted);
    });
  }

  markAllRead(org: string, user: string): Promise<number> {
    return this.run(() => {
      checkInbox(org, user);
      return this.markAllReadTx(org, user);
    });
  }

  unreadCount(org: string, user: string): Promise<number> {
    return this.run(() => {
      checkInbox(org, user);
      return this.stmt.unreadCount.get(org, user) ?? 0;
    });
  }
  pendingPushes(limit: number): Promise<PendingPush[]> {
    return this.run(() =>
      this.stmt.pendingPushes.all(limit).map((row) => ({
        id: String(row.id),
        org: row.org,
        user: row.user_id,
        channel: row.channel,
        data: JSON.parse(row.data) as JsonValue,
      })),
    );
  }

  pushesDone(ids: readonly string[]): Promise<void> {
    return this.run(() => {
      if (ids.length > 0) this.stmt.pushesDone.run(JSON.stringify(ids.map(Number)));
    });
  }

  drainPushes(
    limit: number,
    deliver: (batch: readonly PendingPush[]) => Promise<void>,
  ): Promise<number> {
    return drainOwnPushes(this, limit, deliver);
  }
}

interface SqlitePushRow {
  id: number;
  org: string;
  user_id: string;
  channel: string;
  data: string;
}

function fromSqlite(row: SqliteRow): NotificationRow {
  return {
    id: String(row.id),
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: row.data,
    createdAtMs: row.created_at,
    readAtMs: row.read_at,
  };
}

/**
 * Runs the pending migrations in one IMMEDIATE transaction and answers how many ran. Exported
 * so tests can migrate part way, as an older hubcast would have.
 */
export function migrateSqlite(
  db: Db,
  migrations: readonly Migration[],
  onProgress?: (message: string) => void,
  nowMs: number = Date.now(),
): number {
  const migrate = db.transaction((): number => {
    db.exec(SQLITE_MIGRATIONS_TABLE);
    const applied = db
      .prepare('SELECT version, name FROM schema_migrations ORDER BY version')
      .all() as AppliedMigration[];
    const pending = pendingMigrations(applied, migrations);
    const record = db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    pending.forEach((m, i) => {
      onProgress?.(progressMessage(m, i, pending.length));
      db.exec(m.sql);
      record.run(m.version, m.name, new Date(nowMs).toISOString());
    });
    return pending.length;
  });
  return migrate.immediate();
}

function openDatabase(path: string, options: SqliteStoreOptions): Db {
  let db: Db;
  try {
    makeDirectory(dirname(path));
    db = new Database(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  } catch (err) {
    throw openError(path, err);
  }
  try {
    // The first statement reads the header: a file that is not SQLite fails here.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  } catch (err) {
    db.close();
    throw openError(path, err);
  }
  return db;
}

function openError(path: string, err: unknown): Error {
  return new Error(`cannot open the store ${path}: ${describeSqliteError(err)}`, { cause: err });
}

/** Keeps argument errors as they are and turns backend trouble into `StoreUnavailableError`. */
function toStoreError(err: unknown): Error {
  if (isHubcastError(err) || err instanceof StoreUnavailableError) return err;
  if (isSqliteUnavailable(err)) {
    return new StoreUnavailableError(describeSqliteError(err), { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
