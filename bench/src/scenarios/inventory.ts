/**
 * The `polling` scenario's data, in PostgreSQL: an inventory table with an index on its
 * `version` column (what `GET /items?since=` reads), the changer that updates a few rows per
 * change in one statement, and what the database says it did (`pg_stat_database`,
 * `pg_stat_statements`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { nowMs } from '../loadgen/payload.js';
import { changedIds } from './polling-figures.js';

/** Fresh rows 1..items, every one at version 0, and the statement counters reset. */
export async function seedInventory(db: pg.Client, items: number): Promise<void> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.query('DROP TABLE IF EXISTS items');
  await db.query(
    'CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, qty integer NOT NULL, ' +
      'version bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())',
  );
  await db.query('CREATE INDEX items_version ON items (version)');
  await db.query(
    "INSERT INTO items (id, name, qty) SELECT i, 'item ' || i, 100 FROM generate_series(1, $1) i",
    [items],
  );
  await db.query('VACUUM ANALYZE items');
  await db.query('SELECT pg_stat_statements_reset()');
}

/** What the database counted so far. */
export interface DbCounters {
  /** Transactions committed in the database (every autocommit query is one). */
  xactCommit: number;
  /** Calls of the REST server's `items since` query, and of every statement. */
  itemsQueryCalls: number;
  statementCalls: number;
}

export async function readDbCounters(db: pg.Client): Promise<DbCounters> {
  // Counters are read in a transaction snapshot: start a fresh one for each reading.
  await db.query('SELECT pg_stat_clear_snapshot()');
  const x = await db.query<{ n: string }>(
    'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  const s = await db.query<{ items: string; total: string }>(
    "SELECT coalesce(sum(calls) FILTER (WHERE query LIKE 'SELECT id, qty, version FROM items%'), 0) AS items, " +
      'coalesce(sum(calls), 0) AS total FROM pg_stat_statements',
  );
  return {
    xactCommit: Number(x.rows[0]?.n ?? 0),
    itemsQueryCalls: Number(s.rows[0]?.items ?? 0),
    statementCalls: Number(s.rows[0]?.total ?? 0),
  };
}

export interface ChangerPlan {
  changes: number;
  periodMs: number;
  rowsPerChange: number;
  items: number;
  /** When change 1 is due (`nowMs`). */
  startMs: number;
  /** Push: hands the committed change to hubcast (`{"change":v,"rows":[…]}`). */
  publish?: (dataJson: string) => Promise<void>;
}

/**
 * Makes changes 1..`changes`, one every `periodMs`: each an UPDATE of `rowsPerChange` rows to
 * that version (autocommit), then, when pushing, a publish of the rows. Resolves with when each
 * change was issued (`nowMs`, just before its UPDATE) and how late the latest one started.
 */
export async function runChanger(
  db: pg.Client,
  plan: ChangerPlan,
): Promise<{ changeAtMs: Float64Array; maxLagMs: number }> {
  const changeAtMs = new Float64Array(plan.changes);
  let maxLagMs = 0;
  for (let v = 1; v <= plan.changes; v++) {
    const due = plan.startMs + (v - 1) * plan.periodMs;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    const at = nowMs();
    maxLagMs = Math.max(maxLagMs, at - due);
    changeAtMs[v - 1] = at;
    const result = await db.query<{ id: number; qty: number }>(
      'UPDATE items SET qty = qty + 1, version = $1, updated_at = now() WHERE id = ANY($2::int[]) ' +
        'RETURNING id, qty',
      [v, changedIds(v, plan.rowsPerChange, plan.items)],
    );
    if (plan.publish !== undefined) {
      const rows = result.rows.map((r) => `{"id":${r.id},"qty":${r.qty}}`).join(',');
      await plan.publish(`{"change":${v},"rows":[${rows}]}`);
    }
  }
  return { changeAtMs, maxLagMs };
}
