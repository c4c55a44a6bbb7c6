/**
 * The durable data of the services (ARCHITECTURE.md "store"): the per-user notification inbox
 * of PROTOCOL.md §10 and the chat rooms (`chat-store.ts`). SQLite (embedded default),
 * PostgreSQL (cluster) and memory implement it side by side and pass one contract
 * (`store.contract.ts`, `store-lifecycle.contract.ts`, `chat-store.contract.ts`). The chat
 * tables live in the inbox's database, so a chat change and its pushes commit together in the
 * one outbox (`PendingPush`) both services share.
 *
 * Contract:
 * - Every call is scoped by `org`: nothing one org does can be seen or changed from another,
 *   even for the same user name, and ids are counted per org so they reveal nothing about other
 *   tenants' traffic.
 * - Notification ids are decimal strings of a per-org sequence: a larger id is a newer
 *   notification, which is what "newest first" and `before` paging rest on. Within an org ids
 *   become visible in id order, so a page boundary never skips a notification committed later.
 * - `create` writes all its notifications and its key in one transaction: all or nothing.
 * - A backend that cannot answer (connection lost, locked, full, timed out, closed) rejects
 *   with `StoreUnavailableError`; a bad argument rejects with a `bad_request` `HubcastError`.
 *   A call that timed out may still have been applied: retry a `create` with the same key.
 */
import type { JsonValue, Notification } from '@hubcast/protocol';
import { EngineUnavailableError } from '../engine-error.js';
import type { PushSubscriptionStore } from './push-store.js';
import type { ChatStore } from './chat-store.js';
import type { FollowUpStore } from './follow-up-store.js';
import type { WebhookStore } from './webhook-store.js';

/** A notification as the wire shows it (PROTOCOL.md §10). */
export type { Notification };

export interface NewNotification {
  kind: string;
  title: string;
  body?: string;
  data?: JsonValue;
}

/** The body of `POST /api/notify` once its tenant is known. */
export interface CreateInput {
  /** One notification per entry, in this order; a name given twice gets two. */
  users: readonly string[];
  notification: NewNotification;
  /** Makes the call happen once per org: a repeat answers the first call's ids. */
  key?: string;
  /**
   * When set, the create also records a follow-up carrying this (follow-up-store.ts), in the
   * same transaction; a repeated key records none.
   */
  followUp?: JsonValue;
}

export interface CreateResult {
  /** One id per entry of `users`, in order. */
  ids: string[];
  /** The owner of each id: the call's `users`, or on a repeat the first call's. */
  users: string[];
  /** False when the key was used before: nothing was written, the answer is the first call's. */
  created: boolean;
  /**
   * The notification of each id as stored now. A repeat answers the first call's too, so a
   * caller that died before pushing them can push them on its retry (notifications are never
   * deleted yet, so all three arrays always have one entry per id).
   */
  notifications: Notification[];
}

export interface ListOptions {
  /** 1 to `NOTIFICATION_LIST_LIMIT_MAX`. */
  limit: number;
  /** Only notifications older than this id (which need not exist or be the caller's). */
  before?: string;
  /** Only notifications not read yet. */
  unread?: boolean;
}

export interface ListResult {
  /** Newest first. */
  items: Notification[];
  /** Older matching notifications exist past this page. */
  more: boolean;
}

/** The largest `limit` of a list (PROTOCOL.md §10 `notifications.list`). */
export const NOTIFICATION_LIST_LIMIT_MAX = 100;

/**
 * A push to `channel` written in the same transaction as the change it tells about (an outbox):
 * the inbox's on `user.<id>.notifications`, chat's on `chat.<room>` and `user.<id>.chat`. A
 * crash between the commit and the log append cannot lose it, because whoever drains the outbox
 * next appends it, and an idempotency key made from `id` keeps a push appended twice from being
 * delivered twice.
 */
export interface PendingPush {
  /** Grows with commit order within an org. */
  id: string;
  org: string;
  /** The user the push is for or about (the inbox's owner, the chat member or author). */
  user: string;
  /** Where the relay appends it. */
  channel: string;
  /** The event data (`{"type":"notification.created",...}` and so on). */
  data: JsonValue;
}

/** Per-user inboxes; every method acts on one org only. */
export interface NotificationStore {
  create(org: string, input: CreateInput): Promise<CreateResult>;
  list(org: string, user: string, options: ListOptions): Promise<ListResult>;
  /**
   * Marks the user's own unread notifications among `ids` read and answers exactly those, in
   * the order given, each once. Ids of other users or orgs, read ones and malformed ones are
   * skipped, never an error, so a client cannot probe what exists.
   */
  markRead(org: string, user: string, ids: readonly string[]): Promise<string[]>;
  /** Marks every unread notification of the user read; answers how many changed. */
  markAllRead(org: string, user: string): Promise<number>;
  unreadCount(org: string, user: string): Promise<number>;
  /** Pushes not yet marked done, oldest first, of every org. */
  pendingPushes(limit: number): Promise<PendingPush[]>;
  /** Forgets pushes that are in the log now. */
  pushesDone(ids: readonly string[]): Promise<void>;
  /**
   * Takes the oldest pending pushes (at most `limit`), hands them to `deliver`, and forgets them
   * once it resolves; answers how many it took. Drains of one store run one at a time, across
   * nodes too (PostgreSQL: an advisory lock held by the drain's transaction), so exactly one
   * node drains a push and pushes keep their order (issue 11). A failed `deliver` leaves them
   * pending.
   */
  drainPushes(
    limit: number,
    deliver: (batch: readonly PendingPush[]) => Promise<void>,
  ): Promise<number>;
}

/** `drainPushes` for a store only one process opens (SQLite, memory): read, deliver, forget. */
export async function drainOwnPushes(
  store: Pick<NotificationStore, 'pendingPushes' | 'pushesDone'>,
  limit: number,
  deliver: (batch: readonly PendingPush[]) => Promise<void>,
): Promise<number> {
  const batch = await store.pendingPushes(limit);
  if (batch.length === 0) return 0;
  await deliver(batch);
  await store.pushesDone(batch.map((p) => p.id));
  return batch.length;
}

export interface Store {
  readonly notifications: NotificationStore;
  /** Web Push subscriptions and deliveries (push-store.ts). */
  readonly push: PushSubscriptionStore;
  readonly chat: ChatStore;
  /** The outbound webhook queue (webhook-store.ts). */
  readonly webhooks: WebhookStore;
  /** What a notify still has to queue once committed (follow-up-store.ts). */
  readonly followUps: FollowUpStore;
  /** For /readyz: resolves when the backend can take writes, else says why. */
  check(): Promise<void>;
  /** Releases the file or the connections; later calls reject with `StoreUnavailableError`. */
  close(): Promise<void>;
}

/** Options every backend takes. */
export interface StoreOptions {
  /** The clock of `created_at` and `read_at`, Unix ms. */
  now?: () => number;
  /** Told each schema migration before it runs, e.g. "migrating store: 1/2 …" for the CLI log. */
  onProgress?: (message: string) => void;
}

/** The store cannot answer right now; the API answers 503 and /readyz prints the reason. */
export class StoreUnavailableError extends EngineUnavailableError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('store', reason, options);
    this.name = 'StoreUnavailableError';
  }
}
