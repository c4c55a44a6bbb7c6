/**
 * The webhook queue in the embedded SQLite store. better-sqlite3 is synchronous and one process
 * opens the file, so a claim's read and its lease writes are one transaction with no await in
 * between: nothing else can claim the same rows.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type {
  AttemptFailure,
  ClaimOptions,
  NewWebhook,
  WebhookCounts,
  WebhookDelivery,
  WebhookStore,
} from './webhook-store.js';

type Run = <T>(work: () => T) => Promise<T>;

interface SqliteWebhookRow {
  id: string;
  org: string;
  type: string;
  body: string;
  state: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  last_status: number | null;
  last_error: string | null;
}

interface DueParams {
  now: number;
  perOrgMax: number;
  busy: string;
  limit: number;
}

interface FailedParams {
  id: string;
  next: number | null;
  state: string;
  status: number | null;
  error: string;
  attempts: number;
}

const COLUMNS =
  'id, org, type, body, state, attempts, created_at, next_attempt_at, last_status, last_error';

export class SqliteWebhooks implements WebhookStore {
  private readonly stmt: {
    insert: Statement<[string, string, string, string, number, number]>;
    due: Statement<[DueParams], SqliteWebhookRow>;
    lease: Statement<[number, string]>;
    succeeded: Statement<[string, number]>;
    failed: Statement<[FailedParams]>;
    dead: Statement<[string, string, number], SqliteWebhookRow>;
    retry: Statement<[number, string, string]>;
    counts: Statement<[], { pending: number; dead: number }>;
  };

  constructor(
    private readonly db: Db,
    private readonly run: Run,
    private readonly now: () => number,
  ) {
    this.stmt = {
      insert: db.prepare(
        `INSERT INTO webhook_deliveries (id, org, type, body, state, attempts, created_at,
           next_attempt_at, lease_until) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, 0)
         ON CONFLICT (id) DO NOTHING`,
      ),
      // Ranks each org's due rows so a claim takes at most perOrgMax minus what the caller
      // holds of an org (its busy count, from a JSON object; org names hold no '"').
      due: db.prepare(
        `SELECT ${COLUMNS} FROM (
           SELECT *, ROW_NUMBER() OVER (PARTITION BY org ORDER BY next_attempt_at, id) AS rn
           FROM webhook_deliveries
           WHERE state = 'pending' AND next_attempt_at <= @now AND lease_until <= @now
         )
         WHERE rn + COALESCE(json_extract(@busy, '$."' || org || '"'), 0) <= @perOrgMax
         ORDER BY next_attempt_at, id LIMIT @limit`,
      ),
      lease: db.prepare(
        'UPDATE webhook_deliveries SET attempts = attempts + 1, lease_until = ? WHERE id = ?',
      ),
      succeeded: db.prepare(
        `DELETE FROM webhook_deliveries WHERE id = ? AND attempts = ? AND state = 'pending'`,
      ),
      failed: db.prepare(
        `UPDATE webhook_deliveries SET next_attempt_at = COALESCE(@next, next_attempt_at),
           state = @state, last_status = @status, last_error = @error, lease_until = 0
         WHERE id = @id AND attempts = @attempts AND state = 'pending'`,
      ),
      dead: db.prepare(
        `SELECT ${COLUMNS} FROM webhook_deliveries
         WHERE org = ? AND state = 'dead' AND id > ? ORDER BY id LIMIT ?`,
      ),
      retry: db.prepare(
        `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?,
           lease_until = 0 WHERE org = ? AND id = ? AND state = 'dead'`,
      ),
      counts: db.prepare(
        `SELECT COALESCE(SUM(state = 'pending'), 0) AS pending,
           COALESCE(SUM(state = 'dead'), 0) AS dead FROM webhook_deliveries`,
      ),
    };
  }

  enqueue(items: readonly NewWebhook[]): Promise<void> {
    return this.run(() => this.enqueueSync(items));
  }

  /** `enqueue` within another transaction (a follow-up's completion): a savepoint in it. */
  enqueueSync(items: readonly NewWebhook[]): void {
    const nowMs = this.now();
    this.db.transaction(() => {
      for (const w of items) this.stmt.insert.run(w.id, w.org, w.type, w.body, nowMs, nowMs);
    })();
  }

  claim(options: ClaimOptions): Promise<WebhookDelivery[]> {
    return this.run(() => {
      const nowMs = this.now();
      const busy = JSON.stringify(Object.fromEntries(options.busy));
      return this.db.transaction(() => {
        const { limit, perOrgMax } = options;
        const rows = this.stmt.due.all({ now: nowMs, perOrgMax, busy, limit });
        for (const row of rows) this.stmt.lease.run(nowMs + options.leaseMs, row.id);
        return rows.map((row) => fromSqlite({ ...row, attempts: row.attempts + 1 }));
      })();
    });
  }

  succeeded(id: string, attempts: number): Promise<boolean> {
    return this.run(() => this.stmt.succeeded.run(id, attempts).changes === 1);
  }

  failed(id: string, attempts: number, failure: AttemptFailure): Promise<boolean> {
    return this.run(() => {
      const next = failure.retryInMs === undefined ? null : this.now() + failure.retryInMs;
      const state = failure.retryInMs === undefined ? 'dead' : 'pending';
      const status = failure.status ?? null;
      const params = { id, next, state, status, error: failure.error, attempts };
      return this.stmt.failed.run(params).changes === 1;
    });
  }

  dead(org: string, options: { limit: number; after?: string }): Promise<WebhookDelivery[]> {
    return this.run(() =>
      this.stmt.dead.all(org, options.after ?? '', options.limit).map(fromSqlite),
    );
  }

  retry(org: string, ids: readonly string[]): Promise<string[]> {
    return this.run(() => {
      const nowMs = this.now();
      return this.db.transaction(() =>
        [...new Set(ids)].filter((id) => this.stmt.retry.run(nowMs, org, id).changes === 1),
      )();
    });
  }

  counts(): Promise<WebhookCounts> {
    return this.run(() => this.stmt.counts.get() ?? { pending: 0, dead: 0 });
  }
}

function fromSqlite(row: SqliteWebhookRow): WebhookDelivery {
  return {
    id: row.id,
    org: row.org,
    type: row.type,
    body: row.body,
    state: row.state === 'dead' ? 'dead' : 'pending',
    attempts: row.attempts,
    createdAtMs: row.created_at,
    nextAttemptAtMs: row.next_attempt_at,
    ...(row.last_status === null ? {} : { lastStatus: row.last_status }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}
