/**
 * Web Push subscriptions and deliveries in the store's SQLite file. Each call is one
 * synchronous transaction (see sqlite.ts), so a claim's read and its lease cannot interleave
 * with another claim of this process; IMMEDIATE transactions keep a second process on the same
 * file from claiming the same rows.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type {
  NewPushDelivery,
  PushDelivery,
  PushRetry,
  PushSubscriptionInput,
  PushSubscriptionRecord,
  PushSubscriptionStore,
  RegisterResult,
} from './push-store.js';

import {
  DELIVERY_COLUMNS,
  deliveryOf,
  subscriptionOf,
  type DeliveryRow,
  type SubscriptionRow,
} from './push-rows.js';

type Run = <T>(work: () => T) => Promise<T>;

export class SqlitePushStore implements PushSubscriptionStore {
  private readonly stmt: {
    removeOwn: Statement<[string, string, string]>;
    insert: Statement<[string, string, string, string, string, string | null, number]>;
    trim: Statement<[string, string, number]>;
    count: Statement<[string, string], number>;
    list: Statement<[string, string], SubscriptionRow>;
    removeEndpoint: Statement<[string, string]>;
    enqueue: Statement<[string, string, string, string, number, string, string]>;
    due: Statement<[number, number, number], DeliveryRow>;
    lease: Statement<[number, string]>;
    retry: Statement<[string, number, number, number]>;
    remove: Statement<[number]>;
    pending: Statement<[string], DeliveryRow>;
  };
  private readonly registerTx: (
    org: string,
    user: string,
    input: PushSubscriptionInput,
    max: number,
  ) => RegisterResult;
  private readonly enqueueTx: (deliveries: readonly NewPushDelivery[]) => number;
  private readonly claimTx: (nowMs: number, limit: number, leaseMs: number) => DeliveryRow[];
  private readonly finishTx: (id: number, retries: readonly PushRetry[]) => void;

  constructor(
    db: Db,
    private readonly run: Run,
    private readonly now: () => number,
  ) {
    this.stmt = {
      removeOwn: db.prepare(
        'DELETE FROM push_subscriptions WHERE org = ? AND user_id = ? AND endpoint = ?',
      ),
      insert: db.prepare(
        `INSERT INTO push_subscriptions (org, user_id, endpoint, p256dh, auth, device, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      trim: db.prepare(
        `DELETE FROM push_subscriptions WHERE id IN (
           SELECT id FROM push_subscriptions WHERE org = ? AND user_id = ?
           ORDER BY id DESC LIMIT -1 OFFSET ?)`,
      ),
      count: db
        .prepare<[string, string], number>(
          'SELECT count(*) FROM push_subscriptions WHERE org = ? AND user_id = ?',
        )
        .pluck(),
      list: db.prepare(
        `SELECT endpoint, p256dh, auth, device, created_at FROM push_subscriptions
         WHERE org = ? AND user_id = ? ORDER BY id`,
      ),
      removeEndpoint: db.prepare('DELETE FROM push_subscriptions WHERE org = ? AND endpoint = ?'),
      enqueue: db.prepare(
        `INSERT INTO push_deliveries (org, user_id, notification_id, payload, not_before)
         SELECT ?, ?, ?, ?, ? WHERE EXISTS (
           SELECT 1 FROM push_subscriptions WHERE org = ? AND user_id = ?)`,
      ),
      due: db.prepare(
        `SELECT ${DELIVERY_COLUMNS} FROM push_deliveries
         WHERE not_before <= ? AND lease_until <= ? ORDER BY not_before, id LIMIT ?`,
      ),
      lease: db.prepare(
        'UPDATE push_deliveries SET lease_until = ? WHERE id IN (SELECT value FROM json_each(?))',
      ),
      retry: db.prepare(
        `INSERT INTO push_deliveries
           (org, user_id, notification_id, payload, endpoint, not_before, attempts)
         SELECT org, user_id, notification_id, payload, ?, ?, ? FROM push_deliveries WHERE id = ?`,
      ),
      remove: db.prepare('DELETE FROM push_deliveries WHERE id = ?'),
      pending: db.prepare(
        `SELECT ${DELIVERY_COLUMNS} FROM push_deliveries WHERE org = ? ORDER BY not_before, id`,
      ),
    };
    const register = db.transaction(
      (org: string, user: string, input: PushSubscriptionInput, max: number): RegisterResult => {
        this.stmt.removeOwn.run(org, user, input.endpoint);
        this.stmt.insert.run(
          org,
          user,
          input.endpoint,
          input.p256dh,
          input.auth,
          input.device ?? null,
          this.now(),
        );
        const replaced = this.stmt.trim.run(org, user, max).changes;
        return { count: this.stmt.count.get(org, user) ?? 0, replaced };
      },
    );
    this.registerTx = (org, user, input, max) => register.immediate(org, user, input, max);
    const enqueue = db.transaction((deliveries: readonly NewPushDelivery[]): number => {
      let queued = 0;
      for (const d of deliveries)
        queued += this.stmt.enqueue.run(
          d.org,
          d.user,
          d.notificationId,
          d.payload,
          d.notBeforeMs,
          d.org,
          d.user,
        ).changes;
      return queued;
    });
    this.enqueueTx = (deliveries) => enqueue.immediate(deliveries);
    const claim = db.transaction((nowMs: number, limit: number, leaseMs: number) => {
      const rows = this.stmt.due.all(nowMs, nowMs, limit);
      if (rows.length > 0)
        this.stmt.lease.run(nowMs + leaseMs, JSON.stringify(rows.map((r) => r.id)));
      return rows;
    });
    this.claimTx = (nowMs, limit, leaseMs) => claim.immediate(nowMs, limit, leaseMs);
    const finish = db.transaction((id: number, retries: readonly PushRetry[]) => {
      for (const r of retries) this.stmt.retry.run(r.endpoint, r.notBeforeMs, r.attempts, id);
      this.stmt.remove.run(id);
    });
    this.finishTx = (id, retries) => finish.immediate(id, retries);
  }

  register(
    org: string,
    user: string,
    input: PushSubscriptionInput,
    maxPerUser: number,
  ): Promise<RegisterResult> {
    return this.run(() => this.registerTx(org, user, input, maxPerUser));
  }

  unregister(org: string, user: string, endpoint: string): Promise<boolean> {
    return this.run(() => this.stmt.removeOwn.run(org, user, endpoint).changes > 0);
  }

  list(org: string, user: string): Promise<PushSubscriptionRecord[]> {
    return this.run(() => this.stmt.list.all(org, user).map(subscriptionOf));
  }

  removeEndpoint(org: string, endpoint: string): Promise<number> {
    return this.run(() => this.stmt.removeEndpoint.run(org, endpoint).changes);
  }

  enqueue(deliveries: readonly NewPushDelivery[]): Promise<number> {
    return this.run(() => this.enqueueSync(deliveries));
  }

  /** `enqueue` within another transaction (a follow-up's completion): a savepoint in it. */
  enqueueSync(deliveries: readonly NewPushDelivery[]): number {
    return deliveries.length === 0 ? 0 : this.enqueueTx(deliveries);
  }

  claimDue(nowMs: number, limit: number, leaseMs: number): Promise<PushDelivery[]> {
    return this.run(() => this.claimTx(nowMs, limit, leaseMs).map(deliveryOf));
  }

  finish(id: string, retries: readonly PushRetry[]): Promise<void> {
    return this.run(() => this.finishTx(Number(id), retries));
  }

  pending(org: string): Promise<PushDelivery[]> {
    return this.run(() => this.stmt.pending.all(org).map(deliveryOf));
  }
}
