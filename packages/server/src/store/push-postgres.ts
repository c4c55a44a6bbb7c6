/**
 * Web Push subscriptions and deliveries in PostgreSQL, shared by every node. A claim leases its
 * rows in one statement with `FOR UPDATE SKIP LOCKED`: nodes claiming at once take disjoint
 * rows without waiting for each other, and a row leased by a committed claim no longer matches
 * `lease_until <= now` when PostgreSQL re-reads it, so no two nodes send the same delivery.
 */
import type { QueryResultRow } from 'pg';
import {
  DELIVERY_COLUMNS,
  deliveryOf,
  subscriptionOf,
  type DeliveryRow,
  type SubscriptionRow,
} from './push-rows.js';
import type {
  NewPushDelivery,
  PushDelivery,
  PushRetry,
  PushSubscriptionInput,
  PushSubscriptionRecord,
  PushSubscriptionStore,
  RegisterResult,
} from './push-store.js';

export interface Queryable {
  query<R extends QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

type Transaction = <T>(work: (client: Queryable) => Promise<T>) => Promise<T>;

export class PostgresPushStore implements PushSubscriptionStore {
  constructor(
    private readonly db: Queryable,
    private readonly transaction: Transaction,
    private readonly now: () => number,
  ) {}

  register(
    org: string,
    user: string,
    input: PushSubscriptionInput,
    maxPerUser: number,
  ): Promise<RegisterResult> {
    return this.transaction(async (client) => {
      // One registration per user at a time, so two at once cannot both stay under the cap.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`push ${org} ${user}`]);
      await client.query(
        'DELETE FROM push_subscriptions WHERE org = $1 AND user_id = $2 AND endpoint = $3',
        [org, user, input.endpoint],
      );
      await client.query(
        `INSERT INTO push_subscriptions (org, user_id, endpoint, p256dh, auth, device, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [org, user, input.endpoint, input.p256dh, input.auth, input.device ?? null, this.now()],
      );
      const trimmed = await client.query(
        `DELETE FROM push_subscriptions WHERE id IN (
           SELECT id FROM push_subscriptions WHERE org = $1 AND user_id = $2
           ORDER BY id DESC OFFSET $3)`,
        [org, user, maxPerUser],
      );
      const { rows } = await client.query<{ count: string }>(
        'SELECT count(*) FROM push_subscriptions WHERE org = $1 AND user_id = $2',
        [org, user],
      );
      return { count: Number(rows[0]?.count ?? 0), replaced: trimmed.rowCount ?? 0 };
    });
  }

  async unregister(org: string, user: string, endpoint: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'DELETE FROM push_subscriptions WHERE org = $1 AND user_id = $2 AND endpoint = $3',
      [org, user, endpoint],
    );
    return (rowCount ?? 0) > 0;
  }

  async list(org: string, user: string): Promise<PushSubscriptionRecord[]> {
    const { rows } = await this.db.query<SubscriptionRow>(
      `SELECT endpoint, p256dh, auth, device, created_at FROM push_subscriptions
       WHERE org = $1 AND user_id = $2 ORDER BY id`,
      [org, user],
    );
    return rows.map(subscriptionOf);
  }

  async removeEndpoint(org: string, endpoint: string): Promise<number> {
    const { rowCount } = await this.db.query(
      'DELETE FROM push_subscriptions WHERE org = $1 AND endpoint = $2',
      [org, endpoint],
    );
    return rowCount ?? 0;
  }

  enqueue(deliveries: readonly NewPushDelivery[]): Promise<number> {
    return enqueuePushes(this.db, deliveries);
  }

  async claimDue(nowMs: number, limit: number, leaseMs: number): Promise<PushDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `UPDATE push_deliveries SET lease_until = $2
       WHERE id IN (
         SELECT id FROM push_deliveries WHERE not_before <= $1 AND lease_until <= $1
         ORDER BY not_before, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING ${DELIVERY_COLUMNS}`,
      [nowMs, nowMs + leaseMs, limit],
    );
    return rows.map(deliveryOf).sort(byDue);
  }

  finish(id: string, retries: readonly PushRetry[]): Promise<void> {
    return this.transaction(async (client) => {
      if (retries.length > 0)
        await client.query(
          `INSERT INTO push_deliveries
             (org, user_id, notification_id, payload, endpoint, not_before, attempts)
           SELECT d.org, d.user_id, d.notification_id, d.payload, r.endpoint, r.not_before,
             r.attempts
           FROM push_deliveries d,
             unnest($2::text[], $3::bigint[], $4::int[]) AS r (endpoint, not_before, attempts)
           WHERE d.id = $1`,
          [
            id,
            retries.map((r) => r.endpoint),
            retries.map((r) => r.notBeforeMs),
            retries.map((r) => r.attempts),
          ],
        );
      await client.query('DELETE FROM push_deliveries WHERE id = $1', [id]);
    });
  }

  async pending(org: string): Promise<PushDelivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM push_deliveries WHERE org = $1 ORDER BY not_before, id`,
      [org],
    );
    return rows.map(deliveryOf);
  }
}

/** `enqueue` on a pool or inside a transaction (a follow-up's completion). */
export async function enqueuePushes(
  db: Queryable,
  deliveries: readonly NewPushDelivery[],
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO push_deliveries (org, user_id, notification_id, payload, not_before)
     SELECT t.org, t.user_id, t.notification_id, t.payload, t.not_before
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
       WITH ORDINALITY AS t (org, user_id, notification_id, payload, not_before, n)
     WHERE EXISTS (
       SELECT 1 FROM push_subscriptions s WHERE s.org = t.org AND s.user_id = t.user_id)
     ORDER BY t.n`,
    [
      deliveries.map((d) => d.org),
      deliveries.map((d) => d.user),
      deliveries.map((d) => d.notificationId),
      deliveries.map((d) => d.payload),
      deliveries.map((d) => d.notBeforeMs),
    ],
  );
  return rowCount ?? 0;
}

const byDue = (a: PushDelivery, b: PushDelivery): number =>
  a.notBeforeMs - b.notBeforeMs || Number(a.id) - Number(b.id);
