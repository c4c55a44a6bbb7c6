/**
 * The event log's file: opening it for this process alone, its schema and its epoch.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import Database, { type Database as Db } from 'better-sqlite3';
import { makeDirectory } from '../data-dir.js';
import { describeSqliteError } from '../sqlite-errors.js';
import type { Migration } from '../store/migrations.js';

/** How long a statement waits for a lock before it fails (then 503 or a refused start). */
const BUSY_TIMEOUT_MS = 100;

/**
 * Opens the file for this process alone. The log keeps each org's head in memory, so a second
 * process writing the same file would hand out the same seqs: the exclusive lock, taken here
 * and held until close, makes a second `hubcast serve` on one data dir refuse to start instead.
 */
export function openLogDatabase(path: string, synchronous: 'normal' | 'full'): Db {
  let db: Db;
  try {
    makeDirectory(dirname(path));
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw openError(path, err);
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (err) {
    db.close();
    const busy = (err as { code?: unknown }).code === 'SQLITE_BUSY';
    throw openError(path, err, busy ? 'another process (a second hubcast?) holds it' : undefined);
  }
  return db;
}

/**
 * The file's schema, one step per version; `user_version` records the last step applied, so a
 * second run does nothing (and every step could run twice anyway). A released step never
 * changes: a fix is a new one.
 */
const LOG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event log',
    sql: `
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS orgs (org TEXT PRIMARY KEY, head INTEGER NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS events (
        org TEXT NOT NULL,
        seq INTEGER NOT NULL,
        channel TEXT NOT NULL,
        data TEXT NOT NULL,
        ts INTEGER NOT NULL,
        from_user TEXT,
        idem_key TEXT,
        PRIMARY KEY (org, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE UNIQUE INDEX IF NOT EXISTS events_key ON events (org, idem_key)
        WHERE idem_key IS NOT NULL;`,
  },
  {
    version: 2,
    name: 'read scan index',
    // Reads scan (org, seq) windows and test the channel (sqlite-read.ts): on this index they
    // never load a row, whose payload may span overflow pages.
    sql: 'CREATE INDEX IF NOT EXISTS events_scan ON events (org, seq, channel);',
  },
];

const SCHEMA_VERSION = Math.max(...LOG_MIGRATIONS.map((m) => m.version));

/** Runs the steps the file lacks, each in its own transaction, telling `onProgress` of each. */
export function migrateLog(db: Db, onProgress?: (message: string) => void): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `its schema version ${version} is newer than this hubcast knows (${SCHEMA_VERSION})`,
    );
  }
  const pending = LOG_MIGRATIONS.filter((m) => m.version > version);
  pending.forEach((m, i) => {
    onProgress?.(
      `migrating event log: ${i + 1}/${pending.length} ${m.name} (version ${m.version})`,
    );
    db.transaction(() => {
      db.exec(m.sql);
      if (m.version === 1) {
        db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?)").run(
          randomBytes(8).toString('hex'),
        );
      }
      db.pragma(`user_version = ${m.version}`);
    })();
  });
}

/**
 * The file's epoch: made once when the file is created and kept by a backup, so cursors into a
 * restored copy still place, while a wiped or new file gets another one and old cursors don't.
 */
export function readEpoch(db: Db): string {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'epoch'").get() as
    { value: string } | undefined;
  if (row === undefined) throw new Error('its meta table has no epoch');
  return row.value;
}

export function openError(path: string, err: unknown, why?: string): Error {
  const detail =
    why === undefined ? describeSqliteError(err) : `${describeSqliteError(err)}: ${why}`;
  return new Error(`cannot open the event log ${path}: ${detail}`, { cause: err });
}
