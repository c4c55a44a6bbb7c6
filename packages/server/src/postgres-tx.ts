/** The PostgreSQL pool and transaction shared by the store and the log. */
import { Pool, type PoolClient } from 'pg';
import { isPostgresUnavailable } from './store/postgres-errors.js';

/**
 * Runs `work` between BEGIN and COMMIT and throws what failed, untranslated (each caller maps
 * errors its own way). A client whose connection failed may be dead or mid-reply, so it is
 * dropped rather than pooled; the server rolls back what it holds when it sees the disconnect.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  // A checked-out client reports a lost connection as an event too; the query gets it anyway.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken = isPostgresUnavailable(err);
    if (!broken) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
    }
    throw err;
  } finally {
    client.removeListener('error', ignore);
    client.release(broken);
  }
}

export interface PoolOptions {
  url: string;
  max: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

/** A pool that fails fast when the database stops answering and never crashes the process. */
export function newPool(options: PoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    // The server's timeout comes first and leaves the connection usable; the client's is for
    // a server that no longer answers at all.
    statement_timeout: options.queryTimeoutMs,
    query_timeout: options.queryTimeoutMs + 500,
    // A node that stalls inside a transaction must not hold row locks (an org's counter or
    // head) for long.
    idle_in_transaction_session_timeout: Math.max(1000, options.queryTimeoutMs * 2),
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle connection that dies is dropped by the pool; the next call reports the outage.
  pool.on('error', () => undefined);
  return pool;
}
