/**
 * The durable queue of outbound webhooks (docs/webhooks.md): one row per delivery, written when
 * the event happens and deleted once the tenant's endpoint answered 2xx. SQLite, PostgreSQL and
 * memory implement it side by side (`webhooks-*.ts`) and pass `webhook-store.contract.ts`.
 *
 * Contract:
 * - `enqueue` writes rows as `pending`, due at once; an id written before is ignored (a retried
 *   enqueue creates nothing new).
 * - `claim` leases due rows to one caller: a row is handed out again only once its lease ran
 *   out (its sender crashed or hung), never while it is leased, across nodes too. Each claim
 *   counts an attempt; `attempts` is the fencing token of `succeeded`/`failed`, so a sender
 *   whose lease ran out cannot undo what a later claimer did.
 * - `claim` gives at most `perOrgMax - busy[org]` rows of one org, oldest due first, so one
 *   tenant's backlog or dead endpoint cannot take every slot of a node.
 * - Dead letters (`dead`) stay until `retry` puts them back or they are deleted by hand; they
 *   are listed per org only.
 * - Times come from the store's clock (`StoreOptions.now`).
 */

export type WebhookState = 'pending' | 'dead';

export interface NewWebhook {
  /** Unique across tenants; the receiver dedupes on it (`Hubcast-Webhook-Id`). */
  id: string;
  org: string;
  type: string;
  /** The exact JSON text POSTed, fixed at enqueue so every attempt signs the same bytes. */
  body: string;
}

export interface WebhookDelivery extends NewWebhook {
  state: WebhookState;
  /** Attempts claimed so far (the current one included, once claimed). */
  attempts: number;
  createdAtMs: number;
  nextAttemptAtMs: number;
  /** HTTP status of the last attempt, absent when it got none (timeout, refused). */
  lastStatus?: number;
  /** Why the last attempt failed, in words that name no secret. */
  lastError?: string;
}

export interface ClaimOptions {
  /** The most rows this claim hands out. */
  limit: number;
  /** How long the rows stay leased to this caller. */
  leaseMs: number;
  /** The most rows of one org the caller may hold at once. */
  perOrgMax: number;
  /** Rows the caller already holds, per org (counted against `perOrgMax`). */
  busy: ReadonlyMap<string, number>;
}

/** How an attempt failed: `retryInMs` to try again, absent to make it a dead letter. */
export interface AttemptFailure {
  retryInMs?: number;
  status?: number;
  error: string;
}

export interface WebhookCounts {
  pending: number;
  dead: number;
}

/** The most dead letters one `dead` call lists. */
export const WEBHOOK_DEAD_LIST_MAX = 100;

export interface WebhookStore {
  enqueue(items: readonly NewWebhook[]): Promise<void>;
  claim(options: ClaimOptions): Promise<WebhookDelivery[]>;
  /** The endpoint took it: the row goes. False when the lease was lost to a later claim. */
  succeeded(id: string, attempts: number): Promise<boolean>;
  /** Schedules the next attempt or makes a dead letter. False when the lease was lost. */
  failed(id: string, attempts: number, failure: AttemptFailure): Promise<boolean>;
  /** The org's dead letters in id order, after the id `after` when given. */
  dead(org: string, options: { limit: number; after?: string }): Promise<WebhookDelivery[]>;
  /** Puts the org's dead letters among `ids` back in the queue, due now; answers those ids. */
  retry(org: string, ids: readonly string[]): Promise<string[]>;
  counts(): Promise<WebhookCounts>;
}
