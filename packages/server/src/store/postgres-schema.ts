/**
 * The PostgreSQL schema, as migrations (see `migrations.ts`). `data` is `text`, not `jsonb`:
 * jsonb would reorder keys and refuse `\u0000` in strings, while the inbox only stores and
 * returns the JSON the app sent, as the SQLite store does.
 */
import type { Migration } from './migrations.js';

export const POSTGRES_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'notifications inbox',
    // Ids count per org in notification_counters: the row lock taken to count also orders the
    // commits of one org, so ids become visible in id order and `before` paging skips nothing.
    sql: `
      CREATE TABLE notification_counters (
        org text PRIMARY KEY,
        last_id bigint NOT NULL
      );
      CREATE TABLE notifications (
        org text NOT NULL,
        id bigint NOT NULL,
        user_id text NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        body text,
        data text,
        created_at timestamptz NOT NULL,
        read_at timestamptz,
        PRIMARY KEY (org, id)
      );
      CREATE INDEX notifications_inbox ON notifications (org, user_id, id);
      CREATE INDEX notifications_unread ON notifications (org, user_id, id)
        WHERE read_at IS NULL;`,
  },
  {
    version: 2,
    name: 'notification keys',
    sql: `
      CREATE TABLE notification_keys (
        org text NOT NULL,
        key text NOT NULL,
        ids bigint[] NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (org, key)
      );`,
  },
  {
    version: 3,
    name: 'push outbox',
    sql: `
      CREATE TABLE push_outbox (
        id bigserial PRIMARY KEY,
        org text NOT NULL,
        user_id text NOT NULL,
        data text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];
