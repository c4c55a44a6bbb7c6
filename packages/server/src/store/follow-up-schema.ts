/**
 * The follow-up table (SQLite migration 7, PostgreSQL 9), see follow-up-store.ts. `ids` holds
 * the notification ids of one create (at most `NOTIFY_USERS_MAX`); `lease_until` 0 is "not
 * leased"; times are Unix ms.
 */
import type { Migration } from './migrations.js';

export const FOLLOW_UPS_SQLITE: Migration = {
  version: 7,
  name: 'notification follow-ups',
  sql: `
    CREATE TABLE notification_follow_ups (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      org TEXT NOT NULL,
      ids TEXT NOT NULL,
      data TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      claims INTEGER NOT NULL DEFAULT 0,
      lease_until INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX notification_follow_ups_due ON notification_follow_ups (lease_until, id);`,
};

export const FOLLOW_UPS_POSTGRES: Migration = {
  version: 9,
  name: 'notification follow-ups',
  sql: `
    CREATE TABLE notification_follow_ups (
      id bigserial PRIMARY KEY,
      org text NOT NULL,
      ids bigint[] NOT NULL,
      data text NOT NULL,
      created_at bigint NOT NULL,
      claims integer NOT NULL DEFAULT 0,
      lease_until bigint NOT NULL DEFAULT 0
    );
    CREATE INDEX notification_follow_ups_due ON notification_follow_ups (lease_until, id);`,
};
