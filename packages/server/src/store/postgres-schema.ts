/**
 * The PostgreSQL schema, as migrations (see `migrations.ts`). `data` is `text`, not `jsonb`:
 * jsonb would reorder keys and refuse `\u0000` in strings, while the inbox only stores and
 * returns the JSON the app sent, as the SQLite store does. The event log's tables live here too
 * (one schema per hubcast database), so the store and the log migrate it under one lock.
 */
import type { Migration } from './migrations.js';
import { FOLLOW_UPS_POSTGRES } from './follow-up-schema.js';
import { CHAT_SEARCH_POSTGRES } from './chat-search-schema.js';
import { WEB_PUSH_POSTGRES } from './push-schema.js';

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
  {
    version: 4,
    name: 'event log',
    // The `--log postgres` event log (log/postgres.ts); the SQLite log keeps its own file, so
    // this one has no SQLite twin. `ts` is Unix ms; `data` is text for the reason above.
    sql: `
      CREATE TABLE log_meta (
        key text PRIMARY KEY,
        value text NOT NULL
      );
      CREATE TABLE log_orgs (
        org text PRIMARY KEY,
        head bigint NOT NULL
      );
      CREATE TABLE log_events (
        org text NOT NULL,
        seq bigint NOT NULL,
        channel text NOT NULL,
        data text NOT NULL,
        ts bigint NOT NULL,
        from_user text,
        idem_key text,
        PRIMARY KEY (org, seq)
      );
      CREATE UNIQUE INDEX log_events_key ON log_events (org, idem_key)
        WHERE idem_key IS NOT NULL;`,
  },
  {
    version: 5,
    name: 'event log ts index',
    // The log's TTL sweep deletes by age across every org in one statement.
    sql: `CREATE INDEX log_events_ts ON log_events (ts);`,
  },
  {
    // Version 6: 4 and 5 went to the event log here, which SQLite keeps in its own file.
    version: 6,
    name: 'chat',
    // Chat rooms (chat-store.ts), in the inbox's database so a change and its pushes commit
    // together. Times are Unix ms (bigint) as in the log. Message ids count per org in
    // chat_counters, whose row lock orders an org's sends. reply_to_* copy the parent at send
    // time; pin_seq orders the pinned list (pinned_at may tie). The push outbox gains the
    // channel each push goes to; the pushes already there are the inbox's.
    sql: `
      CREATE TABLE chat_counters (
        org text PRIMARY KEY,
        last_id bigint NOT NULL
      );
      CREATE TABLE chat_rooms (
        org text NOT NULL,
        room text NOT NULL,
        title text,
        created_by text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (org, room)
      );
      CREATE TABLE chat_members (
        seq bigserial PRIMARY KEY,
        org text NOT NULL,
        room text NOT NULL,
        user_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('owner', 'member')),
        joined_at bigint NOT NULL,
        last_read bigint
      );
      CREATE UNIQUE INDEX chat_members_room ON chat_members (org, room, user_id);
      CREATE INDEX chat_members_user ON chat_members (org, user_id, room);
      CREATE TABLE chat_messages (
        org text NOT NULL,
        id bigint NOT NULL,
        room text NOT NULL,
        user_id text NOT NULL,
        text text NOT NULL,
        data text,
        client_id text,
        reply_to_id bigint,
        reply_to_user text,
        reply_to_excerpt text,
        thread_id bigint,
        reply_count integer NOT NULL DEFAULT 0,
        mentions text,
        version integer NOT NULL DEFAULT 1,
        created_at bigint NOT NULL,
        edited_at bigint,
        deleted_at bigint,
        pinned_at bigint,
        pinned_by text,
        pin_seq integer,
        PRIMARY KEY (org, id)
      );
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
        org text NOT NULL,
        message_id bigint NOT NULL,
        emoji text NOT NULL,
        user_id text NOT NULL,
        PRIMARY KEY (org, message_id, emoji, user_id)
      );
      CREATE TABLE chat_profiles (
        org text NOT NULL,
        user_id text NOT NULL,
        time_zone text,
        PRIMARY KEY (org, user_id)
      );
      ALTER TABLE push_outbox ADD COLUMN channel text NOT NULL DEFAULT '';
      UPDATE push_outbox SET channel = 'user.' || user_id || '.notifications';
      ALTER TABLE push_outbox ALTER COLUMN channel DROP DEFAULT;`,
  },
  // Version 6 is the chat store's (issue 12, merged from its own branch): SQLite's 4 and 5 are
  // PostgreSQL's 6 and 7, the event log's two migrations having no SQLite twin.
  {
    version: 7,
    name: 'webhooks',
    // Times are Unix ms as in the SQLite twin; ids compare bytewise (COLLATE "C") so the dead
    // letter list pages in the same order on both.
    sql: `
      CREATE TABLE webhook_deliveries (
        id text COLLATE "C" PRIMARY KEY,
        org text NOT NULL,
        type text NOT NULL,
        body text NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL,
        created_at bigint NOT NULL,
        next_attempt_at bigint NOT NULL,
        lease_until bigint NOT NULL,
        last_status integer,
        last_error text
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE state = 'pending';
      CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (org, id)
        WHERE state = 'dead';`,
  },
  WEB_PUSH_POSTGRES,
  FOLLOW_UPS_POSTGRES,
  CHAT_SEARCH_POSTGRES,
];
