/**
 * The store of a cluster: PostgreSQL through a `pg` pool, shared by every node.
 *
 * Outages fail fast and heal by themselves: a new connection gets `connectTimeoutMs`, a
 * statement `queryTimeoutMs` (on the server, and on the client for a server that stopped
 * answering at all); a broken connection is dropped rather than returned to the pool, so once
 * the server is back the next call simply connects again. Nothing here retries: a call that
 * failed may be retried by its caller, with the same key for a create.
 */
import { Client, type Pool, type QueryResultRow } from 'pg';
import { isHubcastError, type JsonValue } from '@hubcast/protocol';
import { inTransaction, newPool } from '../postgres-tx.js';
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
  pushText,
  toNotification,
  type NotificationRow,
} from './notification-rows.js';
import { describePostgresError, isPostgresUnavailable } from './postgres-errors.js';
import { PostgresChatStore } from './chat-postgres.js';
import type { ChatStore } from './chat-store.js';
import { POSTGRES_MIGRATIONS, POSTGRES_MIGRATIONS_TABLE } from './postgres-schema.js';
import {
  StoreUnavailableError,
  type CreateInput,
  type CreateResult,
  type ListOptions,
  type ListResult,
  type NotificationStore,
  type PendingPush,
  type Store,
  type StoreOptions,
} from './store.js';
import { PostgresPushStore } from './push-postgres.js';
import type { PushSubscriptionStore } from './push-store.js';
import type { WebhookStore } from './webhook-store.js';
import type { FollowUpStore } from './follow-up-store.js';
import { addFollowUp, PostgresFollowUps } from './follow-ups-postgres.js';
import { PostgresWebhooks } from './webhooks-postgres.js';

export interface PostgresStoreOptions extends StoreOptions {
  /** A connection string (`postgres://user:password@host:5432/db`); errors never echo it. */
  url: string;
  /** How long a call waits for a connection before failing (default 3000). */
  connectTimeoutMs?: number;
  /** The longest a statement may run or a silent server be waited for (default 5000). */
  queryTimeoutMs?: number;
  /** Connections of this node's pool (default 10). */
  maxConnections?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
const DEFAULT_QUERY_TIMEOUT_MS = 5000;
/**
 * The lock that lets one node migrate while the others wait, whatever database they share:
 * the bytes of "hubcast\0" read as one bigint.
 */
const MIGRATION_LOCK_ID = '7527030531195892736';

/** What the queries need: a pool for single statements or a client inside a transaction. */
interface Queryable {
  query<R extends QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

interface PostgresRow {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string | null;
  data: string | null;
  created_at: Date;
  read_at: Date | null;
}

const COLUMNS = 'id, user_id, kind, title, body, data, created_at, read_at';

export class PostgresStore implements Store {
  readonly notifications: NotificationStore;
  readonly push: PushSubscriptionStore;
  readonly chat: ChatStore;
  readonly webhooks: WebhookStore;
  readonly followUps: FollowUpStore;
  private readonly pool: Pool;
  private closed = false;

  /** Connects, runs the pending migrations (one node at a time) and opens the pool. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    try {
      await migratePostgres(options.url, POSTGRES_MIGRATIONS, {
        connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    } catch (err) {
      throw new Error(
        `cannot open the store at ${describeTarget(options.url)}: ${describePostgresError(err)}`,
        { cause: err },
      );
    }
    return new PostgresStore(options);
  }

  private constructor(options: PostgresStoreOptions) {
    this.pool = newPool({
      url: options.url,
      max: options.maxConnections ?? 10,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    });
    const db: Queryable = { query: (text, values) => this.query(text, values) };
    const transaction = <T>(work: (client: Queryable) => Promise<T>): Promise<T> =>
      this.transaction(work);
    this.notifications = new PostgresNotifications(db, transaction, options.now ?? Date.now);
    this.chat = new PostgresChatStore(db, transaction, options.now ?? Date.now);
    this.push = new PostgresPushStore(db, transaction, options.now ?? Date.now);
    this.webhooks = new PostgresWebhooks(db, options.now ?? Date.now);
    this.followUps = new PostgresFollowUps(db, transaction, options.now ?? Date.now);
  }

  private async query<R extends QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }> {
    if (this.closed) throw new StoreUnavailableError('the store is closed');
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw toStoreError(err);
    }
  }

  private async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the store is closed');
    try {
      return await inTransaction(this.pool, work);
    } catch (err) {
      throw toStoreError(err);
    }
  }

  async check(): Promise<void> {
    await this.query('SELECT max(version) FROM schema_migrations');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

interface PushRow {
  id: string;
  org: string;
  user_id: string;
  channel: string;
  data: string;
}

const pushOf = (row: PushRow): PendingPush => ({
  id: String(row.id),
  org: row.org,
  user: row.user_id,
  channel: row.channel,
  data: JSON.parse(row.data) as JsonValue,
});

/** The advisory lock key of outbox drains (any fixed bigint; this one is "hcpush" in ASCII). */
const PUSH_OUTBOX_LOCK = '114776297796456';

class PostgresNotifications implements NotificationStore {
  constructor(
    private readonly db: Queryable,
    private readonly transaction: <T>(work: (client: Queryable) => Promise<T>) => Promise<T>,
    private readonly now: () => number,
  ) {}

  async create(org: string, input: CreateInput): Promise<CreateResult> {
    checkCreate(org, input);
    const { key, users } = input;
    return this.transaction(async (client) => {
      if (key !== undefined) {
        // Claiming the key first makes a concurrent create with the same key wait here for
        // this one to commit, then find the key taken.
        const claim = await client.query(
          `INSERT INTO notification_keys (org, key, ids, created_at) VALUES ($1, $2, '{}', $3)
           ON CONFLICT (org, key) DO NOTHING`,
          [org, key, new Date(this.now())],
        );
        if (claim.rowCount === 0) {
          const { rows } = await client.query<{ ids: string[] }>(
            'SELECT ids FROM notification_keys WHERE org = $1 AND key = $2',
            [org, key],
          );
          return readCreated(client, org, rows[0]?.ids ?? []);
        }
      }
      if (users.length === 0) return { ids: [], users: [], created: true, notifications: [] };
      // The counter row stays locked until commit, so an org's ids commit in order.
      const { rows } = await client.query<{ last_id: string }>(
        `INSERT INTO notification_counters (org, last_id) VALUES ($1, $2)
         ON CONFLICT (org) DO UPDATE SET last_id = notification_counters.last_id + excluded.last_id
         RETURNING last_id`,
        [org, users.length],
      );
      if (rows[0] === undefined) throw new Error('the id counter returned no row');
      const lastId = Number(rows[0].last_id);
      // Read after taking the counter: created_at then grows with the ids of the org.
      const nowMs = this.now();
      const createdAt = new Date(nowMs);
      const ids = users.map((_, i) => String(lastId - users.length + 1 + i));
      const { kind, title } = input.notification;
      const body = input.notification.body ?? null;
      const data = dataText(input.notification.data);
      await client.query(
        `INSERT INTO notifications (org, id, user_id, kind, title, body, data, created_at)
         SELECT $1, t.id, t.user_id, $4, $5, $6, $7, $8
         FROM unnest($2::bigint[], $3::text[]) AS t (id, user_id)`,
        [org, ids, users, kind, title, body, data, createdAt],
      );
      if (key !== undefined) {
        await client.query('UPDATE notification_keys SET ids = $3 WHERE org = $1 AND key = $2', [
          org,
          key,
          ids,
        ]);
      }
      const notifications = ids.map((id) =>
        toNotification({ id, kind, title, body, data, createdAtMs: nowMs, readAtMs: null }),
      );
      await client.query(
        `INSERT INTO push_outbox (org, user_id, channel, data)
         SELECT $1, t.user_id, t.channel, t.data
         FROM unnest($2::text[], $3::text[], $4::text[]) AS t (user_id, channel, data)`,
        [org, users, users.map(inboxChannel), notifications.map((n) => pushText.created(n))],
      );
      if (input.followUp !== undefined) await addFollowUp(client, org, ids, input.followUp, nowMs);
      return { ids, users: [...users], created: true, notifications };
    });
  }

  async list(org: string, user: string, options: ListOptions): Promise<ListResult> {
    const { limit, beforeId, unread } = checkList(org, user, options);
    const { rows } = await this.db.query<PostgresRow>(
      `SELECT ${COLUMNS} FROM notifications
       WHERE org = $1 AND user_id = $2 AND id < $3 ${unread ? 'AND read_at IS NULL' : ''}
       ORDER BY id DESC LIMIT $4`,
      [org, user, beforeId, limit + 1],
    );
    return {
      items: rows.slice(0, limit).map((row) => toNotification(fromPostgres(row))),
      more: rows.length > limit,
    };
  }

  async markRead(org: string, user: string, ids: readonly string[]): Promise<string[]> {
    checkInbox(org, user);
    const wanted = distinctIds(ids);
    if (wanted.length === 0) return [];
    // The change and its push commit together (see PendingPush).
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `UPDATE notifications SET read_at = $1
         WHERE org = $2 AND user_id = $3 AND read_at IS NULL AND id = ANY ($4::bigint[])
         RETURNING id`,
        [new Date(this.now()), org, user, wanted],
      );
      const changed = new Set(rows.map((row) => row.id));
      const updated = wanted.filter((id) => changed.has(id));
      if (updated.length > 0) await this.addPush(client, org, user, pushText.read(updated));
      return updated;
    });
  }

  async markAllRead(org: string, user: string): Promise<number> {
    checkInbox(org, user);
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        `UPDATE notifications SET read_at = $1
         WHERE org = $2 AND user_id = $3 AND read_at IS NULL`,
        [new Date(this.now()), org, user],
      );
      const updated = rowCount ?? 0;
      if (updated > 0) await this.addPush(client, org, user, pushText.readAll());
      return updated;
    });
  }

  private async addPush(client: Queryable, org: string, user: string, text: string) {
    await client.query(
      'INSERT INTO push_outbox (org, user_id, channel, data) VALUES ($1, $2, $3, $4)',
      [org, user, inboxChannel(user), text],
    );
  }

  async pendingPushes(limit: number): Promise<PendingPush[]> {
    const { rows } = await this.db.query<PushRow>(
      'SELECT id, org, user_id, channel, data FROM push_outbox ORDER BY id LIMIT $1',
      [limit],
    );
    return rows.map(pushOf);
  }

  async pushesDone(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query('DELETE FROM push_outbox WHERE id = ANY ($1::bigint[])', [ids]);
  }

  drainPushes(
    limit: number,
    deliver: (batch: readonly PendingPush[]) => Promise<void>,
  ): Promise<number> {
    return this.transaction(async (client) => {
      // Held to the end of the transaction: the other nodes' drains wait here, then find the
      // outbox without the rows this one took.
      await client.query('SELECT pg_advisory_xact_lock($1)', [PUSH_OUTBOX_LOCK]);
      const { rows } = await client.query<PushRow>(
        'SELECT id, org, user_id, channel, data FROM push_outbox ORDER BY id LIMIT $1',
        [limit],
      );
      if (rows.length === 0) return 0;
      await deliver(rows.map(pushOf));
      await client.query('DELETE FROM push_outbox WHERE id = ANY ($1::bigint[])', [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }

  async unreadCount(org: string, user: string): Promise<number> {
    checkInbox(org, user);
    const { rows } = await this.db.query<{ count: string }>(
      `SELECT count(*) FROM notifications
       WHERE org = $1 AND user_id = $2 AND read_at IS NULL`,
      [org, user],
    );
    return Number(rows[0]?.count ?? 0);
  }
}

/** The answer to a repeated key: the first call's notifications as they are now. */
async function readCreated(client: Queryable, org: string, ids: string[]): Promise<CreateResult> {
  const { rows } = await client.query<PostgresRow>(
    `SELECT ${COLUMNS} FROM notifications WHERE org = $1 AND id = ANY ($2::bigint[])`,
    [org, ids],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const found = ids.flatMap((id) => byId.get(id) ?? []);
  return {
    ids,
    users: found.map((row) => row.user_id),
    created: false,
    notifications: found.map((row) => toNotification(fromPostgres(row))),
  };
}

function fromPostgres(row: PostgresRow): NotificationRow {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: row.data,
    createdAtMs: row.created_at.getTime(),
    readAtMs: row.read_at === null ? null : row.read_at.getTime(),
  };
}

export interface MigratePostgresOptions {
  connectTimeoutMs?: number;
  onProgress?: (message: string) => void;
}

/**
 * Runs the pending migrations on a connection of its own (no statement timeout: a migration
 * may take long, and so may waiting for another node's) in one transaction, under an advisory
 * lock so nodes starting together migrate one after the other. Answers how many ran.
 */
export async function migratePostgres(
  url: string,
  migrations: readonly Migration[],
  options: MigratePostgresOptions = {},
): Promise<number> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await client.query(POSTGRES_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedMigration>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    const pending = pendingMigrations(rows, migrations);
    for (const [i, m] of pending.entries()) {
      options.onProgress?.(progressMessage(m, i, pending.length));
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
    }
    await client.query('COMMIT');
    return pending.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function toStoreError(err: unknown): Error {
  if (isHubcastError(err) || err instanceof StoreUnavailableError) return err;
  if (isPostgresUnavailable(err)) {
    return new StoreUnavailableError(describePostgresError(err), { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** `host:port/database` of a connection string, without its user or password. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres ${parsed.host || 'localhost'}${parsed.pathname}`;
  } catch {
    return 'postgres';
  }
}
