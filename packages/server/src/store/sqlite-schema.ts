/**
 * The SQLite schema, as migrations (see `migrations.ts`). Times are Unix ms, `data` is JSON
 * text (kept byte for byte), tables are STRICT so a wrong type fails instead of being stored.
 */
import type { Migration } from './migrations.js';
import { FOLLOW_UPS_SQLITE } from './follow-up-schema.js';
import { CHAT_SEARCH_SQLITE } from './chat-search-schema.js';
import { WEB_PUSH_SQLITE } from './push-schema.js';

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
  {
    version: 4,
    name: 'chat',
    // Chat rooms (chat-store.ts), in the inbox's file so a change and its pushes commit together.
    // Message ids count per org in chat_counters. reply_to_* copy the parent at send time;
    // pin_seq orders the pinned list (pinned_at may tie). The push outbox gains the channel
    // each push goes to; the pushes already there are the inbox's.
    sql: `
      CREATE TABLE chat_counters (
        org TEXT PRIMARY KEY,
        last_id INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE chat_rooms (
        org TEXT NOT NULL,
        room TEXT NOT NULL,
        title TEXT,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (org, room)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE chat_members (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        org TEXT NOT NULL,
        room TEXT NOT NULL,
        user_id TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
        joined_at INTEGER NOT NULL,
        last_read INTEGER
      ) STRICT;
      CREATE UNIQUE INDEX chat_members_room ON chat_members (org, room, user_id);
      CREATE INDEX chat_members_user ON chat_members (org, user_id, room);
      CREATE TABLE chat_messages (
        org TEXT NOT NULL,
        id INTEGER NOT NULL,
        room TEXT NOT NULL,
        user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        data TEXT,
        client_id TEXT,
        reply_to_id INTEGER,
        reply_to_user TEXT,
        reply_to_excerpt TEXT,
        thread_id INTEGER,
        reply_count INTEGER NOT NULL DEFAULT 0,
        mentions TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        created_at INTEGER NOT NULL,
        edited_at INTEGER,
        deleted_at INTEGER,
        pinned_at INTEGER,
        pinned_by TEXT,
        pin_seq INTEGER,
        PRIMARY KEY (org, id)
      ) STRICT;
      CREATE INDEX chat_messages_room ON chat_messages (org, room, id);
      CREATE INDEX chat_messages_timeline ON chat_messages (org, room, id)
        WHERE thread_id IS NULL;
      CREATE INDEX chat_messages_thread ON chat_messages (org, thread_id, id)
        WHERE thread_id IS NOT NULL;
      CREATE UNIQUE INDEX chat_messages_client ON chat_messages (org, room, user_id, client_id)
        WHERE client_id IS NOT NULL;
      CREATE INDEX chat_messages_pinned ON chat_messages (org, room, pin_seq)
        WHERE pin_seq IS NOT NULL;
      CREATE TABLE chat_reactions (
        org TEXT NOT NULL,
        message_id INTEGER NOT NULL,
        emoji TEXT NOT NULL,
        user_id TEXT NOT NULL,
        PRIMARY KEY (org, message_id, emoji, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE chat_profiles (
        org TEXT NOT NULL,
        user_id TEXT NOT NULL,
        time_zone TEXT,
        PRIMARY KEY (org, user_id)
      ) STRICT, WITHOUT ROWID;
      ALTER TABLE push_outbox ADD COLUMN channel TEXT NOT NULL DEFAULT '';
      UPDATE push_outbox SET channel = 'user.' || user_id || '.notifications';`,
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
  WEB_PUSH_SQLITE,
  FOLLOW_UPS_SQLITE,
  CHAT_SEARCH_SQLITE,
];
