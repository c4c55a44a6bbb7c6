/**
 * Who is connected to which channel, across devices (PROTOCOL.md §4 presence).
 *
 * Contract: entries are keyed by (org, channel, session). `add` reports whether the session is
 * the user's first on that channel, `remove` whether it was the last; both are atomic per
 * (org, channel) so two nodes cannot both see "first" for one user. Adding a session again
 * replaces its entry and counts once; removing one it does not hold changes nothing.
 *
 * `update` replaces the entry of a session it holds and never adds one, so an info update that
 * races the session's removal cannot bring it back. `membersPage` lists a bounded page of
 * members, sorted by user id, with the count of all (docs/presence.md "Member cap").
 *
 * A shared backend may reject a call whose write still happened (the reply was lost): since
 * `remove` is idempotent, a caller that gives a session up removes it anyway.
 */
import type { JsonValue, PresenceMember } from '@hubcast/protocol';

export interface PresenceEntry {
  user: string;
  info?: JsonValue;
  device?: string;
  /**
   * When `info` was set (connect or `presence.setInfo`), ms since the epoch on the setting
   * node: of a user's entries, the member shows the info set last.
   */
  infoAtMs?: number;
}

/** A page of a channel's members (docs/presence.md "Member cap"). */
export interface MemberPage {
  /** The first members by user id (byte order; user ids are ASCII), at most the limit asked. */
  members: PresenceMember[];
  /**
   * All members, listed or not. Exact when every member is listed; above the limit a shared
   * backend may count for up to its node TTL the members of a node that died.
   */
  count: number;
}

export interface Presence {
  add(
    org: string,
    channel: string,
    session: string,
    entry: PresenceEntry,
  ): Promise<{ firstForUser: boolean }>;
  remove(
    org: string,
    channel: string,
    session: string,
  ): Promise<{ lastForUser: boolean; user?: string }>;
  /** Replaces the entry of a session it holds: true; one it does not hold stays out: false. */
  update(org: string, channel: string, session: string, entry: PresenceEntry): Promise<boolean>;
  /** Every member, sorted by user id. */
  members(org: string, channel: string): Promise<PresenceMember[]>;
  /** The first `limit` members by user id and the count of all, without reading them all. */
  membersPage(org: string, channel: string, limit: number): Promise<MemberPage>;
  close(): Promise<void>;
}

/** A user whose last connection on a channel was on a node that is gone (or, once back, is). */
export interface PresenceChange {
  org: string;
  channel: string;
  user: string;
  /** The info of the user's entry that went (or came back), for the `leave`/`join` push. */
  info?: JsonValue;
}

/** What an expiring presence tells its node; called from its timer, never concurrently. */
export interface ExpiryHandlers {
  /**
   * Another node stopped beating and these users had their last connection there: publish a
   * `leave` for each to every node. Each is reported once, cluster-wide, by the node that
   * reaped the dead one.
   */
  onExpired(left: PresenceChange[]): void;
  /**
   * This node had itself been declared dead (cut off from Redis for longer than its TTL, or
   * Redis lost its data) and its entries were removed; it has now written them again, and for
   * these users they are the first again: publish a `join` for each.
   */
  onRestored(joined: PresenceChange[]): void;
  /** A heartbeat or reap that failed (the backend is away); it is retried on the next beat. */
  onError?(err: unknown): void;
}

/**
 * A presence shared by nodes that may die without saying so (STYLE rule 1: an optional
 * ability, so a second interface). Each node beats; entries of a node that stops beating stop
 * being listed by `members` once its TTL passes, and a live node then removes them and reports
 * the users who left.
 *
 * Until `startHeartbeat` resolves, `add` rejects: an entry of a node that does not beat would
 * never be listed. `close()` stops beating and leaves what is still there to expire, as a crash
 * would: remove a node's sessions first for a prompt `leave`.
 */
export interface ExpiringPresence {
  /** Beats once (rejects, starting nothing, if that fails), then every third of the TTL. */
  startHeartbeat(handlers: ExpiryHandlers): Promise<void>;
}

export function isExpiringPresence(presence: Presence): presence is Presence & ExpiringPresence {
  return typeof (presence as Partial<ExpiringPresence>).startHeartbeat === 'function';
}
