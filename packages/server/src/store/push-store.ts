/**
 * The store's part of Web Push (docs/push.md): each user's push subscriptions and the durable
 * queue of pushes to send to them. `MemoryPushStore`, `SqlitePushStore` and `PostgresPushStore`
 * (`push-memory.ts`, `push-sqlite.ts`, `push-postgres.ts`) implement it side by side and pass
 * `push-store.contract.ts`.
 *
 * Contract:
 * - Every call is scoped by `org` (and by `user` where it names one): nothing one tenant or user
 *   does is seen or changed from another, even for the same endpoint.
 * - A user keeps at most `maxPerUser` subscriptions: registering one more drops the oldest.
 *   Registering an endpoint the user has already replaces its keys and device and makes it the
 *   newest.
 * - A delivery is queued only for a user with at least one subscription, so users without a
 *   device leave nothing behind. A claimed delivery is leased: no other claim (of any node on
 *   the same database) gets it until `finish` or until the lease runs out, so each is sent once
 *   unless its sender dies mid-send (then it is sent again after the lease: at least once).
 * - Errors as in `Store`: `StoreUnavailableError` when the backend cannot answer.
 */

/** What `push.register` stores; the keys come from the browser's `PushSubscription`. */
export interface PushSubscriptionInput {
  /** The push service URL (validated by the service, never here). */
  endpoint: string;
  /** The browser's P-256 public key, base64url. */
  p256dh: string;
  /** The browser's 16-byte auth secret, base64url. */
  auth: string;
  /** A name the user gave this device, shown by `push.list`. */
  device?: string;
}

export interface PushSubscriptionRecord extends PushSubscriptionInput {
  createdAtMs: number;
}

export interface RegisterResult {
  /** The user's subscriptions now. */
  count: number;
  /** How many of the oldest were dropped to stay within `maxPerUser`. */
  replaced: number;
}

/** A push to send to one user, queued after its notification committed. */
export interface NewPushDelivery {
  org: string;
  user: string;
  notificationId: string;
  /** The JSON text sent (already cut to the Web Push size limit). */
  payload: string;
  /** Not sent before this (Unix ms): the end of quiet hours, or now. */
  notBeforeMs: number;
}

export interface PushDelivery extends NewPushDelivery {
  id: string;
  /** Only this subscription (a retry); absent: every subscription the user has when sent. */
  endpoint?: string;
  /** Failed sends so far. */
  attempts: number;
}

/** A send to one endpoint to try again later. */
export interface PushRetry {
  endpoint: string;
  notBeforeMs: number;
  attempts: number;
}

export interface PushSubscriptionStore {
  register(
    org: string,
    user: string,
    input: PushSubscriptionInput,
    maxPerUser: number,
  ): Promise<RegisterResult>;
  /** Answers whether the user had that endpoint. */
  unregister(org: string, user: string, endpoint: string): Promise<boolean>;
  /** The user's subscriptions, oldest first. */
  list(org: string, user: string): Promise<PushSubscriptionRecord[]>;
  /** The push service says the endpoint is gone: forgets it for every user of the org. */
  removeEndpoint(org: string, endpoint: string): Promise<number>;
  /** Queues the deliveries whose user has a subscription; answers how many were queued. */
  enqueue(deliveries: readonly NewPushDelivery[]): Promise<number>;
  /**
   * Leases up to `limit` deliveries due at `nowMs` (not before it, not leased) until
   * `nowMs + leaseMs`, earliest due first.
   */
  claimDue(nowMs: number, limit: number, leaseMs: number): Promise<PushDelivery[]>;
  /** Forgets a claimed delivery and queues its `retries` (copies for one endpoint each), atomically. */
  finish(id: string, retries: readonly PushRetry[]): Promise<void>;
  /** Every delivery of the org not finished yet, leased or not, earliest due first. */
  pending(org: string): Promise<PushDelivery[]>;
}

/** The most subscriptions one user keeps by default (docs/push.md). */
export const PUSH_SUBSCRIPTIONS_PER_USER = 10;
