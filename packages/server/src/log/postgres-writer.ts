/**
 * The PostgreSQL event log's writer lock: one connection, held for the log's life, that holds a
 * session advisory lock. The log caches every org's head, so only one node may write a
 * database's log; a second one is refused, as the SQLite log's exclusive file lock refuses a
 * second process. When the connection goes, so does the lock (the server releases it): the
 * log must then take it again and reload the heads before it writes.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { EngineUnavailableError } from '../engine-error.js';
import type { OrgHead, Queryable } from './postgres-group.js';

/** The bytes of "hubcastL" read as one bigint; advisory locks are per database. */
const WRITER_LOCK_ID = '7527030531195892812';

export interface WriterLockOptions {
  url: string;
  /** `host:port/database`, for messages. */
  target: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

export class WriterLock {
  private lost = false;

  private constructor(private readonly client: Client) {
    const lose = (): void => {
      this.lost = true;
    };
    client.on('error', lose);
    client.on('end', lose);
  }

  /** Connects and takes the lock, or fails: `EngineUnavailableError` when another node has it. */
  static async acquire(options: WriterLockOptions): Promise<WriterLock> {
    const client = new Client({
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs,
      query_timeout: options.queryTimeoutMs,
      keepAlive: true,
    });
    // Until the lock's own handler is on: a failed connect rejects connect() anyway.
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [WRITER_LOCK_ID],
      );
      if (rows[0]?.locked !== true) {
        throw new EngineUnavailableError(
          'log',
          `another hubcast node writes the event log in ${options.target}`,
          { code: 'locked' },
        );
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return new WriterLock(client);
  }

  /** False once the connection failed or ended: the lock may be someone else's now. */
  get held(): boolean {
    return !this.lost;
  }

  /** A statement on the lock's connection; any failure counts the lock as lost. */
  readonly db: Queryable = {
    query: async (text, values) => {
      try {
        return await this.client.query(text, values);
      } catch (err) {
        this.lost = true;
        throw err;
      }
    },
  };

  /** Gives the lock back and closes the connection; never throws. */
  async release(): Promise<void> {
    if (!this.lost) {
      await this.client
        .query('SELECT pg_advisory_unlock($1)', [WRITER_LOCK_ID])
        .catch(() => undefined);
    }
    this.lost = true;
    await this.client.end().catch(() => undefined);
  }
}

/**
 * The log's epoch, made once (under the writer lock) and kept with the data: cursors into a
 * restored backup still place, while a new database gets another epoch and old cursors don't.
 */
export async function readEpoch(db: Queryable): Promise<string> {
  await db.query(
    "INSERT INTO log_meta (key, value) VALUES ('epoch', $1) ON CONFLICT (key) DO NOTHING",
    [randomBytes(8).toString('hex')],
  );
  const { rows } = await db.query<{ value: string }>(
    "SELECT value FROM log_meta WHERE key = 'epoch'",
  );
  const epoch = rows[0]?.value;
  if (epoch === undefined) throw new Error('log_meta has no epoch');
  return epoch;
}

/** Every org's head and the time of its newest event, so `ts` never goes back in seq order. */
export async function loadHeads(db: Queryable): Promise<Map<string, OrgHead>> {
  const { rows } = await db.query<{ org: string; head: string; ts: string | null }>(
    `SELECT o.org, o.head, e.ts FROM log_orgs o
     LEFT JOIN log_events e ON e.org = o.org AND e.seq = o.head`,
  );
  return new Map(
    rows.map((row) => [row.org, { head: Number(row.head), lastTsMs: Number(row.ts ?? 0) }]),
  );
}
