/**
 * Notification follow-ups in PostgreSQL, shared by every node (follow-up-store.ts). A claim
 * leases its rows in one statement with `FOR UPDATE SKIP LOCKED`, so nodes claiming at once
 * take disjoint rows; a completion deletes its row only while `claims` matches, and queues the
 * pushes and webhooks in the same transaction, so a node whose lease was taken over writes
 * nothing.
 */
import type { JsonValue } from '@hubcast/protocol';
import {
  unreadableReason,
  type FollowUp,
  type FollowUpResult,
  type FollowUpStore,
  type FollowUpWork,
} from './follow-up-store.js';
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
    if (rows.length === 0) return [];
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    // One read for the whole batch: the notifications of every claimed follow-up.
    const { rows: found } = await this.db.query<NotificationRow & { follow_up: string }>(
      `SELECT f.id AS follow_up, n.id, n.user_id, n.kind, n.title, n.body, n.data, n.created_at,
         n.read_at
       FROM (SELECT id, org, unnest(ids) AS nid FROM notification_follow_ups
             WHERE id = ANY ($1::bigint[])) f
       JOIN notifications n ON n.org = f.org AND n.id = f.nid
       ORDER BY n.id`,
      [rows.map((r) => r.id)],
    );
    const byFollowUp = new Map<string, NotificationRow[]>();
    for (const n of found) {
      let list = byFollowUp.get(n.follow_up);
      if (list === undefined) byFollowUp.set(n.follow_up, (list = []));
      list.push(n);
    }
    return rows.map((row) => followUpOf(row, byFollowUp.get(row.id) ?? []));
  }

  async release(id: string, claims: number, retryAtMs: number): Promise<void> {
    await this.db.query(
      'UPDATE notification_follow_ups SET lease_until = $3 WHERE id = $1 AND claims = $2',
      [id, claims, retryAtMs],
    );
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
}

/** One row, read on its own: the claim has committed, so a bad row fails alone, `unreadable`. */
function followUpOf(row: FollowUpRow, rows: readonly NotificationRow[]): FollowUp {
  const head = { id: row.id, org: row.org, claims: row.claims };
  try {
    return { ...head, ...contentOf(row, rows) };
  } catch (err) {
    return { ...head, users: [], notifications: [], data: null, unreadable: unreadableReason(err) };
  }
}

function contentOf(
  row: FollowUpRow,
  rows: readonly NotificationRow[],
): Omit<FollowUp, 'id' | 'org' | 'claims'> {
  return {
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
