/**
 * The follow-ups of a notify (docs/push.md, docs/webhooks.md): what must happen once the
 * notifications are committed but is not the log's job, namely queueing the Web Push of a user
 * with no live connection and the `notification.undelivered` webhook. A create given
 * `CreateInput.followUp` records one in its own transaction, so a crash after the commit cannot
 * lose it; a relay (services/notification-follow-ups.ts) claims it, decides, and completes it.
 * `MemoryFollowUps`, `SqliteFollowUps` and `PostgresFollowUps` implement it side by side and pass
 * `follow-up-store.contract.ts`.
 *
 * Contract:
 * - A claim leases its follow-ups: no other claim (of any node on the same database) gets one
 *   until its lease runs out. Each claim counts in `claims`, the fencing token of `complete`.
 * - `complete` queues the pushes (those whose user has a subscription, as
 *   `PushSubscriptionStore.enqueue`) and the webhooks (an id written before is ignored) and
 *   forgets the follow-up in one transaction, and only while `claims` still matches: a claimer
 *   whose lease ran out and was taken over writes nothing. So each follow-up's work is queued
 *   exactly once, however many nodes claim it and whenever they crash.
 * - Errors as in `Store`.
 */
import type { JsonValue, Notification } from '@hubcast/protocol';
import type { NewPushDelivery } from './push-store.js';
import type { NewWebhook } from './webhook-store.js';

/** A claimed follow-up, with its notifications as stored now. */
export interface FollowUp {
  id: string;
  org: string;
  /** Claims so far, this one included. */
  claims: number;
  /** The owner of each notification, in id order. */
  users: string[];
  notifications: Notification[];
  /** `CreateInput.followUp` as the create gave it. */
  data: JsonValue;
  /**
   * Why the stored row could not be read (bad JSON): it is leased like the others, and the relay
   * treats it as a failed plan (backoff, then dropped), so one bad row fails alone.
   */
  unreadable?: string;
}

/** What completing a follow-up queues. */
export interface FollowUpWork {
  pushes: readonly NewPushDelivery[];
  webhooks: readonly NewWebhook[];
}

export interface FollowUpResult {
  /** False when the lease was lost to a later claim: nothing was written. */
  done: boolean;
  /** Pushes queued (users without a subscription get none). */
  pushes: number;
}

export interface FollowUpStore {
  /** Leases up to `limit` follow-ups not leased at `nowMs` until `nowMs + leaseMs`, oldest first. */
  claim(nowMs: number, limit: number, leaseMs: number): Promise<FollowUp[]>;
  /**
   * Moves the lease's end to `retryAtMs` (planning failed: the relay's backoff), if `claims` is
   * still its count: a claim at or after `retryAtMs` takes it.
   */
  release(id: string, claims: number, retryAtMs: number): Promise<void>;
  /**
   * Queues `work` and forgets the follow-up, atomically, if `claims` is still its count (empty
   * `work` drops it: the relay gives up on one after too many claims).
   */
  complete(id: string, claims: number, work: FollowUpWork): Promise<FollowUpResult>;
  /** Follow-ups not completed yet, leased or not. */
  count(): Promise<number>;
}

/** What `FollowUp.unreadable` says: the kind of error, never the stored text it choked on. */
export function unreadableReason(err: unknown): string {
  return err instanceof Error
    ? `${err.name} reading the stored row`
    : 'error reading the stored row';
}
