/**
 * The chat search and unread indexes (SQLite migration 8, PostgreSQL 10). `search` matches a substring of a
 * message's text, ASCII case folded (`foldAscii`); both indexes find candidates by trigrams and
 * the query then checks the real text, so the index only has to hold every match, never exactly
 * the matches. Both follow the text of the row: an edit re-indexes it, a tombstone's empty text
 * leaves nothing to find. The unread index covers the unread count (`roomsOf`, `markRead`): a
 * count reads index entries from the member's read position on, never the message rows.
 */
import type { Migration } from './migrations.js';

/** The letters `foldAscii` folds, as `translate()` takes them; index and query must agree. */
export const UPPER_ASCII = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export const CHAT_SEARCH_SQLITE: Migration = {
  version: 8,
  name: 'chat search and unread indexes',
  // FTS5 with the trigram tokenizer (case folding on) over chat_messages.text, an external
  // content table keyed by the row's rowid, kept in step by triggers inside the writing
  // transaction. The trigram tokenizer folds Unicode case, a superset of foldAscii's matches.
  // chat_messages has no INTEGER PRIMARY KEY, so its rowid is implicit, which SQLite documents
  // VACUUM as free to renumber (3.53 keeps them; hubcast never runs VACUUM): after an
  // operator's VACUUM, INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('rebuild').
  // The unread index holds deleted_at (always NULL in it) because SQLite reads a column the
  // query names from the row unless the index holds it, partial or not.
  sql: `
    CREATE VIRTUAL TABLE chat_messages_fts USING fts5(
      text, content = 'chat_messages', tokenize = 'trigram');
    CREATE TRIGGER chat_messages_fts_insert AFTER INSERT ON chat_messages BEGIN
      INSERT INTO chat_messages_fts (rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER chat_messages_fts_delete AFTER DELETE ON chat_messages BEGIN
      INSERT INTO chat_messages_fts (chat_messages_fts, rowid, text)
        VALUES ('delete', old.rowid, old.text);
    END;
    CREATE TRIGGER chat_messages_fts_update AFTER UPDATE OF text ON chat_messages BEGIN
      INSERT INTO chat_messages_fts (chat_messages_fts, rowid, text)
        VALUES ('delete', old.rowid, old.text);
      INSERT INTO chat_messages_fts (rowid, text) VALUES (new.rowid, new.text);
    END;
    INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('rebuild');
    CREATE INDEX chat_messages_unread ON chat_messages (org, room, id, user_id, deleted_at)
      WHERE deleted_at IS NULL;`,
};

export const CHAT_SEARCH_POSTGRES: Migration = {
  version: 10,
  name: 'chat search and unread indexes',
  // pg_trgm is a trusted extension: the database owner may create it. The GIN index is on the
  // folded text the query compares (the same translate() expression), without tombstones.
  sql: `
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX chat_messages_search ON chat_messages
      USING gin (translate(text, '${UPPER_ASCII}', '${UPPER_ASCII.toLowerCase()}') gin_trgm_ops)
      WHERE deleted_at IS NULL;
    CREATE INDEX chat_messages_unread ON chat_messages (org, room, id, user_id)
      WHERE deleted_at IS NULL;`,
};
