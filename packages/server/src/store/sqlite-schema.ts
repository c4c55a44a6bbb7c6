/**
 * The SQLite schema, as migrations (see `migrations.ts`). Times are Unix ms, `data` is JSON
 * text (kept byte for byte), tables are STRICT so a wrong type fails instead of being stored.
 */
import type { Migration } from './migrations.js';

export const SQLITE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`;

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'notifications inbox',
    // Ids count per org in notification_counters, never reused even after rows are deleted.
    // The partial index serves the unread list, unreadCount and markAllRead.
    sql: `
      CREATE TABLE notification_counters (
        org TEXT PRIMARY KEY,
        last_id INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE notifications (
        org TEXT NOT NULL,
        id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT,
        data TEXT,
        created_at INTEGER NOT NULL,
        read_at INTEGER,
        PRIMARY KEY (org, id)
      ) STRICT;
      CREATE INDEX notifications_inbox ON notifications (org, user_id, id);
      CREATE INDEX notifications_unread ON notifications (org, user_id, id)
        WHERE read_at IS NULL;`,
  },
  {
    version: 2,
    name: 'notification keys',
    // `ids` is the JSON array a repeated create answers with.
    sql: `
      CREATE TABLE notification_keys (
        org TEXT NOT NULL,
        key TEXT NOT NULL,
        ids TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (org, key)
      ) STRICT, WITHOUT ROWID;`,
  },
  {
    version: 3,
    name: 'push outbox',
    // AUTOINCREMENT: ids never go back, even after the newest row is deleted, so a push key
    // made from an id is never reused.
    sql: `
      CREATE TABLE push_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        org TEXT NOT NULL,
        user_id TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;`,
  },
  // Version 4 is the chat store's (issue 12, merged from its own branch).
  {
    version: 5,
    name: 'webhooks',
    // The outbound webhook queue (store/webhook-store.ts); a delivered row is deleted, a dead
    // letter stays. `lease_until` 0 is "not leased".
    sql: `
      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        org TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER NOT NULL,
        last_status INTEGER,
        last_error TEXT
      ) STRICT;
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE state = 'pending';
      CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (org, id)
        WHERE state = 'dead';`,
  },
];
