/**
 * Notification follow-ups in PostgreSQL, shared by every node (follow-up-store.ts). A claim
 * leases its rows in one statement with `FOR UPDATE SKIP LOCKED`, so nodes claiming at once
 * take disjoint rows; a completion deletes its row only while `claims` matches, and queues the
 * pushes and webhooks in the same transaction, so a node whose lease was taken over writes
 * nothing.
 */
import type { JsonValue } from '@hubcast/protocol';
import type { FollowUp, FollowUpResult, FollowUpStore, FollowUpWork } from './follow-up-store.js';
import { toNotification } from './notification-rows.js';
import { enqueuePushes, type Queryable } from './push-postgres.js';
import { enqueueWebhooks } from './webhooks-postgres.js';

type Transaction = <T>(work: (client: Queryable) => Promise<T>) => Promise<T>;

interface FollowUpRow {
  id: string;
  org: string;
  ids: string[];
  data: string;
  claims: number;
}

interface NotificationRow {
  id: string;
  user_id: string;
  kind: string;
  title: string;
  body: string | null;
  data: string | null;
  created_at: Date;
  read_at: Date | null;
}

/** Records one inside the create's transaction. */
export async function addFollowUp(
  client: Queryable,
  org: string,
  ids: readonly string[],
  data: JsonValue,
  nowMs: number,
): Promise<void> {
  await client.query(
    `INSERT INTO notification_follow_ups (org, ids, data, created_at)
     VALUES ($1, $2::bigint[], $3, $4)`,
    [org, ids, JSON.stringify(data), nowMs],
  );
}

export class PostgresFollowUps implements FollowUpStore {
  constructor(
    private readonly db: Queryable,
    private readonly transaction: Transaction,
    private readonly now: () => number,
  ) {}

  async claim(nowMs: number, limit: number, leaseMs: number): Promise<FollowUp[]> {
    const { rows } = await this.db.query<FollowUpRow>(
      `UPDATE notification_follow_ups SET lease_until = $2, claims = claims + 1
       WHERE id IN (
         SELECT id FROM notification_follow_ups WHERE lease_until <= $1
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING id, org, ids, data, claims`,
      [nowMs, nowMs + leaseMs, limit],
    );
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    return Promise.all(rows.map((row) => this.followUpOf(row)));
  }

  complete(id: string, claims: number, work: FollowUpWork): Promise<FollowUpResult> {
    return this.transaction(async (client) => {
      const { rowCount } = await client.query(
        'DELETE FROM notification_follow_ups WHERE id = $1 AND claims = $2',
        [id, claims],
      );
      if ((rowCount ?? 0) === 0) return { done: false, pushes: 0 };
      await enqueueWebhooks(client, work.webhooks, this.now());
      return { done: true, pushes: await enqueuePushes(client, work.pushes) };
    });
  }

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ count: string }>(
      'SELECT count(*) FROM notification_follow_ups',
    );
    return Number(rows[0]?.count ?? 0);
  }

  private async followUpOf(row: FollowUpRow): Promise<FollowUp> {
    const { rows } = await this.db.query<NotificationRow>(
      `SELECT id, user_id, kind, title, body, data, created_at, read_at FROM notifications
       WHERE org = $1 AND id = ANY ($2::bigint[]) ORDER BY id`,
      [row.org, row.ids],
    );
    return {
      id: row.id,
      org: row.org,
      claims: row.claims,
      users: rows.map((n) => n.user_id),
      notifications: rows.map((n) =>
        toNotification({
          id: n.id,
          kind: n.kind,
          title: n.title,
          body: n.body,
          data: n.data,
          createdAtMs: n.created_at.getTime(),
          readAtMs: n.read_at === null ? null : n.read_at.getTime(),
        }),
      ),
      data: JSON.parse(row.data) as JsonValue,
    };
  }
}
