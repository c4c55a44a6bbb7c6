/**
 * The Web Push tables (SQLite migration 6, PostgreSQL 8: chat and webhooks come first). Times
 * are Unix ms integers in both, so the injected clock and the lease compare alike.
 * `lease_until` 0 means "not leased".
 */
import type { Migration } from './migrations.js';

export const WEB_PUSH_SQLITE: Migration = {
  version: 6,
  name: 'web push',
  sql: `
    CREATE TABLE push_subscriptions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      org TEXT NOT NULL,
      user_id TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      p256dh TEXT NOT NULL,
      auth TEXT NOT NULL,
      device TEXT,
      created_at INTEGER NOT NULL,
      UNIQUE (org, user_id, endpoint)
    ) STRICT;
    CREATE INDEX push_subscriptions_endpoint ON push_subscriptions (org, endpoint);
    CREATE TABLE push_deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      org TEXT NOT NULL,
      user_id TEXT NOT NULL,
      notification_id TEXT NOT NULL,
      payload TEXT NOT NULL,
      endpoint TEXT,
      not_before INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      lease_until INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX push_deliveries_due ON push_deliveries (not_before, id);
    CREATE INDEX push_deliveries_org ON push_deliveries (org, not_before);`,
};

export const WEB_PUSH_POSTGRES: Migration = {
  version: 8,
  name: 'web push',
  sql: `
    CREATE TABLE push_subscriptions (
      id bigserial PRIMARY KEY,
      org text NOT NULL,
      user_id text NOT NULL,
      endpoint text NOT NULL,
      p256dh text NOT NULL,
      auth text NOT NULL,
      device text,
      created_at bigint NOT NULL,
      UNIQUE (org, user_id, endpoint)
    );
    CREATE INDEX push_subscriptions_endpoint ON push_subscriptions (org, endpoint);
    CREATE TABLE push_deliveries (
      id bigserial PRIMARY KEY,
      org text NOT NULL,
      user_id text NOT NULL,
      notification_id text NOT NULL,
      payload text NOT NULL,
      endpoint text,
      not_before bigint NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      lease_until bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX push_deliveries_due ON push_deliveries (not_before, id);
    CREATE INDEX push_deliveries_org ON push_deliveries (org, not_before);`,
};
