/**
 * Notification follow-ups in the store's SQLite file (follow-up-store.ts). Each call is one
 * IMMEDIATE transaction, so a claim's read and its lease, and a completion's check of the lease
 * and its writes, cannot interleave with another process on the same file.
 */
import type { JsonValue } from '@hubcast/protocol';
import type { Database as Db, Statement } from 'better-sqlite3';
import {
  unreadableReason,
  type FollowUp,
  type FollowUpResult,
  type FollowUpStore,
  type FollowUpWork,
} from './follow-up-store.js';
import { toNotification } from './notification-rows.js';
import type { SqlitePushStore } from './push-sqlite.js';
import type { SqliteWebhooks } from './webhooks-sqlite.js';

type Run = <T>(work: () => T) => Promise<T>;

interface FollowUpRow {
  id: number;
  org: string;
  ids: string;
  data: string;
  claims: number;
}

interface NotificationRow {
  id: number;
  user_id: string;
  kind: string;
  title: string;
  body: string | null;
  data: string | null;
  created_at: number;
  read_at: number | null;
}

export class SqliteFollowUps implements FollowUpStore {
  private readonly stmt: {
    insert: Statement<[string, string, string, number]>;
    due: Statement<[number, number], FollowUpRow>;
    lease: Statement<[number, string]>;
    notifications: Statement<[string, string], NotificationRow>;
    remove: Statement<[number, number]>;
    release: Statement<[number, number, number]>;
    count: Statement<[], number>;
  };
  private readonly claimTx: (nowMs: number, limit: number, leaseMs: number) => FollowUp[];
  private readonly completeTx: (id: number, claims: number, work: FollowUpWork) => FollowUpResult;

  constructor(
    db: Db,
    private readonly run: Run,
    push: SqlitePushStore,
    webhooks: SqliteWebhooks,
  ) {
    this.stmt = {
      insert: db.prepare(
        'INSERT INTO notification_follow_ups (org, ids, data, created_at) VALUES (?, ?, ?, ?)',
      ),
      due: db.prepare(
        `SELECT id, org, ids, data, claims FROM notification_follow_ups
         WHERE lease_until <= ? ORDER BY id LIMIT ?`,
      ),
      lease: db.prepare(
        `UPDATE notification_follow_ups SET lease_until = ?, claims = claims + 1
         WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      notifications: db.prepare(
        `SELECT id, user_id, kind, title, body, data, created_at, read_at FROM notifications
         WHERE org = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      ),
      remove: db.prepare('DELETE FROM notification_follow_ups WHERE id = ? AND claims = ?'),
      release: db.prepare(
        'UPDATE notification_follow_ups SET lease_until = ? WHERE id = ? AND claims = ?',
      ),
      count: db.prepare<[], number>('SELECT count(*) FROM notification_follow_ups').pluck(),
    };
    const claim = db.transaction((nowMs: number, limit: number, leaseMs: number) => {
      const rows = this.stmt.due.all(nowMs, limit);
      if (rows.length > 0)
        this.stmt.lease.run(nowMs + leaseMs, JSON.stringify(rows.map((r) => r.id)));
      return rows.map((row) => this.followUpOf(row));
    });
    this.claimTx = (nowMs, limit, leaseMs) => claim.immediate(nowMs, limit, leaseMs);
    const complete = db.transaction((id: number, claims: number, work: FollowUpWork) => {
      if (this.stmt.remove.run(id, claims).changes === 0) return { done: false, pushes: 0 };
      webhooks.enqueueSync(work.webhooks);
      return { done: true, pushes: push.enqueueSync(work.pushes) };
    });
    this.completeTx = (id, claims, work) => complete.immediate(id, claims, work);
  }

  /** Records one inside the create's transaction. */
  add(org: string, ids: readonly string[], data: JsonValue, nowMs: number): void {
    this.stmt.insert.run(org, JSON.stringify(ids.map(Number)), JSON.stringify(data), nowMs);
  }

  claim(nowMs: number, limit: number, leaseMs: number): Promise<FollowUp[]> {
    return this.run(() => this.claimTx(nowMs, limit, leaseMs));
  }

  release(id: string, claims: number, retryAtMs: number): Promise<void> {
    return this.run(() => void this.stmt.release.run(retryAtMs, Number(id), claims));
  }

  complete(id: string, claims: number, work: FollowUpWork): Promise<FollowUpResult> {
    return this.run(() => this.completeTx(Number(id), claims, work));
  }

  count(): Promise<number> {
    return this.run(() => this.stmt.count.get() ?? 0);
  }

  /** One row, read on its own: a row that cannot be read comes back `unreadable`. */
  private followUpOf(row: FollowUpRow): FollowUp {
    const head = { id: String(row.id), org: row.org, claims: row.claims + 1 };
    try {
      return { ...head, ...this.contentOf(row) };
    } catch (err) {
      return {
        ...head,
        users: [],
        notifications: [],
        data: null,
        unreadable: unreadableReason(err),
      };
    }
  }

  private contentOf(row: FollowUpRow): Omit<FollowUp, 'id' | 'org' | 'claims'> {
    const found = this.stmt.notifications.all(row.org, row.ids);
    return {
      users: found.map((n) => n.user_id),
      notifications: found.map((n) =>
        toNotification({
          id: String(n.id),
          kind: n.kind,
          title: n.title,
          body: n.body,
          data: n.data,
          createdAtMs: n.created_at,
          readAtMs: n.read_at,
        }),
      ),
      data: JSON.parse(row.data) as JsonValue,
    };
  }
}
