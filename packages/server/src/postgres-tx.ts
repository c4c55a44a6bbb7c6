/** One PostgreSQL transaction on a pooled client, shared by the store and the log. */
import type { Pool, PoolClient } from 'pg';
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
