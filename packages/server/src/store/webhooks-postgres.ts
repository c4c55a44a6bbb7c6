/**
 * The webhook queue in the cluster's PostgreSQL store. Nodes claim with `FOR UPDATE SKIP
 * LOCKED`, so two claims running at once take different rows, and a claimed row carries a lease
 * (`lease_until`) that keeps it from every other claim until it runs out: a row is sent by one
 * node at a time, and again by another only when its sender died or hung past the lease.
 */
import type { QueryResultRow } from 'pg';
import type {
  AttemptFailure,
  ClaimOptions,
  NewWebhook,
  WebhookCounts,
  WebhookDelivery,
  WebhookStore,
} from './webhook-store.js';

interface Queryable {
  query<R extends QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

interface PostgresWebhookRow {
  id: string;
  org: string;
  type: string;
  body: string;
  state: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
}

const COLUMNS =
  'id, org, type, body, state, attempts, created_at, next_attempt_at, last_status, last_error';

export class PostgresWebhooks implements WebhookStore {
  constructor(
    private readonly db: Queryable,
    private readonly now: () => number,
  ) {}

  enqueue(items: readonly NewWebhook[]): Promise<void> {
    return enqueueWebhooks(this.db, items, this.now());
  }

  async claim(options: ClaimOptions): Promise<WebhookDelivery[]> {
    const nowMs = this.now();
    // `ranked` caps each org at perOrgMax minus the caller's busy count; the lock and the
    // lease re-check on `w` skip rows another node holds or has just leased.
    const { rows } = await this.db.query<PostgresWebhookRow>(
      `WITH ranked AS (
         SELECT id, org, next_attempt_at,
           ROW_NUMBER() OVER (PARTITION BY org ORDER BY next_attempt_at, id) AS rn
         FROM webhook_deliveries
         WHERE state = 'pending' AND next_attempt_at <= $1 AND lease_until <= $1
       ), chosen AS (
         SELECT w.id FROM webhook_deliveries w JOIN ranked r ON r.id = w.id
         WHERE r.rn + COALESCE(($2::jsonb ->> r.org)::int, 0) <= $3
           AND w.state = 'pending' AND w.lease_until <= $1
         ORDER BY r.next_attempt_at, r.id LIMIT $4
         FOR UPDATE OF w SKIP LOCKED
       )
       UPDATE webhook_deliveries w SET attempts = w.attempts + 1, lease_until = $5
       FROM chosen WHERE w.id = chosen.id AND w.lease_until <= $1
       RETURNING ${COLUMNS.split(', ')
         .map((c) => `w.${c}`)
         .join(', ')}`,
      [
        nowMs,
        JSON.stringify(Object.fromEntries(options.busy)),
        options.perOrgMax,
        options.limit,
        nowMs + options.leaseMs,
      ],
    );
    return rows
      .map(fromPostgres)
      .sort((a, b) => a.nextAttemptAtMs - b.nextAttemptAtMs || compare(a.id, b.id));
  }

  async succeeded(id: string, attempts: number): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `DELETE FROM webhook_deliveries WHERE id = $1 AND attempts = $2 AND state = 'pending'`,
      [id, attempts],
    );
    return rowCount === 1;
  }

  async failed(id: string, attempts: number, failure: AttemptFailure): Promise<boolean> {
    const next = failure.retryInMs === undefined ? null : this.now() + failure.retryInMs;
    const { rowCount } = await this.db.query(
      `UPDATE webhook_deliveries SET next_attempt_at = COALESCE($2, next_attempt_at),
         state = $3, last_status = $4, last_error = $5, lease_until = 0
       WHERE id = $1 AND attempts = $6 AND state = 'pending'`,
      [
        id,
        next,
        failure.retryInMs === undefined ? 'dead' : 'pending',
        failure.status ?? null,
        failure.error,
        attempts,
      ],
    );
    return rowCount === 1;
  }

  async dead(org: string, options: { limit: number; after?: string }): Promise<WebhookDelivery[]> {
    const { rows } = await this.db.query<PostgresWebhookRow>(
      `SELECT ${COLUMNS} FROM webhook_deliveries
       WHERE org = $1 AND state = 'dead' AND id > $2 ORDER BY id LIMIT $3`,
      [org, options.after ?? '', options.limit],
    );
    return rows.map(fromPostgres);
  }

  async retry(org: string, ids: readonly string[]): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $3,
         lease_until = 0
       WHERE org = $1 AND id = ANY($2::text[]) AND state = 'dead' RETURNING id`,
      [org, [...new Set(ids)], this.now()],
    );
    const done = new Set(rows.map((r) => r.id));
    return [...new Set(ids)].filter((id) => done.has(id));
  }

  async counts(): Promise<WebhookCounts> {
    const { rows } = await this.db.query<{ pending: string; dead: string }>(
      `SELECT count(*) FILTER (WHERE state = 'pending') AS pending,
         count(*) FILTER (WHERE state = 'dead') AS dead FROM webhook_deliveries`,
    );
    return { pending: Number(rows[0]?.pending ?? 0), dead: Number(rows[0]?.dead ?? 0) };
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function fromPostgres(row: PostgresWebhookRow): WebhookDelivery {
  return {
    id: row.id,
    org: row.org,
    type: row.type,
    body: row.body,
    state: row.state === 'dead' ? 'dead' : 'pending',
    attempts: row.attempts,
    createdAtMs: Number(row.created_at),
    nextAttemptAtMs: Number(row.next_attempt_at),
    ...(row.last_status === null ? {} : { lastStatus: row.last_status }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}

/** `enqueue` on a pool or inside a transaction (a follow-up's completion). */
export async function enqueueWebhooks(
  db: Queryable,
  items: readonly NewWebhook[],
  nowMs: number,
): Promise<void> {
  if (items.length === 0) return;
  await db.query(
    `INSERT INTO webhook_deliveries (id, org, type, body, state, attempts, created_at,
       next_attempt_at, lease_until)
     SELECT id, org, type, body, 'pending', 0, $5, $5, 0
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(id, org, type, body)
     ON CONFLICT (id) DO NOTHING`,
    [
      items.map((w) => w.id),
      items.map((w) => w.org),
      items.map((w) => w.type),
      items.map((w) => w.body),
      nowMs,
    ],
  );
}
